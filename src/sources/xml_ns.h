#pragma once
// Namespace-aware element lookup on top of pugixml (which has no namespace support): an
// element is matched by its namespace URI and local name, whatever prefix the document uses.

#include <string>
#include <string_view>
#include <vector>

#include <pugixml.hpp>

#include "core/status.h"

namespace coolpapers::sources::xml {

inline constexpr std::string_view kAtom = "http://www.w3.org/2005/Atom";
inline constexpr std::string_view kArxiv = "http://arxiv.org/schemas/atom";
inline constexpr std::string_view kOpenSearch = "http://a9.com/-/spec/opensearch/1.1/";
inline constexpr std::string_view kDublinCore = "http://purl.org/dc/elements/1.1/";
inline constexpr std::string_view kNone = "";  // elements in no namespace (plain RSS 2.0)

// The local part of an element name ("arxiv:comment" -> "comment").
std::string_view LocalName(const pugi::xml_node& n);
// The namespace URI of element `n`, resolved through the xmlns declarations in scope; "" when
// the element is in no namespace.
std::string NamespaceOf(const pugi::xml_node& n);
// True when `n` is an element named {ns}local.
bool Is(const pugi::xml_node& n, std::string_view ns, std::string_view local);
// The first child element named {ns}local, or an empty node.
pugi::xml_node Child(const pugi::xml_node& parent, std::string_view ns, std::string_view local);
// Every child element named {ns}local, in document order.
std::vector<pugi::xml_node> Children(const pugi::xml_node& parent, std::string_view ns,
                                     std::string_view local);
// Text content of `n` and its descendants, whitespace collapsed ("" for an empty node).
std::string Text(const pugi::xml_node& n);
// Text of the first child {ns}local.
std::string ChildText(const pugi::xml_node& parent, std::string_view ns, std::string_view local);

// Parses `text`; on malformed XML fails with kCorruption naming `source` (usually the URL) and
// the byte offset.
Status ParseDocument(std::string_view text, const std::string& source, pugi::xml_document& doc);

}  // namespace coolpapers::sources::xml
