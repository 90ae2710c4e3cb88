// The vision-language figure: labelled tokens, blended pictures in small multiples, join lines.
#include "attnviz/render/image_text.h"

#include <algorithm>
#include <cmath>
#include <optional>

#include "attnviz/error.h"
#include "attnviz/number_text.h"
#include "canvas.h"
#include "colorbar.h"
#include "figure_in_area.h"
#include "figure_parts.h"
#include "figure_style.h"
#include "overlay_raster.h"
#include "text.h"

namespace attnviz {
namespace {

constexpr double kSinglePanelSidePt = 216;
constexpr double kPanelSidePt = 144;
constexpr int64_t kDefaultColumns = 4;
constexpr double kMinLineWidth = 0.75, kMaxLineWidth = 3;
constexpr double kMinOpacity = 0.45;
constexpr double kLineRunEm = 3;  // between a label and its picture
constexpr double kDotRadius = 2.2;
constexpr double kMaxTitleLines = 2;

struct Scaling {
  int reduction = 1;      // picture pixels per raster pixel, each way
  int magnification = 1;  // PNG pixels per raster pixel, each way
  Size image;             // points
};

struct ImageTextPlan {
  ImageTextLayout layout;
  FigureParts parts;
  std::vector<PlacedText> labels;
  FigureStyle style;
  Scaling scaling;
};

void Validate(const ImageTextSpec& spec) {
  const Picture& p = spec.picture;
  if (p.width < 1 || p.height < 1 || p.rgba.size() != static_cast<size_t>(p.width) * p.height * 4)
    ThrowUsageError("the picture is empty or its pixels do not fill " + std::to_string(p.width) +
                    " x " + std::to_string(p.height));
  if (spec.panels.empty()) ThrowUsageError("an image-text figure needs at least one token");
  const int64_t cells = spec.grid_rows * spec.grid_cols;
  for (const ImageTextPanel& panel : spec.panels) {
    if (spec.grid_rows < 1 || spec.grid_cols < 1 ||
        static_cast<int64_t>(panel.patches.size()) != cells)
      ThrowUsageError("a " + std::to_string(spec.grid_rows) + "x" + std::to_string(spec.grid_cols) +
                      " patch grid needs " + std::to_string(cells) + " weights, found " +
                      std::to_string(panel.patches.size()));
    for (int64_t patch : panel.joined) {
      if (patch < 0 || patch >= cells)
        ThrowUsageError("joined patch " + std::to_string(patch) + " is outside the grid");
    }
  }
  if (!(spec.alpha >= 0 && spec.alpha <= 1))
    ThrowUsageError("alpha " + Number(spec.alpha) + " is outside [0, 1]");
}

ColorScale ResolveScale(const ImageTextSpec& spec) {
  ValueRange range;
  for (const ImageTextPanel& panel : spec.panels)
    range.Add({spec.grid_rows, spec.grid_cols, panel.patches, {}});
  return ResolveColorScale(spec.scale, range);
}

// A whole multiple (or fraction) of the picture's pixels near `target_pt` a side.
Scaling ChooseScaling(const Picture& picture, double target_pt, double pixels_per_point) {
  Scaling s;
  double target = target_pt * pixels_per_point;
  double side = std::max(picture.width, picture.height);
  if (side <= target) {
    s.magnification = std::max(1, static_cast<int>(std::lround(target / side)));
  } else {
    s.reduction = std::max(1, static_cast<int>(std::lround(side / target)));
  }
  double points = s.magnification / pixels_per_point;
  s.image = {std::ceil(static_cast<double>(picture.width) / s.reduction) * points,
             std::ceil(static_cast<double>(picture.height) / s.reduction) * points};
  return s;
}

double Snap(double value, double pixels_per_point) {
  return std::round(value * pixels_per_point) / pixels_per_point;
}

// The largest weight any line joins, which sets the full line width.
double LargestJoined(const ImageTextSpec& spec) {
  double largest = 0;
  for (const ImageTextPanel& panel : spec.panels) {
    for (int64_t patch : panel.joined) {
      float w = panel.patches[patch];
      if (std::isfinite(w)) largest = std::max(largest, static_cast<double>(w));
    }
  }
  return largest;
}

Point PatchCentre(const ImageTextSpec& spec, const Rect& image, int64_t patch) {
  double col = patch % spec.grid_cols + 0.5, row = patch / spec.grid_cols + 0.5;
  return {image.x + image.width * col / spec.grid_cols,
          image.y + image.height * row / spec.grid_rows};
}

std::vector<JoinLine> Lines(const ImageTextSpec& spec, const ImageTextPanel& panel,
                            const Rect& label, const Rect& image, double largest) {
  std::vector<JoinLine> lines;
  for (int64_t patch : panel.joined) {
    double w = panel.patches[patch];
    double share = largest > 0 && std::isfinite(w) ? std::clamp(w / largest, 0.0, 1.0) : 0;
    lines.push_back({{label.right(), label.center().y},
                     PatchCentre(spec, image, patch),
                     kMinLineWidth + share * (kMaxLineWidth - kMinLineWidth),
                     kMinOpacity + share * (1 - kMinOpacity)});
  }
  return lines;
}

// Panels left to right in rows; each a label box, a run for the lines, then the picture.
void PlacePanels(const ImageTextSpec& spec, const TextShaper& shaper, double pixels_per_point,
                 ImageTextPlan& plan) {
  const FigureStyle& style = plan.style;
  const Size image = plan.scaling.image;
  double label_width = 0;
  std::vector<TextBlock> blocks;
  for (const ImageTextPanel& panel : spec.panels) {
    blocks.push_back(shaper.Shape(panel.label, style.label, style.max_label_width));
    label_width = std::max(label_width, blocks.back().logical().width);
  }
  const double pad = 0.35 * style.em;
  const double box_width = label_width + 2 * pad, box_height = style.line_height + 2 * pad;
  const double panel_width = box_width + kLineRunEm * style.em + image.width;
  const int64_t count = static_cast<int64_t>(spec.panels.size());
  const int64_t columns = std::min(count, spec.columns > 0 ? spec.columns : kDefaultColumns);
  const double largest = LargestJoined(spec);
  for (int64_t i = 0; i < count; ++i) {
    double left = (i % columns) * (panel_width + 1.5 * style.em);
    double top = (i / columns) * (image.height + 1.5 * style.em);
    Rect picture{Snap(left + box_width + kLineRunEm * style.em, pixels_per_point),
                 Snap(top, pixels_per_point), image.width, image.height};
    Rect box{left, top + (image.height - box_height) / 2, box_width, box_height};
    TextPlacement placement{box.center(), HAlign::kCenter, VAlign::kMiddle, 0};
    plan.labels.push_back({std::move(blocks[i]), placement});
    plan.parts.AddFrame(box);
    plan.parts.AddFrame(picture);
    plan.layout.labels.push_back(box);
    plan.layout.images.push_back(picture);
    plan.layout.lines.push_back(Lines(spec, spec.panels[i], box, picture, largest));
  }
}

Rect PanelsBounds(const ImageTextLayout& layout) {
  Rect bounds;
  for (const Rect& r : layout.labels) bounds = bounds.United(r);
  for (const Rect& r : layout.images) bounds = bounds.United(r);
  return bounds;
}

void PlaceScale(const TextShaper& shaper, ImageTextPlan& plan) {
  ImageTextLayout& layout = plan.layout;
  const FigureStyle& style = plan.style;
  Rect panels = PanelsBounds(layout);
  double height = std::max(plan.scaling.image.height, ColorbarMinHeight(style));
  layout.colorbar = {panels.right() + ColorbarGap(style), panels.y, ColorbarWidth(style), height};
  const ColorScale& s = layout.scale;
  PlaceColorbar({s.colormap, s.vmin, s.vmax, s.norm, {}, {}}, layout.colorbar, style, shaper,
                plan.parts, "attention");
}

void Translate(double dx, double dy, ImageTextPlan& plan) {
  ImageTextLayout& layout = plan.layout;
  plan.parts.Translate(dx, dy);
  for (PlacedText& label : plan.labels) {
    label.placement.anchor.x += dx;
    label.placement.anchor.y += dy;
  }
  for (Rect& r : layout.labels) r = r.Translated(dx, dy);
  for (Rect& r : layout.images) r = r.Translated(dx, dy);
  for (auto& lines : layout.lines) {
    for (JoinLine& line : lines) {
      line.from = {line.from.x + dx, line.from.y + dy};
      line.to = {line.to.x + dx, line.to.y + dy};
    }
  }
  layout.colorbar = layout.colorbar.Translated(dx, dy);
}

void Compose(const ImageTextSpec& spec, const TextShaper& shaper, double pixels_per_point,
             ImageTextPlan& plan) {
  const FigureStyle& style = plan.style;
  Rect content = plan.parts.Bounds().United(PanelsBounds(plan.layout));
  std::optional<TextBlock> title;
  double title_height = 0, title_width = 0;
  if (!spec.title.empty()) {
    title = shaper.Shape(spec.title, style.title, std::max(content.width, 24 * style.em),
                         kMaxTitleLines);
    title_height = title->logical().height + 0.5 * style.gap;
    title_width = title->logical().width;
  }
  Size page{std::max(content.width, title_width) + 2 * style.margin,
            content.height + title_height + 2 * style.margin};
  double dx = Snap((page.width - content.width) / 2 - content.x, pixels_per_point);
  double dy = Snap(style.margin + title_height - content.y, pixels_per_point);
  Translate(dx, dy, plan);
  plan.layout.page = page;
  if (title) {
    TextPlacement placement{{page.width / 2, style.margin}, HAlign::kCenter, VAlign::kTop, 0};
    plan.parts.AddText({std::move(*title), placement});
  }
}

ImageTextSpec Fitted(const ImageTextSpec& spec) {
  ImageTextSpec fitted = spec;
  fitted.picture = FitPicture(spec.picture, spec.grid_rows, spec.grid_cols, spec.fit);
  return fitted;
}

ImageTextPlan PlanImageText(const ImageTextSpec& spec, const RenderOptions& options,
                            const TextShaper& shaper) {
  ImageTextPlan plan;
  plan.layout.scale = ResolveScale(spec);
  plan.style = MakeFigureStyle(options.font, options.font_size, shaper, options.theme);
  double pixels_per_point = options.dpi / 72;
  plan.scaling = ChooseScaling(
      spec.picture, spec.panels.size() == 1 ? kSinglePanelSidePt : kPanelSidePt, pixels_per_point);
  PlacePanels(spec, shaper, pixels_per_point, plan);
  PlaceScale(shaper, plan);
  Compose(spec, shaper, pixels_per_point, plan);
  plan.layout.text_bounds = plan.parts.TextBounds();
  for (const PlacedText& label : plan.labels) plan.layout.text_bounds.push_back(label.Bounds());
  return plan;
}

CellImage Blended(const ImageTextSpec& spec, const ImageTextPanel& panel, const ImageTextPlan& plan,
                  ImageFormat format) {
  RgbRaster picture = FlattenPicture(spec.picture, plan.style.palette.page);
  int reduction = format == ImageFormat::kPng ? plan.scaling.reduction : 1;
  picture = ReduceRaster(picture, reduction);
  std::vector<float> weights = UpsampleBilinear(panel.patches, spec.grid_rows, spec.grid_cols,
                                                picture.width, picture.height);
  return BlendWeights(picture, weights, plan.layout.scale, spec.alpha);
}

void StrokeLine(cairo_t* cr, const JoinLine& line, Rgba color, double width, double opacity) {
  cairo_set_source_rgba(cr, color.r / 255.0, color.g / 255.0, color.b / 255.0, opacity);
  cairo_set_line_width(cr, width);
  cairo_move_to(cr, line.from.x, line.from.y);
  cairo_line_to(cr, line.to.x, line.to.y);
  cairo_stroke(cr);
}

void PaintDot(cairo_t* cr, Point at, Rgba fill, Rgba ring) {
  cairo_arc(cr, at.x, at.y, kDotRadius, 0, 2 * M_PI);
  SetSourceColor(cr, fill);
  cairo_fill_preserve(cr);
  SetSourceColor(cr, ring);
  cairo_set_line_width(cr, 0.8);
  cairo_stroke(cr);
}

// Weakest first so the strongest line lies on top; each over a pale halo that keeps it
// visible on dark colours, ending in a dot on its patch.
void PaintLines(cairo_t* cr, const std::vector<JoinLine>& lines, const Palette& palette) {
  cairo_save(cr);
  cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
  for (auto line = lines.rbegin(); line != lines.rend(); ++line) {
    StrokeLine(cr, *line, palette.page, line->width + 1.6, 0.8 * line->opacity);
    StrokeLine(cr, *line, palette.ink, line->width, line->opacity);
    PaintDot(cr, line->to, palette.ink, palette.page);
  }
  cairo_restore(cr);
}

void ValidateRegion(const RegionTextSpec& spec) {
  const Picture& p = spec.picture;
  if (p.width < 1 || p.height < 1 || p.rgba.size() != static_cast<size_t>(p.width) * p.height * 4)
    ThrowUsageError("the picture is empty or its pixels do not fill " + std::to_string(p.width) +
                    " x " + std::to_string(p.height));
  if (spec.col0 < 0 || spec.row0 < 0 || spec.col1 > spec.grid_cols || spec.row1 > spec.grid_rows ||
      spec.col0 >= spec.col1 || spec.row0 >= spec.row1)
    ThrowUsageError("the region is empty or outside the " + std::to_string(spec.grid_rows) + "x" +
                    std::to_string(spec.grid_cols) + " grid");
}

struct RegionPlan {
  RegionTextLayout layout;
  Scaling scaling;
  FigureStyle style;
};

RegionPlan PlanRegionText(const RegionTextSpec& spec, const RenderOptions& options) {
  RegionPlan plan;
  const TextShaper& shaper = SharedTextShaper();
  plan.style = MakeFigureStyle(options.font, options.font_size, shaper, options.theme);
  const double ppp = options.dpi / 72;
  plan.scaling = ChooseScaling(spec.picture, kPanelSidePt, ppp);
  Size text = LayoutHighlight(spec.text, ImageFormat::kPng, options).page;
  const Size image = plan.scaling.image;
  const double margin = 2 * plan.style.margin, gap = plan.style.em;
  double height = std::max(image.height + 2 * margin, text.height);
  RegionTextLayout& layout = plan.layout;
  layout.page = {margin + image.width + gap + text.width, height};
  layout.image = {Snap(margin, ppp), Snap((height - image.height) / 2, ppp), image.width,
                  image.height};
  double cell_w = image.width / spec.grid_cols, cell_h = image.height / spec.grid_rows;
  layout.region = {layout.image.x + spec.col0 * cell_w, layout.image.y + spec.row0 * cell_h,
                   (spec.col1 - spec.col0) * cell_w, (spec.row1 - spec.row0) * cell_h};
  layout.text = {margin + image.width + gap, (height - text.height) / 2, text.width, text.height};
  return plan;
}

void PaintRegion(cairo_t* cr, const Rect& region, const Palette& palette) {
  for (auto [color, width] : {std::pair{palette.page, 3.6}, std::pair{palette.ink, 1.6}}) {
    SetSourceColor(cr, color);
    cairo_set_line_width(cr, width);
    cairo_rectangle(cr, region.x, region.y, region.width, region.height);
    cairo_stroke(cr);
  }
}

RegionTextSpec FittedRegion(const RegionTextSpec& spec) {
  RegionTextSpec fitted = spec;
  fitted.picture = FitPicture(spec.picture, spec.grid_rows, spec.grid_cols, spec.fit);
  return fitted;
}

}  // namespace

RegionTextLayout LayoutRegionText(const RegionTextSpec& given, const RenderOptions& options) {
  ValidateRegion(given);
  return PlanRegionText(FittedRegion(given), options).layout;
}

std::string RenderRegionText(const RegionTextSpec& given, ImageFormat format,
                             const RenderOptions& options) {
  ValidateRegion(given);
  const RegionTextSpec spec = FittedRegion(given);
  RegionPlan plan = PlanRegionText(spec, options);
  const RegionTextLayout& layout = plan.layout;
  Canvas canvas(format, layout.page,
                {options.dpi, options.png_compression, spec.text.title, options.transparent,
                 plan.style.palette.page, options.threads, options.svg_text});
  RgbRaster picture = FlattenPicture(spec.picture, plan.style.palette.page);
  picture = ReduceRaster(picture, format == ImageFormat::kPng ? plan.scaling.reduction : 1);
  std::vector<float> none(static_cast<size_t>(picture.width) * picture.height, 0.0f);
  ColorScale grey{&ColormapOrThrow("Greys"), 0, 1, {}};
  PaintPixelated(canvas.cr(), BlendWeights(picture, none, grey, 0).view(), layout.image);
  FigureParts frame;
  frame.AddFrame(layout.image);
  frame.Draw(canvas.cr(), plan.style.palette.ink);
  PaintRegion(canvas.cr(), layout.region, plan.style.palette);
  DrawHighlightInArea(canvas, layout.text, spec.text, options);
  return canvas.Finish();
}

ImageTextLayout LayoutImageText(const ImageTextSpec& given, const RenderOptions& options) {
  Validate(given);
  return PlanImageText(Fitted(given), options, SharedTextShaper()).layout;
}

std::string RenderImageText(const ImageTextSpec& given, ImageFormat format,
                            const RenderOptions& options) {
  Validate(given);
  const ImageTextSpec spec = Fitted(given);
  ImageTextPlan plan = PlanImageText(spec, options, SharedTextShaper());
  const ImageTextLayout& layout = plan.layout;
  Canvas canvas(format, layout.page,
                {options.dpi, options.png_compression, spec.title, options.transparent,
                 plan.style.palette.page, options.threads, options.svg_text});
  for (size_t i = 0; i < spec.panels.size(); ++i)
    PaintPixelated(canvas.cr(), Blended(spec, spec.panels[i], plan, format).view(),
                   layout.images[i]);
  PaintColorbar(canvas, *layout.scale.colormap, layout.colorbar);
  plan.parts.Draw(canvas.cr(), plan.style.palette.ink);
  for (const PlacedText& label : plan.labels) {
    SetSourceColor(canvas.cr(), plan.style.palette.ink);
    label.Draw(canvas.cr());
  }
  for (const auto& lines : layout.lines) PaintLines(canvas.cr(), lines, plan.style.palette);
  return canvas.Finish();
}

}  // namespace attnviz
