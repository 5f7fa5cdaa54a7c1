#include "core/venue.h"

#include <cctype>

namespace coolpapers::core {

bool SplitEdition(const std::string& edition, std::string* conference, int* year) {
  size_t dot = edition.rfind('.');
  if (dot == std::string::npos || dot == 0 || edition.size() - dot - 1 != 4) return false;
  int y = 0;
  for (size_t i = dot + 1; i < edition.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(edition[i]))) return false;
    y = y * 10 + (edition[i] - '0');
  }
  if (conference) *conference = edition.substr(0, dot);
  if (year) *year = y;
  return true;
}

}  // namespace coolpapers::core
