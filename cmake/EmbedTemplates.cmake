# Builds templates/**/*.mustache into the binary: writes <build>/generated/web_templates.cc
# with each file's text as a raw string literal (BuiltinTemplateSources, web/templates.h).
# Runs at configure time; editing, adding or removing a template re-runs it.
function(coolpapers_embed_templates target)
  set(dir ${CMAKE_SOURCE_DIR}/templates)
  file(GLOB_RECURSE files CONFIGURE_DEPENDS ${dir}/*.mustache)
  if(NOT files)
    message(FATAL_ERROR "no templates found in ${dir}: the page templates ship with the source tree")
  endif()
  list(SORT files)
  set(body "")
  foreach(f ${files})
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${f})
    file(RELATIVE_PATH rel ${dir} ${f})
    string(REGEX REPLACE "\\.mustache$" "" name ${rel})
    file(READ ${f} text)
    string(FIND "${text}" ")cp_template\"" bad)
    if(NOT bad EQUAL -1)
      message(FATAL_ERROR "${f} contains the text )cp_template\" which ends the embedded literal")
    endif()
    string(APPEND body "    {\"${name}\", R\"cp_template(${text})cp_template\"},\n")
  endforeach()
  set(out ${CMAKE_BINARY_DIR}/generated/web_templates.cc)
  file(WRITE ${out}.tmp
"// Generated from templates/*.mustache by cmake/EmbedTemplates.cmake; do not edit.
#include \"web/templates.h\"

namespace coolpapers::web {

std::span<const TemplateSource> BuiltinTemplateSources() {
  static const TemplateSource kSources[] = {
${body}  };
  return kSources;
}

}  // namespace coolpapers::web
")
  configure_file(${out}.tmp ${out} COPYONLY)  # rewritten only when it changes
  target_sources(${target} PRIVATE ${out})
endfunction()
