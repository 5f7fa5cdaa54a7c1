#include "web/client_address.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>

#include "core/text.h"

namespace coolpapers::web {
namespace {

using core::Trim;

bool IEqualsPrefix(std::string_view s, std::string_view lower_prefix) {
  if (s.size() < lower_prefix.size()) return false;
  for (size_t i = 0; i < lower_prefix.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower_prefix[i]) return false;
  }
  return true;
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t end = s.find(sep, start);
    out.push_back(s.substr(start, end == std::string_view::npos ? s.npos : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return out;
}

// The hops of a Forwarded header (values of `for=`, left to right); an element without `for=`
// gives an empty hop (not an address, so it ends the walk).
std::vector<std::string> ForwardedHops(std::string_view header) {
  std::vector<std::string> hops;
  for (std::string_view element : Split(header, ',')) {
    std::string hop;
    for (std::string_view pair : Split(element, ';')) {
      pair = Trim(pair);
      if (!IEqualsPrefix(pair, "for=")) continue;
      std::string_view v = Trim(pair.substr(4));
      if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
      hop = std::string(v);
    }
    hops.push_back(std::move(hop));
  }
  return hops;
}

}  // namespace

std::optional<IpAddress> IpAddress::Parse(std::string_view text) {
  text = Trim(text);
  if (text.empty() || text.size() > 64) return std::nullopt;
  std::string host;
  if (text.front() == '[') {
    size_t close = text.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    std::string_view rest = text.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') return std::nullopt;
    host = std::string(text.substr(1, close - 1));
  } else if (std::count(text.begin(), text.end(), ':') == 1) {
    host = std::string(text.substr(0, text.find(':')));  // IPv4 with a port
  } else {
    host = std::string(text);
  }
  IpAddress a;
  in_addr v4;
  in6_addr v6;
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) {
    std::memcpy(a.bytes.data(), &v4, 4);
    return a;
  }
  if (inet_pton(AF_INET6, host.c_str(), &v6) == 1) {
    static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::memcmp(&v6, kMapped, 12) == 0) {
      std::memcpy(a.bytes.data(), reinterpret_cast<const uint8_t*>(&v6) + 12, 4);
      return a;
    }
    a.v6 = true;
    std::memcpy(a.bytes.data(), &v6, 16);
    return a;
  }
  return std::nullopt;
}

std::string IpAddress::ToString() const {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(v6 ? AF_INET6 : AF_INET, bytes.data(), buf, sizeof(buf));
  return buf;
}

Result<IpNetwork> IpNetwork::Parse(std::string_view text) {
  text = Trim(text);
  std::string_view addr = text;
  std::optional<int> prefix;
  if (size_t slash = text.find('/'); slash != std::string_view::npos) {
    addr = text.substr(0, slash);
    std::string_view p = text.substr(slash + 1);
    int value = 0;
    bool ok = !p.empty() && p.size() <= 3;
    for (char c : p) {
      if (c < '0' || c > '9') ok = false;
      else value = value * 10 + (c - '0');
    }
    if (!ok) {
      return Err(Status::InvalidArgument("trusted proxy '" + std::string(text) +
                                         "' has a bad prefix length; use e.g. 10.0.0.0/8"));
    }
    prefix = value;
  }
  std::optional<IpAddress> a = IpAddress::Parse(addr);
  if (!a || addr.find_first_of("[]") != std::string_view::npos ||
      (!a->v6 && addr.find(':') != std::string_view::npos)) {
    return Err(Status::InvalidArgument(
        "trusted proxy '" + std::string(text) +
        "' is not an IP address or CIDR block; use e.g. 10.0.0.1, 10.0.0.0/8 or fd00::/8"));
  }
  IpNetwork n;
  n.base = *a;
  int max_bits = a->v6 ? 128 : 32;
  n.prefix = prefix.value_or(max_bits);
  if (n.prefix > max_bits) {
    return Err(Status::InvalidArgument("trusted proxy '" + std::string(text) +
                                       "': the prefix length is at most " +
                                       std::to_string(max_bits)));
  }
  return n;
}

bool IpNetwork::Contains(const IpAddress& a) const {
  if (a.v6 != base.v6) return false;
  int bits = prefix;
  for (size_t i = 0; bits > 0; ++i, bits -= 8) {
    uint8_t mask = bits >= 8 ? 0xff : static_cast<uint8_t>(0xff << (8 - bits));
    if ((a.bytes[i] & mask) != (base.bytes[i] & mask)) return false;
  }
  return true;
}

Result<TrustedProxies> TrustedProxies::Parse(const std::vector<std::string>& entries) {
  TrustedProxies t;
  for (const std::string& e : entries) {
    if (Trim(e).empty()) continue;
    Result<IpNetwork> n = IpNetwork::Parse(e);
    if (!n) return Err(n.error());
    t.nets_.push_back(*n);
  }
  return t;
}

bool TrustedProxies::Contains(const IpAddress& a) const {
  return std::any_of(nets_.begin(), nets_.end(),
                     [&a](const IpNetwork& n) { return n.Contains(a); });
}

std::string ResolveClientIp(std::string_view peer, const TrustedProxies& trusted,
                            std::string_view forwarded, std::string_view x_forwarded_for) {
  std::optional<IpAddress> p = IpAddress::Parse(peer);
  if (!p) return std::string(peer);
  if (trusted.empty() || !trusted.Contains(*p)) return p->ToString();
  std::vector<std::string> hops;
  if (!Trim(forwarded).empty()) {
    hops = ForwardedHops(forwarded);
  } else {
    for (std::string_view h : Split(x_forwarded_for, ',')) {
      if (!Trim(h).empty()) hops.emplace_back(Trim(h));
    }
  }
  IpAddress client = *p;
  for (auto it = hops.rbegin(); it != hops.rend(); ++it) {
    std::optional<IpAddress> hop = IpAddress::Parse(*it);
    if (!hop) break;  // not an address: keep the nearest verified hop
    client = *hop;
    if (!trusted.Contains(*hop)) break;
  }
  return client.ToString();
}

std::string ClientKey(std::string_view ip) {
  std::optional<IpAddress> a = IpAddress::Parse(ip);
  if (!a) return std::string(ip);
  if (!a->v6) return a->ToString();
  std::fill(a->bytes.begin() + 8, a->bytes.end(), 0);
  return a->ToString() + "/64";
}

std::vector<std::string> SplitAddressList(std::string_view text) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : text) {
    if (c == ',' || c == ' ' || c == '\t' || c == '\n') {
      if (!cur.empty()) out.push_back(std::move(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

}  // namespace coolpapers::web
