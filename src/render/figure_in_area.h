// Figures drawn into an area of a page that holds other things too (the pages of a report).
#pragma once

#include "attnviz/render/geometry.h"
#include "attnviz/render/grid.h"
#include "attnviz/render/heatmap.h"
#include "attnviz/render/highlight.h"
#include "attnviz/render/render_options.h"
#include "attnviz/render/scatter.h"
#include "canvas.h"

namespace attnviz {

// Each lays its figure out as Render* would (options.width_pt / height_pt, when set, ask for a
// size), then draws it into `area` of `page`'s current page, scaled down to fit. A highlight is
// laid out as one page, however long its text. Each throws like the matching Render*.
void DrawHeatmapInArea(Canvas& page, const Rect& area, const HeatmapSpec& spec,
                       const RenderOptions& options);
void DrawGridInArea(Canvas& page, const Rect& area, const GridSpec& spec,
                    const RenderOptions& options);
void DrawHighlightInArea(Canvas& page, const Rect& area, const HighlightSpec& spec,
                         const RenderOptions& options);
void DrawScatterInArea(Canvas& page, const Rect& area, const ScatterSpec& spec,
                       const RenderOptions& options);

}  // namespace attnviz
