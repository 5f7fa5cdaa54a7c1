#pragma once
// Test-only: reading files under tests/fixtures/ from unit tests.

#include <fstream>
#include <sstream>
#include <string>

namespace coolpapers::testing {

// Contents of tests/fixtures/<relative>, or "" when the file is missing.
inline std::string ReadFixture(const std::string& relative) {
  std::ifstream in(std::string(COOLPAPERS_SOURCE_DIR) + "/tests/fixtures/" + relative,
                   std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace coolpapers::testing
