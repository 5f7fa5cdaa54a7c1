#include "sources/xml_ns.h"

#include <cstring>

#include "core/text.h"

namespace coolpapers::sources::xml {

std::string_view LocalName(const pugi::xml_node& n) {
  const char* name = n.name();
  const char* colon = std::strrchr(name, ':');
  return colon ? std::string_view(colon + 1) : std::string_view(name);
}

std::string NamespaceOf(const pugi::xml_node& n) {
  std::string_view name = n.name();
  size_t colon = name.find(':');
  std::string attr = colon == std::string_view::npos
                         ? std::string("xmlns")
                         : "xmlns:" + std::string(name.substr(0, colon));
  for (pugi::xml_node cur = n; cur; cur = cur.parent()) {
    if (cur.type() != pugi::node_element) continue;
    pugi::xml_attribute a = cur.attribute(attr.c_str());
    if (a) return a.value();
  }
  return "";
}

bool Is(const pugi::xml_node& n, std::string_view ns, std::string_view local) {
  return n.type() == pugi::node_element && LocalName(n) == local && NamespaceOf(n) == ns;
}

pugi::xml_node Child(const pugi::xml_node& parent, std::string_view ns, std::string_view local) {
  for (pugi::xml_node c = parent.first_child(); c; c = c.next_sibling()) {
    if (Is(c, ns, local)) return c;
  }
  return {};
}

std::vector<pugi::xml_node> Children(const pugi::xml_node& parent, std::string_view ns,
                                     std::string_view local) {
  std::vector<pugi::xml_node> out;
  for (pugi::xml_node c = parent.first_child(); c; c = c.next_sibling()) {
    if (Is(c, ns, local)) out.push_back(c);
  }
  return out;
}

namespace {
void AppendText(const pugi::xml_node& n, std::string& out) {
  for (pugi::xml_node d = n.first_child(); d; d = d.next_sibling()) {
    if (d.type() == pugi::node_pcdata || d.type() == pugi::node_cdata) {
      out += d.value();
    } else if (d.type() == pugi::node_element) {
      out += ' ';
      AppendText(d, out);
    }
  }
}
}  // namespace

std::string Text(const pugi::xml_node& n) {
  if (!n) return {};
  std::string raw;
  AppendText(n, raw);
  return core::CollapseWhitespace(raw);
}

std::string ChildText(const pugi::xml_node& parent, std::string_view ns, std::string_view local) {
  return Text(Child(parent, ns, local));
}

Status ParseDocument(std::string_view text, const std::string& source, pugi::xml_document& doc) {
  pugi::xml_parse_result r = doc.load_buffer(text.data(), text.size(), pugi::parse_default,
                                             pugi::encoding_utf8);
  if (!r) {
    return Status::Corruption(source + ": malformed XML at byte " + std::to_string(r.offset) +
                              " (" + r.description() +
                              "); the response was cut short or is not XML, try again later");
  }
  return Status::Ok();
}

}  // namespace coolpapers::sources::xml
