#include "web/html.h"

#include "core/text.h"

namespace coolpapers::web {

Html Html::Escape(std::string_view text) { return Html(core::HtmlEscape(text)); }

}  // namespace coolpapers::web
