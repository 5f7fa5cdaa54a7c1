#include "web/client_address.h"

#include <gtest/gtest.h>

namespace coolpapers::web {
namespace {

TrustedProxies Trusted(std::vector<std::string> entries) {
  auto t = TrustedProxies::Parse(entries);
  EXPECT_TRUE(t) << t.error().ToString();
  return t ? *t : TrustedProxies();
}

TEST(ClientAddressTest, ParsesAddressesWithAndWithoutPorts) {
  struct Case {
    const char* in;
    const char* out;  // "" = not an address
  };
  const Case cases[] = {
      {"203.0.113.7", "203.0.113.7"},
      {" 203.0.113.7 ", "203.0.113.7"},
      {"203.0.113.7:8080", "203.0.113.7"},
      {"2001:db8::1", "2001:db8::1"},
      {"[2001:db8::1]", "2001:db8::1"},
      {"[2001:db8::1]:4711", "2001:db8::1"},
      {"::ffff:10.1.2.3", "10.1.2.3"},  // IPv4-mapped: IPv4
      {"[::ffff:10.1.2.3]:80", "10.1.2.3"},
      {"unknown", ""},
      {"_hidden", ""},
      {"", ""},
      {"1.2.3", ""},
      {"[2001:db8::1", ""},
      {"999.1.1.1", ""},
  };
  ASSERT_EQ(std::size(cases), 14u);
  for (const Case& c : cases) {
    auto a = IpAddress::Parse(c.in);
    EXPECT_EQ(a ? a->ToString() : "", c.out) << c.in;
  }
}

TEST(ClientAddressTest, ClientKeyBucketsIpv6ByTheSlash64) {
  struct Case {
    const char* in;
    const char* key;
  };
  const Case cases[] = {
      {"203.0.113.7", "203.0.113.7"},
      {"::ffff:203.0.113.7", "203.0.113.7"},
      {"2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"},
      {"2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"},
      {"2001:db8:1:3::1", "2001:db8:1:3::/64"},
      {"::1", "::/64"},
      {"not-an-ip", "not-an-ip"},
  };
  ASSERT_EQ(std::size(cases), 7u);
  for (const Case& c : cases) EXPECT_EQ(ClientKey(c.in), c.key) << c.in;
}

TEST(ClientAddressTest, NetworksMatchByPrefix) {
  struct Case {
    const char* net;
    const char* addr;
    bool in;
  };
  const Case cases[] = {
      {"10.0.0.0/8", "10.255.1.2", true},   {"10.0.0.0/8", "11.0.0.1", false},
      {"10.1.2.3", "10.1.2.3", true},       {"10.1.2.3", "10.1.2.4", false},
      {"192.168.0.0/23", "192.168.1.9", true}, {"192.168.0.0/23", "192.168.2.1", false},
      {"fd00::/8", "fd12::1", true},        {"fd00::/8", "fe80::1", false},
      {"0.0.0.0/0", "8.8.8.8", true},       {"0.0.0.0/0", "::1", false},
      {"::1", "::1", true},                 {"10.0.0.0/8", "::ffff:10.0.0.1", true},
  };
  ASSERT_EQ(std::size(cases), 12u);
  for (const Case& c : cases) {
    auto n = IpNetwork::Parse(c.net);
    ASSERT_TRUE(n) << c.net;
    auto a = IpAddress::Parse(c.addr);
    ASSERT_TRUE(a) << c.addr;
    EXPECT_EQ(n->Contains(*a), c.in) << c.net << " " << c.addr;
  }
}

TEST(ClientAddressTest, RejectsMalformedTrustedProxiesNamingThem) {
  for (const char* bad : {"proxy.local", "10.0.0.0/33", "fd00::/129", "10.0.0.0/x", "1.2.3.4:80",
                          "[::1]"}) {
    auto t = TrustedProxies::Parse({bad});
    ASSERT_FALSE(t) << bad;
    EXPECT_NE(t.error().message().find(bad), std::string::npos) << t.error().message();
  }
}

TEST(ClientAddressTest, ResolvesTheClientBehindTrustedProxies) {
  TrustedProxies none;
  TrustedProxies lb = Trusted({"10.0.0.0/8", "fd00::/8"});
  struct Case {
    const char* name;
    const TrustedProxies* trusted;
    const char* peer;
    const char* forwarded;
    const char* xff;
    const char* client;
  };
  const Case cases[] = {
      {"no proxies configured: headers ignored", &none, "198.51.100.7", "", "1.2.3.4",
       "198.51.100.7"},
      {"untrusted peer: spoofed XFF ignored", &lb, "198.51.100.7", "", "1.2.3.4", "198.51.100.7"},
      {"untrusted peer: spoofed Forwarded ignored", &lb, "198.51.100.7", "for=1.2.3.4", "",
       "198.51.100.7"},
      {"trusted peer, one hop", &lb, "10.0.0.5", "", "203.0.113.9", "203.0.113.9"},
      {"right-most untrusted hop wins over a prepended spoof", &lb, "10.0.0.5", "",
       "6.6.6.6, 203.0.113.9", "203.0.113.9"},
      {"trusted hops skipped", &lb, "10.0.0.5", "", "203.0.113.9, 10.1.1.1, fd00::2",
       "203.0.113.9"},
      {"all hops trusted: the left-most", &lb, "10.0.0.5", "", "10.9.9.9, 10.1.1.1", "10.9.9.9"},
      {"garbage hop ends the walk at the nearest verified hop", &lb, "10.0.0.5", "",
       "203.0.113.9, unknown", "10.0.0.5"},
      {"no header from a trusted peer", &lb, "10.0.0.5", "", "", "10.0.0.5"},
      {"XFF with a port", &lb, "10.0.0.5", "", "203.0.113.9:5555", "203.0.113.9"},
      {"Forwarded preferred, quoted IPv6 with port", &lb, "10.0.0.5",
       "for=6.6.6.6, For=\"[2001:db8:cafe::17]:4711\";proto=https", "1.1.1.1",
       "2001:db8:cafe::17"},
      {"Forwarded obfuscated hop", &lb, "10.0.0.5", "for=_hidden", "", "10.0.0.5"},
      {"IPv4-mapped peer", &lb, "::ffff:10.0.0.5", "", "203.0.113.9", "203.0.113.9"},
      {"IPv6 trusted peer", &lb, "fd00::1", "", "2001:db8::9", "2001:db8::9"},
  };
  ASSERT_EQ(std::size(cases), 14u);
  for (const Case& c : cases) {
    EXPECT_EQ(ResolveClientIp(c.peer, *c.trusted, c.forwarded, c.xff), c.client) << c.name;
  }
}

TEST(ClientAddressTest, SplitsAddressLists) {
  EXPECT_EQ(SplitAddressList("10.0.0.0/8, ::1 ,fd00::/8"),
            (std::vector<std::string>{"10.0.0.0/8", "::1", "fd00::/8"}));
  EXPECT_TRUE(SplitAddressList(" , ").empty());
}

}  // namespace
}  // namespace coolpapers::web
