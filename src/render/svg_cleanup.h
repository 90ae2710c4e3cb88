// Post-processing of Cairo's SVG: ids that do not depend on the process, and crisp images.
#pragma once

#include <string>

namespace attnviz {

// Cairo 1.16 names SVG elements after process-wide surface counters ("image42", "surface7"),
// so the same figure drawn twice in one process differs; this renumbers such ids in order of
// appearance. It also marks every <image> pixelated, because Cairo drops the nearest filter and
// browsers would blur small rasters (one pixel per cell) when scaling them up, and gives cell
// rectangles (the even-odd fills) shape-rendering:crispEdges, so neighbours never blend into lines.
std::string CleanUpSvg(const std::string& svg);

}  // namespace attnviz
