// The page's template, style and script, embedded at build time from src/html/ (see
// scripts/embed-page-assets.cmake): the generated page_assets.cc defines them.
#pragma once

#include <string_view>

namespace attnviz::html {

extern const std::string_view kPageTemplate;  // page.html, with its markers
extern const std::string_view kPageStyle;     // page.css
extern const std::string_view kPageScript;    // js/*.js in order, inside one strict function

}  // namespace attnviz::html
