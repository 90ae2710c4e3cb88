// The overlay figure: layout (picture, optional patch panel, colorbar, title) and painting.
#include "attnviz/render/overlay.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <utility>

#include "attnviz/error.h"
#include "attnviz/number_text.h"
#include "canvas.h"
#include "cell_painter.h"
#include "colorbar.h"
#include "figure_parts.h"
#include "figure_style.h"
#include "figure_title.h"
#include "overlay_raster.h"
#include "text.h"

namespace attnviz {
namespace {

// The picture's longest side aims at 3 in, in whole multiples (or fractions) of its pixels so
// that every PNG pixel of the blend is one of the documented values.
constexpr double kTargetSidePt = 216;
// PDF and SVG embed the picture's own pixels, averaged down beyond this many a side.
constexpr int kMaxVectorPixels = 2048;
constexpr int kMaxTitleLines = 2;
// A picture padded to the grid's aspect stays within the sides ReadImage accepts.
constexpr double kMaxFittedSide = 16384;

struct OverlayPlan {
  OverlayLayout layout;
  FigureParts parts;
  FigureStyle style;
  int reduction = 1;      // picture pixels per PNG raster pixel, each way
  int magnification = 1;  // PNG device pixels per raster pixel, each way
};

void Validate(const OverlaySpec& spec) {
  const Picture& picture = spec.picture;
  if (picture.width < 1 || picture.height < 1 ||
      picture.rgba.size() != static_cast<size_t>(picture.width) * picture.height * 4) {
    ThrowUsageError("the overlay picture is empty or its pixels do not fill " +
                    std::to_string(picture.width) + " x " + std::to_string(picture.height));
  }
  if (spec.grid_rows < 1 || spec.grid_cols < 1 ||
      static_cast<int64_t>(spec.patches.size()) != spec.grid_rows * spec.grid_cols) {
    ThrowUsageError("a " + std::to_string(spec.grid_rows) + "x" + std::to_string(spec.grid_cols) +
                    " patch grid needs " + std::to_string(spec.grid_rows * spec.grid_cols) +
                    " weights, found " + std::to_string(spec.patches.size()));
  }
  if (!(spec.alpha >= 0 && spec.alpha <= 1)) {
    ThrowUsageError("alpha " + Number(spec.alpha) + " is outside [0, 1]");
  }
}

Matrix PatchMatrix(const OverlaySpec& spec) {
  return {spec.grid_rows, spec.grid_cols, spec.patches, {}};
}

ColorScale ResolveScale(const OverlaySpec& spec) {
  ValueRange range;
  range.Add(PatchMatrix(spec));
  return ResolveColorScale(spec.scale, range);
}

// Whole-number enlargement or reduction of the picture toward kTargetSidePt at the PNG dpi.
void ChooseScaling(const OverlaySpec& spec, double pixels_per_point, OverlayPlan& plan) {
  double target = kTargetSidePt * pixels_per_point;
  double side = std::max(spec.picture.width, spec.picture.height);
  if (side <= target) {
    plan.magnification = std::max(1, static_cast<int>(std::lround(target / side)));
  } else {
    plan.reduction = std::max(1, static_cast<int>(std::lround(side / target)));
  }
  int width = (spec.picture.width + plan.reduction - 1) / plan.reduction;
  int height = (spec.picture.height + plan.reduction - 1) / plan.reduction;
  double points = plan.magnification / pixels_per_point;
  plan.layout.overlay = {0, 0, width * points, height * points};
}

std::string PanelCaption(const OverlaySpec& spec) {
  return "patches, " + std::to_string(spec.grid_rows) + " × " + std::to_string(spec.grid_cols);
}

void PlaceCaption(const std::string& text, const Rect& above, const FigureStyle& style,
                  const TextShaper& shaper, FigureParts& parts) {
  TextPlacement placement{
      {above.center().x, above.bottom() + style.tick_pad}, HAlign::kCenter, VAlign::kTop, 0};
  parts.AddText({shaper.Shape(text, style.label, above.width + style.gap), placement});
}

// The picture, the panel and the colorbar side by side, the picture's corner at the origin.
void Arrange(const OverlaySpec& spec, const TextShaper& shaper, OverlayPlan& plan) {
  OverlayLayout& layout = plan.layout;
  const FigureStyle& style = plan.style;
  const Rect& overlay = layout.overlay;
  plan.parts.AddFrame(overlay);
  double right = overlay.right();
  if (spec.panel) {
    layout.panel = overlay.Translated(overlay.width + 1.5 * style.em, 0);
    plan.parts.AddFrame(layout.panel);
    PlaceCaption("overlay, α = " + Number(spec.alpha), overlay, style, shaper, plan.parts);
    PlaceCaption(PanelCaption(spec), layout.panel, style, shaper, plan.parts);
    right = layout.panel.right();
  }
  layout.colorbar = {right + ColorbarGap(style), 0, ColorbarWidth(style),
                     std::max(overlay.height, ColorbarMinHeight(style))};
  const ColorScale& scale = layout.scale;
  PlaceColorbar({scale.colormap, scale.vmin, scale.vmax, scale.norm, {}, {}}, layout.colorbar,
                style, shaper, plan.parts);
}

Rect ContentBounds(const OverlayPlan& plan) {
  return plan.parts.Bounds()
      .United(plan.layout.overlay)
      .United(plan.layout.panel)
      .United(plan.layout.colorbar);
}

// Moves everything by (dx, dy), rounded to whole PNG pixels so picture pixels stay aligned.
void MoveContent(double dx, double dy, double pixels_per_point, OverlayPlan& plan) {
  dx = std::round(dx * pixels_per_point) / pixels_per_point;
  dy = std::round(dy * pixels_per_point) / pixels_per_point;
  plan.parts.Translate(dx, dy);
  OverlayLayout& layout = plan.layout;
  layout.overlay = layout.overlay.Translated(dx, dy);
  if (!layout.panel.empty()) layout.panel = layout.panel.Translated(dx, dy);
  layout.colorbar = layout.colorbar.Translated(dx, dy);
}

// The page around the content with the title above it, centred.
void Compose(const OverlaySpec& spec, const TextShaper& shaper, double pixels_per_point,
             OverlayPlan& plan) {
  const FigureStyle& style = plan.style;
  TitledPage framed =
      PageUnderTitle(ContentBounds(plan), spec.title, kMaxTitleLines, style, shaper);
  MoveContent(framed.shift.x, framed.shift.y, pixels_per_point, plan);
  plan.layout.page = framed.page;
  if (framed.title) {
    TextPlacement placement{
        {framed.page.width / 2, style.margin}, HAlign::kCenter, VAlign::kTop, 0};
    plan.parts.AddText({std::move(*framed.title), placement});
  }
}

OverlayPlan PlanOverlay(const OverlaySpec& spec, const RenderOptions& options,
                        const TextShaper& shaper) {
  Validate(spec);
  OverlayPlan plan;
  plan.layout.scale = ResolveScale(spec);
  plan.style = MakeFigureStyle(options.font, options.font_size, shaper, options.theme);
  double pixels_per_point = options.dpi / 72;
  ChooseScaling(spec, pixels_per_point, plan);
  Arrange(spec, shaper, plan);
  Compose(spec, shaper, pixels_per_point, plan);
  plan.layout.text_bounds = plan.parts.TextBounds();
  return plan;
}

// The picture reduced for `format`, blended with the upsampled patches.
CellImage BlendedRaster(const OverlaySpec& spec, const OverlayPlan& plan, ImageFormat format) {
  RgbRaster picture = FlattenPicture(spec.picture, plan.style.palette.page);
  int side = std::max(picture.width, picture.height);
  int reduction = format == ImageFormat::kPng ? plan.reduction
                                              : (side + kMaxVectorPixels - 1) / kMaxVectorPixels;
  picture = ReduceRaster(picture, reduction);
  std::vector<float> weights =
      UpsampleBilinear(spec.patches, spec.grid_rows, spec.grid_cols, picture.width, picture.height);
  return BlendWeights(picture, weights, plan.layout.scale, spec.alpha);
}

// The picture's size at the grid's aspect: a crop narrows a wide picture (and shortens a tall
// one), a pad heightens a wide picture (and widens a tall one).
Size FittedSize(int64_t width, int64_t height, int64_t rows, int64_t cols, ImageFit fit) {
  bool wider = width * rows > height * cols;
  if ((fit == ImageFit::kCrop) == wider) {
    width = std::max<int64_t>(1, std::llround(static_cast<double>(height) * cols / rows));
  } else {
    height = std::max<int64_t>(1, std::llround(static_cast<double>(width) * rows / cols));
  }
  return {static_cast<double>(width), static_cast<double>(height)};
}

// Where a `source` side starts in a `target` side centred on it, rounded down either way: a crop
// of 300 px to 224 starts at source pixel 38, a pad of 224 px to 300 at target pixel 38.
int CentredOffset(int target, int source) {
  return target >= source ? (target - source) / 2 : -((source - target) / 2);
}

// `picture` moved by (dx, dy) into a width x height frame; pixels it does not cover are clear.
Picture Reframe(const Picture& picture, int width, int height, int dx, int dy) {
  Picture framed{width, height, std::vector<uint8_t>(static_cast<size_t>(width) * height * 4, 0)};
  auto offset = [](int x, int y, int row_width) {
    return (static_cast<size_t>(y) * row_width + static_cast<size_t>(x)) * 4;
  };
  int first = std::max(0, dx), last = std::min(width, picture.width + dx);  // target columns
  int top = std::max(0, dy), bottom = std::min(height, picture.height + dy);
  for (int y = top; y < bottom && first < last; ++y) {
    std::copy_n(&picture.rgba[offset(first - dx, y - dy, picture.width)],
                static_cast<size_t>(last - first) * 4, &framed.rgba[offset(first, y, width)]);
  }
  return framed;
}

// `spec` with its picture as the model saw it (FitPicture).
OverlaySpec Fitted(const OverlaySpec& spec) {
  OverlaySpec fitted = spec;
  fitted.picture = FitPicture(spec.picture, spec.grid_rows, spec.grid_cols, spec.fit);
  return fitted;
}

}  // namespace

Picture FitPicture(const Picture& picture, int64_t rows, int64_t cols, ImageFit fit) {
  if (fit == ImageFit::kStretch || rows < 1 || cols < 1 || picture.width < 1 ||
      picture.height < 1) {
    return picture;
  }
  Size size = FittedSize(picture.width, picture.height, rows, cols, fit);
  if (std::max(size.width, size.height) > kMaxFittedSide) {
    ThrowUsageError("a " + std::to_string(picture.width) + " x " + std::to_string(picture.height) +
                    " picture padded to a " + std::to_string(rows) + "x" + std::to_string(cols) +
                    " grid would be " + Number(size.width) + " x " + Number(size.height) +
                    " pixels, more than 16384 a side; crop or stretch it instead");
  }
  int width = static_cast<int>(size.width), height = static_cast<int>(size.height);
  if (width == picture.width && height == picture.height) return picture;
  return Reframe(picture, width, height, CentredOffset(width, picture.width),
                 CentredOffset(height, picture.height));
}

OverlayLayout LayoutOverlay(const OverlaySpec& spec, const RenderOptions& options) {
  Validate(spec);
  return PlanOverlay(Fitted(spec), options, SharedTextShaper()).layout;
}

std::string RenderOverlay(const OverlaySpec& given, ImageFormat format,
                          const RenderOptions& options) {
  Validate(given);
  const OverlaySpec spec = Fitted(given);
  OverlayPlan plan = PlanOverlay(spec, options, SharedTextShaper());
  const OverlayLayout& layout = plan.layout;
  Canvas canvas(format, layout.page,
                {options.dpi, options.png_compression, spec.title, options.transparent,
                 plan.style.palette.page, options.threads, options.svg_text});
  PaintPixelated(canvas.cr(), BlendedRaster(spec, plan, format).view(), layout.overlay);
  if (spec.panel) PaintCells(canvas, PatchMatrix(spec), {layout.scale}, layout.panel);
  PaintColorbar(canvas, *layout.scale.colormap, layout.colorbar);
  plan.parts.Draw(canvas.cr(), plan.style.palette.ink);
  return canvas.Finish();
}

}  // namespace attnviz
