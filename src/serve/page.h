// The chat page served at GET / (one self-contained HTML document: no assets, no network).
#pragma once
#include <string_view>

namespace airtp::serve {

std::string_view page_html();

}  // namespace airtp::serve
