// A figure showing colormaps side by side: each as a strip of its 256 entries with its name.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "attnviz/render/image_format.h"
#include "attnviz/render/render_options.h"

namespace attnviz {

// The maps in `names` (each a name FindColormap accepts) as labelled strips, one per row; a map
// and its reverse "_r" share a row when both are listed. Throws Error(kUsage) for an unknown
// name or bad options.
std::string RenderColormapSwatch(const std::vector<std::string_view>& names, ImageFormat format,
                                 const RenderOptions& options = {});

}  // namespace attnviz
