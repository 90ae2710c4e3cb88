// The video strip: layout (frames in rows, captions, colorbar, mass bars, title) and painting.
#include "attnviz/render/video_strip.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>

#include "attnviz/error.h"
#include "attnviz/number_text.h"
#include "attnviz/render/ticks.h"
#include "canvas.h"
#include "colorbar.h"
#include "figure_parts.h"
#include "figure_style.h"
#include "figure_title.h"
#include "overlay_raster.h"
#include "text.h"

namespace attnviz {
namespace {

constexpr double kMaxStripWidthPt = 540;  // 7.5 in: a page's width
constexpr double kMaxFrameSidePt = 115;   // 1.6 in
constexpr double kProfileHeightPt = 60;
constexpr int64_t kMaxLabelledBars = 16;  // beyond, the bars carry no values

struct StripPlan {
  VideoStripLayout layout;
  FigureParts parts;
  FigureStyle style;
  int reduction = 1;      // fitted picture pixels per raster pixel, each way
  int magnification = 1;  // PNG pixels per raster pixel, each way
};

void ValidateFrames(const VideoStripSpec& spec) {
  if (spec.frames.empty()) ThrowUsageError("a video strip needs at least one frame");
  for (const Picture& frame : spec.frames) {
    if (frame.width != spec.frames[0].width || frame.height != spec.frames[0].height ||
        frame.rgba.size() != static_cast<size_t>(frame.width) * frame.height * 4 ||
        frame.width < 1) {
      ThrowUsageError("the video strip's frames must be non-empty and of one size");
    }
  }
}

void ValidateCounts(const VideoStripSpec& spec) {
  const size_t count = spec.frames.size();
  if (spec.maps.size() != count || spec.captions.size() != count ||
      (!spec.profile.empty() && spec.profile.size() != count)) {
    ThrowUsageError("a video strip of " + std::to_string(count) +
                    " frames needs a map, a caption and a profile value per frame");
  }
  for (const std::vector<float>& map : spec.maps) {
    if (spec.grid_rows < 1 || spec.grid_cols < 1 ||
        static_cast<int64_t>(map.size()) != spec.grid_rows * spec.grid_cols) {
      ThrowUsageError("a " + std::to_string(spec.grid_rows) + "x" + std::to_string(spec.grid_cols) +
                      " patch grid needs " + std::to_string(spec.grid_rows * spec.grid_cols) +
                      " weights per frame, found " + std::to_string(map.size()));
    }
  }
  if (!(spec.alpha >= 0 && spec.alpha <= 1)) {
    ThrowUsageError("alpha " + Number(spec.alpha) + " is outside [0, 1]");
  }
}

ColorScale ResolveScale(const VideoStripSpec& spec) {
  ValueRange range;
  for (const std::vector<float>& map : spec.maps) {
    range.Add({spec.grid_rows, spec.grid_cols, map, {}});
  }
  return ResolveColorScale(spec.scale, range);
}

int64_t FramesPerRow(const VideoStripSpec& spec) {
  return std::min<int64_t>(kStripFramesPerRow, static_cast<int64_t>(spec.frames.size()));
}

// Whole-number magnification (or reduction) of the fitted frames toward the width a frame has
// (the nearest multiple, so a strip may come out up to a fifth wider than kMaxStripWidthPt).
void ChooseScaling(const Picture& fitted, int64_t per_row, double pixels_per_point,
                   const FigureStyle& style, StripPlan& plan) {
  double room = (kMaxStripWidthPt - (per_row - 1) * style.gap) / per_row;
  double target = std::min(room, kMaxFrameSidePt) * pixels_per_point;
  double side = std::max(fitted.width, fitted.height);
  if (side <= target) {
    plan.magnification = std::max(1, static_cast<int>(std::lround(target / side)));
  } else {
    plan.reduction = static_cast<int>(std::ceil(side / target));
  }
  plan.layout.raster_width = (fitted.width + plan.reduction - 1) / plan.reduction;
  plan.layout.raster_height = (fitted.height + plan.reduction - 1) / plan.reduction;
}

double PlaceCaption(const std::string& text, const Rect& frame, const StripPlan& plan,
                    const TextShaper& shaper, FigureParts& parts) {
  const FigureStyle& style = plan.style;
  TextBlock block = shaper.Shape(text, style.label, frame.width + style.gap, 2);
  double height = block.logical().height;
  TextPlacement placement{
      {frame.center().x, frame.bottom() + style.tick_pad}, HAlign::kCenter, VAlign::kTop, 0};
  parts.AddText({std::move(block), placement});
  return height;
}

// The frames in rows of FramesPerRow, each with its caption; returns the bottom of the block.
double ArrangeFrames(const VideoStripSpec& spec, double pixels_per_point, const TextShaper& shaper,
                     StripPlan& plan) {
  const FigureStyle& style = plan.style;
  const double points = plan.magnification / pixels_per_point;
  const double width = plan.layout.raster_width * points;
  const double height = plan.layout.raster_height * points;
  const int64_t per_row = FramesPerRow(spec);
  double top = 0, row_bottom = 0;
  for (size_t i = 0; i < spec.frames.size(); ++i) {
    int64_t column = static_cast<int64_t>(i) % per_row;
    if (column == 0 && i > 0) top = row_bottom + style.gap;
    Rect frame{column * (width + style.gap), top, width, height};
    plan.layout.frames.push_back(frame);
    plan.parts.AddFrame(frame);
    double caption = PlaceCaption(spec.captions[i], frame, plan, shaper, plan.parts);
    row_bottom = std::max(row_bottom, frame.bottom() + style.tick_pad + caption);
  }
  return row_bottom;
}

void ArrangeColorbar(const VideoStripSpec& spec, const TextShaper& shaper, StripPlan& plan) {
  const FigureStyle& style = plan.style;
  const std::vector<Rect>& frames = plan.layout.frames;
  double right = 0, bottom = 0;
  for (const Rect& frame : frames) {
    right = std::max(right, frame.right());
    bottom = std::max(bottom, frame.bottom());
  }
  plan.layout.colorbar = {right + ColorbarGap(style), 0, ColorbarWidth(style),
                          std::max(bottom, ColorbarMinHeight(style))};
  const ColorScale& scale = plan.layout.scale;
  PlaceColorbar({scale.colormap, scale.vmin, scale.vmax, scale.norm, {}, {}}, plan.layout.colorbar,
                style, shaper, plan.parts, "attention");
  (void)spec;
}

// Bar centres: under each frame when the frames make one row, else evenly across the axes.
double BarCentre(const StripPlan& plan, size_t i, size_t count, const Rect& axes) {
  const std::vector<Rect>& frames = plan.layout.frames;
  if (frames.size() <= static_cast<size_t>(kStripFramesPerRow)) return frames[i].center().x;
  return axes.x + axes.width * (i + 0.5) / count;
}

void PlaceYAxis(const Rect& axes, double top_value, const StripPlan& plan, const TextShaper& shaper,
                FigureParts& parts) {
  const FigureStyle& style = plan.style;
  std::vector<double> ticks = NiceTicks(0, top_value, 3);
  std::vector<std::string> labels = FormatTicks(ticks);
  parts.AddTick({axes.x, axes.y}, {axes.x, axes.bottom()});
  parts.AddTick({axes.x, axes.bottom()}, {axes.right(), axes.bottom()});
  for (size_t i = 0; i < ticks.size(); ++i) {
    if (ticks[i] > top_value * (1 + 1e-9)) continue;
    double y = axes.bottom() - axes.height * ticks[i] / top_value;
    parts.AddTick({axes.x - style.tick_length, y}, {axes.x, y});
    TextPlacement placement{
        {axes.x - style.tick_length - style.tick_pad, y}, HAlign::kRight, VAlign::kMiddle, 0};
    parts.AddText({shaper.Shape(labels[i], style.tick_label), placement});
  }
}

std::string BarValue(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f", value);
  return text;
}

// The top of the bars' axis: the first multiple of a nice tick step at or above `largest` (1 for
// no mass), so the axis ends on a labelled tick.
double AxisTop(double largest) {
  if (!(largest > 0)) return 1;
  std::vector<double> ticks = NiceTicks(0, largest, 3);
  double step = ticks.size() > 1 ? ticks[1] - ticks[0] : largest;
  return std::ceil(largest / step - 1e-9) * step;
}

// The mass bars under the frames, from `top`, with their axis, title and values.
void ArrangeProfile(const VideoStripSpec& spec, double top, const TextShaper& shaper,
                    StripPlan& plan) {
  if (spec.profile.empty()) return;
  const FigureStyle& style = plan.style;
  const std::vector<Rect>& frames = plan.layout.frames;
  double right = 0;
  for (const Rect& frame : frames) right = std::max(right, frame.right());
  TextBlock title = shaper.Shape(spec.profile_title, style.axis_title);
  double title_height = title.logical().height;
  plan.parts.AddText({std::move(title), {{0, top + style.gap}, HAlign::kLeft, VAlign::kTop, 0}});
  const bool values = static_cast<int64_t>(spec.profile.size()) <= kMaxLabelledBars;
  double value_room = values ? style.line_height : 0;
  Rect axes{0, top + style.gap + title_height + value_room, right, kProfileHeightPt};
  plan.layout.profile = axes;
  double top_value = AxisTop(*std::max_element(spec.profile.begin(), spec.profile.end()));
  PlaceYAxis(axes, top_value, plan, shaper, plan.parts);
  const size_t count = spec.profile.size();
  double slot = frames.size() <= static_cast<size_t>(kStripFramesPerRow) ? frames[0].width
                                                                         : axes.width / count;
  for (size_t i = 0; i < count; ++i) {
    double height = axes.height * std::clamp(spec.profile[i] / top_value, 0.0, 1.0);
    double centre = BarCentre(plan, i, count, axes);
    Rect bar{centre - slot * 0.3, axes.bottom() - height, slot * 0.6, height};
    plan.layout.bars.push_back(bar);
    if (!values) continue;
    TextPlacement placement{{centre, bar.y - style.tick_pad}, HAlign::kCenter, VAlign::kBottom, 0};
    plan.parts.AddText({shaper.Shape(BarValue(spec.profile[i]), style.tick_label), placement});
  }
}

Rect ContentBounds(const StripPlan& plan) {
  Rect bounds = plan.parts.Bounds().United(plan.layout.colorbar).United(plan.layout.profile);
  for (const Rect& frame : plan.layout.frames) bounds = bounds.United(frame);
  return bounds;
}

// Moves everything by (dx, dy), rounded to whole PNG pixels so frame pixels stay aligned.
void MoveContent(double dx, double dy, double pixels_per_point, StripPlan& plan) {
  dx = std::round(dx * pixels_per_point) / pixels_per_point;
  dy = std::round(dy * pixels_per_point) / pixels_per_point;
  plan.parts.Translate(dx, dy);
  VideoStripLayout& layout = plan.layout;
  for (Rect& frame : layout.frames) frame = frame.Translated(dx, dy);
  for (Rect& bar : layout.bars) bar = bar.Translated(dx, dy);
  layout.colorbar = layout.colorbar.Translated(dx, dy);
  if (!layout.profile.empty()) layout.profile = layout.profile.Translated(dx, dy);
}

void Compose(const VideoStripSpec& spec, const TextShaper& shaper, double pixels_per_point,
             StripPlan& plan) {
  const FigureStyle& style = plan.style;
  TitledPage framed = PageUnderTitle(ContentBounds(plan), spec.title, 2, style, shaper);
  MoveContent(framed.shift.x, framed.shift.y, pixels_per_point, plan);
  plan.layout.page = framed.page;
  if (framed.title) {
    TextPlacement placement{
        {framed.page.width / 2, style.margin}, HAlign::kCenter, VAlign::kTop, 0};
    plan.parts.AddText({std::move(*framed.title), placement});
  }
}

StripPlan PlanStrip(const VideoStripSpec& spec, const RenderOptions& options,
                    const TextShaper& shaper) {
  ValidateFrames(spec);
  ValidateCounts(spec);
  StripPlan plan;
  plan.layout.scale = ResolveScale(spec);
  plan.style = MakeFigureStyle(options.font, options.font_size, shaper, options.theme);
  const double pixels_per_point = options.dpi / 72;
  Picture fitted = FitPicture(spec.frames[0], spec.grid_rows, spec.grid_cols, spec.fit);
  ChooseScaling(fitted, FramesPerRow(spec), pixels_per_point, plan.style, plan);
  double bottom = ArrangeFrames(spec, pixels_per_point, shaper, plan);
  ArrangeColorbar(spec, shaper, plan);
  ArrangeProfile(spec, bottom, shaper, plan);
  Compose(spec, shaper, pixels_per_point, plan);
  plan.layout.text_bounds = plan.parts.TextBounds();
  return plan;
}

CellImage BlendFrame(const VideoStripSpec& spec, size_t i, int reduction, Rgba page,
                     const ColorScale& scale) {
  Picture fitted = FitPicture(spec.frames[i], spec.grid_rows, spec.grid_cols, spec.fit);
  RgbRaster picture = ReduceRaster(FlattenPicture(fitted, page), reduction);
  std::vector<float> weights =
      UpsampleBilinear(spec.maps[i], spec.grid_rows, spec.grid_cols, picture.width, picture.height);
  return BlendWeights(picture, weights, scale, spec.alpha);
}

void PaintBars(cairo_t* cr, const std::vector<Rect>& bars, Rgba color) {
  SetSourceColor(cr, color);
  for (const Rect& bar : bars) cairo_rectangle(cr, bar.x, bar.y, bar.width, bar.height);
  cairo_fill(cr);
}

// A CellImage's premultiplied opaque ARGB pixels as RGB, each repeated `magnification` times.
RgbFrame Magnified(const CellImage& image, int magnification) {
  RgbFrame frame{image.width * magnification, image.height * magnification, {}};
  frame.rgb.resize(static_cast<size_t>(frame.width) * frame.height * 3);
  for (int y = 0; y < frame.height; ++y) {
    for (int x = 0; x < frame.width; ++x) {
      uint32_t argb = image.argb[(y / magnification) * image.width + x / magnification];
      uint8_t* out = &frame.rgb[(static_cast<size_t>(y) * frame.width + x) * 3];
      out[0] = (argb >> 16) & 0xff;
      out[1] = (argb >> 8) & 0xff;
      out[2] = argb & 0xff;
    }
  }
  return frame;
}

}  // namespace

VideoStripLayout LayoutVideoStrip(const VideoStripSpec& spec, const RenderOptions& options) {
  return PlanStrip(spec, options, SharedTextShaper()).layout;
}

std::string RenderVideoStrip(const VideoStripSpec& spec, ImageFormat format,
                             const RenderOptions& options) {
  StripPlan plan = PlanStrip(spec, options, SharedTextShaper());
  const VideoStripLayout& layout = plan.layout;
  Canvas canvas(format, layout.page,
                {options.dpi, options.png_compression, spec.title, options.transparent,
                 plan.style.palette.page, options.threads, options.svg_text});
  for (size_t i = 0; i < spec.frames.size(); ++i) {
    CellImage blended = BlendFrame(spec, i, plan.reduction, plan.style.palette.page, layout.scale);
    PaintPixelated(canvas.cr(), blended.view(), layout.frames[i]);
  }
  PaintBars(canvas.cr(), layout.bars, plan.style.palette.masked_hatch);
  PaintColorbar(canvas, *layout.scale.colormap, layout.colorbar);
  plan.parts.Draw(canvas.cr(), plan.style.palette.ink);
  return canvas.Finish();
}

std::vector<RgbFrame> BlendVideoFrames(const VideoStripSpec& spec, int magnification) {
  ValidateFrames(spec);
  ValidateCounts(spec);
  if (magnification < 1) ThrowUsageError("a frame's magnification must be at least 1");
  ColorScale scale = ResolveScale(spec);
  std::vector<RgbFrame> frames;
  for (size_t i = 0; i < spec.frames.size(); ++i) {
    Rgba white{255, 255, 255, 255};
    frames.push_back(Magnified(BlendFrame(spec, i, 1, white, scale), magnification));
  }
  return frames;
}

}  // namespace attnviz
