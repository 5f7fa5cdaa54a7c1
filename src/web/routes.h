#pragma once
// Route registration, one function per area, each in its own file. `coolpapers serve`
// (cli/cmd_serve.cc) calls them all.

#include "web/router.h"
#include "web/services.h"

namespace coolpapers::web {

void RegisterSystemRoutes(Router& r, Services& s);  // /healthz /metrics /static/** (system_routes.cc)
void RegisterMetricsListenerRoutes(Router& r, Services& s);  // /metrics without token, /healthz (metrics_listen)
void RegisterArxivRoutes(Router& r, Services& s);   // /, /arxiv/** lists, papers, feeds (arxiv_routes.cc)
void RegisterVenueRoutes(Router& r, Services& s);   // /venue/ /venue/<Ed> /venue/<id>@<Src> (venue_routes.cc)
void RegisterApiRoutes(Router& r, Services& s);     // /api/papers /api/list /api/days /api/click (api_routes.cc)
void RegisterSearchRoutes(Router& r, Services& s);  // /arxiv/search /venue/search /api/search /api/related (search_routes.cc)
void RegisterFaqRoutes(Router& r, Services& s);     // /arxiv/kimi /arxiv/progress /api/faq (faq_routes.cc)
void RegisterRedirectRoutes(Router& r, Services& s);  // /redirect (redirect_routes.cc)
void RegisterTranslateRoutes(Router& r, Services& s);  // /api/translate (translate_routes.cc)

}  // namespace coolpapers::web
