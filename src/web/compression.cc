// gzip via zlib, brotli via libbrotli, and Accept-Encoding negotiation.

#include "web/compression.h"

#include <memory>

#include <brotli/decode.h>
#include <brotli/encode.h>
#include <zlib.h>

#include <cstdlib>
#include <optional>


namespace coolpapers::web {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// q-value of one Accept-Encoding item's parameters ("q=0.5"); nullopt when malformed.
std::optional<double> ParseQ(std::string_view params) {
  double q = 1.0;
  while (!params.empty()) {
    size_t semi = params.find(';');
    std::string_view p = Trim(params.substr(0, semi));
    params = semi == std::string_view::npos ? std::string_view() : params.substr(semi + 1);
    if (p.size() >= 2 && (p[0] == 'q' || p[0] == 'Q') && p[1] == '=') {
      std::string v(Trim(p.substr(2)));
      char* end = nullptr;
      q = std::strtod(v.c_str(), &end);
      if (v.empty() || end != v.c_str() + v.size() || q < 0 || q > 1) return std::nullopt;
    }
  }
  return q;
}

struct AcceptedQ {
  std::optional<double> br, gzip, identity, star;
};

AcceptedQ ParseAcceptEncoding(std::string_view header) {
  AcceptedQ a;
  while (!header.empty()) {
    size_t comma = header.find(',');
    std::string_view item = Trim(header.substr(0, comma));
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    if (item.empty()) continue;
    size_t semi = item.find(';');
    std::string_view coding = Trim(item.substr(0, semi));
    std::optional<double> q =
        ParseQ(semi == std::string_view::npos ? std::string_view() : item.substr(semi + 1));
    if (!q) continue;
    if (IEquals(coding, "br")) a.br = q;
    else if (IEquals(coding, "gzip") || IEquals(coding, "x-gzip")) a.gzip = q;
    else if (IEquals(coding, "identity")) a.identity = q;
    else if (coding == "*") a.star = q;
  }
  return a;
}

}  // namespace

std::string_view EncodingName(Encoding e) {
  switch (e) {
    case Encoding::kGzip: return "gzip";
    case Encoding::kBrotli: return "br";
    case Encoding::kIdentity: break;
  }
  return "";
}

Encoding ChooseEncoding(std::string_view accept_encoding, bool have_gzip, bool have_brotli) {
  AcceptedQ a = ParseAcceptEncoding(accept_encoding);
  double star = a.star.value_or(-1);
  double q_br = have_brotli ? a.br.value_or(star > 0 ? star : 0) : 0;
  double q_gzip = have_gzip ? a.gzip.value_or(star > 0 ? star : 0) : 0;
  // Identity is implicitly acceptable, but any coding the client names beats it.
  double q_identity = a.identity.value_or(a.star.has_value() ? star : 0.001);
  Encoding best = Encoding::kIdentity;
  double best_q = q_identity > 0 ? q_identity : 0;
  // Ties prefer the smaller encoding, so compare with >= in order identity, gzip, br.
  if (q_gzip > 0 && q_gzip >= best_q) best = Encoding::kGzip, best_q = q_gzip;
  if (q_br > 0 && q_br >= best_q) best = Encoding::kBrotli, best_q = q_br;
  return best;
}

bool IsCompressibleType(std::string_view content_type) {
  std::string_view t = content_type.substr(0, content_type.find(';'));
  t = Trim(t);
  if (t.substr(0, 5) == "text/") return true;
  static constexpr std::string_view kTypes[] = {
      "application/json",      "application/javascript", "application/xml",
      "application/atom+xml",  "application/rss+xml",    "image/svg+xml",
      "application/manifest+json", "application/x-javascript", "application/ld+json"};
  for (std::string_view k : kTypes) {
    if (IEquals(t, k)) return true;
  }
  return false;
}

std::string GzipCompress(std::string_view data, int level) {
  z_stream zs{};
  // 15 + 16: window 2^15 with a gzip header and trailer.
  if (deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return {};
  std::string out;
  out.resize(deflateBound(&zs, static_cast<uLong>(data.size())) + 32);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) return {};
  return out;
}

std::string BrotliCompress(std::string_view data, int quality) {
  size_t size = BrotliEncoderMaxCompressedSize(data.size());
  if (size == 0) size = data.size() + 1024;
  std::string out(size, '\0');
  if (!BrotliEncoderCompress(quality, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_TEXT, data.size(),
                             reinterpret_cast<const uint8_t*>(data.data()), &size,
                             reinterpret_cast<uint8_t*>(out.data()))) {
    return {};
  }
  out.resize(size);
  return out;
}

Result<std::string> GzipDecompress(std::string_view data, size_t max_bytes) {
  z_stream zs{};
  // 15 + 32: accept zlib or gzip headers.
  if (inflateInit2(&zs, 15 + 32) != Z_OK) return Err(Status::Internal("zlib inflateInit2 failed"));
  std::string out;
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  int rc = Z_OK;
  char buf[64 * 1024];
  while (rc != Z_STREAM_END) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof(buf);
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      inflateEnd(&zs);
      return Err(Status::Corruption("gzip data is corrupt or truncated (zlib code " +
                                    std::to_string(rc) + ")"));
    }
    out.append(buf, sizeof(buf) - zs.avail_out);
    if (out.size() > max_bytes) {
      inflateEnd(&zs);
      return Err(Status::ResourceExhausted("gzip data expands beyond " +
                                           std::to_string(max_bytes) + " bytes"));
    }
    if (rc == Z_OK && zs.avail_in == 0 && zs.avail_out != 0) {
      inflateEnd(&zs);
      return Err(Status::Corruption("gzip data is truncated"));
    }
  }
  inflateEnd(&zs);
  return out;
}

Result<std::string> BrotliDecompress(std::string_view data, size_t max_bytes) {
  BrotliDecoderState* st = BrotliDecoderCreateInstance(nullptr, nullptr, nullptr);
  if (!st) return Err(Status::Internal("brotli decoder allocation failed"));
  std::string out;
  size_t avail_in = data.size();
  const uint8_t* next_in = reinterpret_cast<const uint8_t*>(data.data());
  uint8_t buf[64 * 1024];
  BrotliDecoderResult rc = BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT;
  while (rc == BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT) {
    size_t avail_out = sizeof(buf);
    uint8_t* next_out = buf;
    rc = BrotliDecoderDecompressStream(st, &avail_in, &next_in, &avail_out, &next_out, nullptr);
    out.append(reinterpret_cast<char*>(buf), sizeof(buf) - avail_out);
    if (out.size() > max_bytes) {
      BrotliDecoderDestroyInstance(st);
      return Err(Status::ResourceExhausted("brotli data expands beyond " +
                                           std::to_string(max_bytes) + " bytes"));
    }
  }
  BrotliDecoderDestroyInstance(st);
  if (rc != BROTLI_DECODER_RESULT_SUCCESS) {
    return Err(Status::Corruption("brotli data is corrupt or truncated"));
  }
  return out;
}

void AttachFastGzip(Response& r) {
  if (r.gzip_body || r.brotli_body || r.stream || r.shared_body) return;
  if (r.body.size() < kMinCompressBytes || !IsCompressibleType(r.content_type)) return;
  std::string gz = GzipCompress(r.body, 1);
  if (!gz.empty() && gz.size() < r.body.size()) {
    r.gzip_body = std::make_shared<const std::string>(std::move(gz));
  }
}

}  // namespace coolpapers::web
