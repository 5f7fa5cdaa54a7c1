#pragma once
// Response compression: content negotiation over Accept-Encoding and the gzip / brotli codecs the
// server uses for on-the-fly and cached (precompressed) bodies.

#include <string>
#include <string_view>

#include "core/status.h"
#include "web/http.h"

namespace coolpapers::web {

enum class Encoding { kIdentity, kGzip, kBrotli };

// The Content-Encoding token of `e` ("" for identity).
std::string_view EncodingName(Encoding e);

// The best encoding the client accepts per `accept_encoding` (RFC 9110 §12.5.3: q-values, `*`,
// `identity`), among those available. Highest q wins; ties prefer br, then gzip, then identity.
// Identity is the answer when nothing better is acceptable (we never send 406).
Encoding ChooseEncoding(std::string_view accept_encoding, bool have_gzip, bool have_brotli);

// True for textual types worth compressing (html, css, js, json, xml, atom, svg, text/*).
bool IsCompressibleType(std::string_view content_type);

// Bodies smaller than this are sent as they are.
inline constexpr size_t kMinCompressBytes = 1024;

// gzip (RFC 1952) of `data` at zlib `level` (1-9).
std::string GzipCompress(std::string_view data, int level = 6);
// brotli of `data` at `quality` (0-11); 5 is a good speed/size point for on-the-fly use.
std::string BrotliCompress(std::string_view data, int quality = 5);

// For a large uncached response built on an I/O thread (a ?show=N list page, a list of ids):
// sets r.gzip_body to gzip at level 1 (fast) when the body is compressible and at least
// kMinCompressBytes, so the server does not brotli it on the fly. Leaves `r.body` as it is.
void AttachFastGzip(Response& r);

// Decoders, used by tests and by clients of compressed upstreams. Fail on corrupt input or when
// the output would exceed `max_bytes`.
Result<std::string> GzipDecompress(std::string_view data, size_t max_bytes = size_t{1} << 30);
Result<std::string> BrotliDecompress(std::string_view data, size_t max_bytes = size_t{1} << 30);

}  // namespace coolpapers::web
