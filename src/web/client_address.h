#pragma once
// Client addresses behind reverse proxies, and the key per-client limits count by.
//
// - The socket peer is the client unless it is one of the configured trusted proxies; only then
//   are `Forwarded: for=` (RFC 7239, preferred when present) or `X-Forwarded-For` read. Their
//   hops are walked from the right (the hop the trusted proxy itself added) leftwards, skipping
//   further trusted proxies; the first untrusted hop is the client. A hop that is not an IP
//   address ("unknown", an obfuscated name, garbage) ends the walk: the nearest hop already
//   verified is then taken, so a client can never choose its own address by prepending hops.
// - IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) are IPv4 addresses everywhere.
// - ClientKey: the IPv4 address, or the /64 of an IPv6 address (one subscriber's usual
//   allocation), so rotating through the addresses of one subnet does not multiply a limit.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace coolpapers::web {

// An IPv4 or IPv6 address, IPv4 kept as such (mapped addresses are unmapped).
struct IpAddress {
  bool v6 = false;
  std::array<uint8_t, 16> bytes{};  // v4: the first 4 bytes

  // "203.0.113.7", "2001:db8::1", "[2001:db8::1]"; also with a port ("1.2.3.4:80",
  // "[::1]:80") as proxies write them. nullopt when not an address.
  static std::optional<IpAddress> Parse(std::string_view text);
  std::string ToString() const;
};

// An address block: "10.0.0.0/8", "2001:db8::/32", or a single address.
struct IpNetwork {
  IpAddress base;
  int prefix = 32;  // bits
  static Result<IpNetwork> Parse(std::string_view text);
  bool Contains(const IpAddress& a) const;
};

class TrustedProxies {
 public:
  // Fails naming the first entry that is neither an address nor a CIDR block.
  static Result<TrustedProxies> Parse(const std::vector<std::string>& entries);
  bool Contains(const IpAddress& a) const;
  bool empty() const { return nets_.empty(); }

 private:
  std::vector<IpNetwork> nets_;
};

// The client's address for a request from socket peer `peer` with the given (possibly empty)
// header values; see the rules above. Returns `peer` normalized (or as is when unparsable).
std::string ResolveClientIp(std::string_view peer, const TrustedProxies& trusted,
                            std::string_view forwarded, std::string_view x_forwarded_for);

// "203.0.113.7" -> "203.0.113.7"; "2001:db8:1:2:3:4:5:6" -> "2001:db8:1:2::/64";
// "::ffff:10.0.0.1" -> "10.0.0.1". Unparsable text is returned as is.
std::string ClientKey(std::string_view ip);

// Comma- or whitespace-separated list ("10.0.0.0/8, ::1") -> entries.
std::vector<std::string> SplitAddressList(std::string_view text);

}  // namespace coolpapers::web
