// Placeholder until the real routes land (replace this file).
#include "web/routes.h"

namespace coolpapers::web {
void RegisterRedirectRoutes(Router&, Services&) {}
}  // namespace coolpapers::web
