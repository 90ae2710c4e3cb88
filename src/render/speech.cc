// The speech figure: attention panel over an audio panel sharing one time axis, with their
// colorbars, axes and title; then cells, spectrogram or waveform, path and boundaries painted.
#include "attnviz/render/speech.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <optional>
#include <utility>

#include "attnviz/error.h"
#include "attnviz/number_text.h"
#include "attnviz/render/ticks.h"
#include "axis_labels.h"
#include "canvas.h"
#include "cell_painter.h"
#include "colorbar.h"
#include "figure_parts.h"
#include "figure_style.h"
#include "figure_title.h"
#include "heatmap_layout.h"
#include "text.h"

namespace attnviz {
namespace {

constexpr double kPlotWidth = 432;           // 6 in
constexpr double kMaxAttentionHeight = 288;  // 4 in: beyond, token labels shrink, then thin
constexpr double kLabelCellScale = 1.25;     // a token row: a label line plus air
constexpr double kMelHeight = 96;            // 80 bands at 1.2 pt
constexpr double kWaveformHeight = 72;
constexpr double kMinTitleWidthEm = 24;
constexpr int kMaxTitleLines = 2;
constexpr double kTimeLabelRoomEm = 2.5;      // between time labels
constexpr Rgba kPathColor{228, 26, 28, 255};  // ColorBrewer red: in no sequential map we draw
constexpr double kPathWidth = 1.2;
constexpr double kBoundaryAlpha = 0.6;
constexpr double kBoundaryWidth = 0.75;
constexpr double kWaveformHeadroom = 1.1;  // the loudest sample at 1 / 1.1 of the half height

struct SpeechPlan {
  SpeechLayout layout;
  FigureParts parts;
  FigureStyle style;
  ColorScale scale;      // the attention's
  ColorScale mel_scale;  // the spectrogram's: its own range
};

void ValidateSpec(const SpeechSpec& spec) {
  const Matrix& attention = spec.attention;
  if (attention.rows < 1 || attention.cols < 1 ||
      attention.values.size() != static_cast<size_t>(attention.rows * attention.cols)) {
    ThrowUsageError("the speech figure's attention is empty or does not fill " +
                    std::to_string(attention.rows) + " x " + std::to_string(attention.cols));
  }
  if (!spec.tokens.empty() && static_cast<int64_t>(spec.tokens.size()) != attention.rows) {
    ThrowUsageError(std::to_string(spec.tokens.size()) + " token labels for " +
                    std::to_string(attention.rows) + " rows of attention");
  }
  if (!(spec.frame_seconds > 0) ||
      !(spec.seconds >= attention.cols * spec.frame_seconds * (1 - 1e-9))) {
    ThrowUsageError("a time axis of " + Number(spec.seconds) + " s cannot hold " +
                    std::to_string(attention.cols) + " frames of " + Number(spec.frame_seconds) +
                    " s");
  }
  if (spec.under == SpeechUnder::kMel &&
      (spec.mel.rows < 1 || spec.mel.cols < 1 || !(spec.mel_seconds > 0))) {
    ThrowUsageError("the speech figure's spectrogram is empty");
  }
  if (spec.under == SpeechUnder::kWaveform && (spec.waveform.empty() || !(spec.sample_rate > 0))) {
    ThrowUsageError("the speech figure's waveform is empty");
  }
}

// The spectrogram's scale: its own smallest to largest value, linear.
ColorScale MelScale(const SpeechSpec& spec) {
  ValueRange range;
  range.Add(spec.mel);
  ScaleRequest request{spec.mel_colormap, {}, range.min, range.max};
  if (range.empty() || !(range.max > range.min)) request.vmin = request.vmax = std::nullopt;
  return ResolveColorScale(request, range);
}

// A token row's height: a label line (x1.25) while the heatmap stays within 4 in, and tall
// enough that the heatmap holds its colorbar's ticks.
double AutoRowHeight(const SpeechSpec& spec, const FigureStyle& style) {
  const double rows = static_cast<double>(spec.attention.rows);
  double row = std::min(kLabelCellScale * style.line_height, kMaxAttentionHeight / rows);
  return std::max(row, ColorbarMinHeight(style) / rows);
}

double AudioHeight(const SpeechSpec& spec) {
  return spec.under == SpeechUnder::kMel ? kMelHeight : kWaveformHeight;
}

// A tick and its label left of `panel` at height y.
void AddLeftTick(double y, const std::string& label, const Rect& panel, const FigureStyle& style,
                 const TextShaper& shaper, FigureParts& parts) {
  parts.AddTick({panel.x - style.tick_length, y}, {panel.x, y});
  TextPlacement placement{
      {panel.x - style.tick_length - style.tick_pad, y}, HAlign::kRight, VAlign::kMiddle, 0};
  parts.AddText({shaper.Shape(label, style.label), placement});
}

void PlaceMelAxis(const SpeechSpec& spec, const Rect& panel, const FigureStyle& style,
                  const TextShaper& shaper, FigureParts& parts) {
  const double band = panel.height / static_cast<double>(spec.mel.rows);
  for (const BandTick& tick : spec.mel_ticks) {
    AddLeftTick(panel.bottom() - tick.position * band, tick.label, panel, style, shaper, parts);
  }
}

// The waveform's half height in sample units: its loudest sample with some headroom.
double WaveformScale(const SpeechSpec& spec) {
  float loudest = 0;
  for (float sample : spec.waveform) {
    if (std::isfinite(sample)) loudest = std::max(loudest, std::abs(sample));
  }
  return loudest > 0 ? kWaveformHeadroom * loudest : 1;
}

void PlaceWaveformAxis(const SpeechSpec& spec, const Rect& panel, const FigureStyle& style,
                       const TextShaper& shaper, FigureParts& parts) {
  const double half = WaveformScale(spec);
  std::vector<double> ticks = NiceTicks(-half / kWaveformHeadroom, half / kWaveformHeadroom, 3);
  std::vector<std::string> labels = FormatTicks(ticks);
  for (size_t i = 0; i < ticks.size(); ++i) {
    double y = panel.center().y - ticks[i] / half * panel.height / 2;
    AddLeftTick(y, labels[i], panel, style, shaper, parts);
  }
}

// Seconds along the bottom of the audio panel, labelled; the same ticks unlabelled under the
// attention; the axis title below.
void PlaceTimeAxis(const SpeechSpec& spec, const SpeechLayout& layout, const FigureStyle& style,
                   const TextShaper& shaper, FigureParts& parts) {
  const Rect& audio = layout.audio;
  double label_width = shaper.Shape(Number(spec.seconds) + "0", style.label).logical().width;
  int max_ticks =
      std::max(2, static_cast<int>(audio.width / (label_width + kTimeLabelRoomEm * style.em)));
  std::vector<double> ticks = NiceTicks(0, spec.seconds, max_ticks);
  std::vector<std::string> labels = FormatTicks(ticks);
  double lowest = audio.bottom() + style.tick_length;
  for (size_t i = 0; i < ticks.size(); ++i) {
    double x = audio.x + ticks[i] / spec.seconds * audio.width;
    parts.AddTick({x, layout.attention.bottom()},
                  {x, layout.attention.bottom() + style.tick_length});
    parts.AddTick({x, audio.bottom()}, {x, audio.bottom() + style.tick_length});
    PlacedText label{shaper.Shape(labels[i], style.label),
                     {{x, audio.bottom() + style.tick_length + style.tick_pad},
                      HAlign::kCenter,
                      VAlign::kTop,
                      0}};
    lowest = std::max(lowest, label.Bounds().bottom());
    parts.AddText(std::move(label));
  }
  parts.AddText({shaper.Shape("time (s)", style.axis_title),
                 {{audio.center().x, lowest + style.tick_pad}, HAlign::kCenter, VAlign::kTop, 0}});
}

// A rotated axis title left of everything at `left`, centred on `panel`.
void PlaceLeftTitle(const std::string& title, double left, const Rect& panel,
                    const FigureStyle& style, const TextShaper& shaper, FigureParts& parts) {
  double width = std::max(panel.height + 2 * style.gap, 12 * style.em);
  TextPlacement placement{{left - style.tick_pad, panel.center().y},
                          HAlign::kCenter,
                          VAlign::kBottom,
                          std::numbers::pi / 2};
  parts.AddText({shaper.Shape(title, style.axis_title, width, 2), placement});
}

void PlaceColorbars(const SpeechSpec& spec, SpeechPlan& plan, const TextShaper& shaper) {
  SpeechLayout& layout = plan.layout;
  const FigureStyle& style = plan.style;
  const double x = layout.attention.right() + ColorbarGap(style);
  layout.colorbar = {x, layout.attention.y, ColorbarWidth(style), layout.attention.height};
  const ColorScale& scale = plan.scale;
  PlaceColorbar({scale.colormap, scale.vmin, scale.vmax, scale.norm, {}, {}}, layout.colorbar,
                style, shaper, plan.parts, "attention");
  if (spec.under != SpeechUnder::kMel) return;
  layout.audio_colorbar = {x, layout.audio.y, ColorbarWidth(style), layout.audio.height};
  const ColorScale& mel = plan.mel_scale;
  PlaceColorbar({mel.colormap, mel.vmin, mel.vmax, mel.norm, {}, {}}, layout.audio_colorbar, style,
                shaper, plan.parts, "log-mel");
}

// Panels, axes and colorbars with the attention's top-left corner at the origin.
void Arrange(const SpeechSpec& spec, double width, double row, const TextShaper& shaper,
             SpeechPlan& plan) {
  SpeechLayout& layout = plan.layout;
  const FigureStyle& style = plan.style;
  plan.parts = {};
  layout.attention = {0, 0, width, row * static_cast<double>(spec.attention.rows)};
  layout.audio = {0, layout.attention.bottom() + style.gap, width, AudioHeight(spec)};
  plan.parts.AddFrame(layout.attention);
  plan.parts.AddFrame(layout.audio);
  AxisSpec tokens{AxisSide::kLeft, spec.attention.rows, &spec.tokens, "", 0};
  layout.token_label_step =
      PlaceAxis(tokens, layout.attention, row, style, shaper, plan.parts).step;
  if (spec.under == SpeechUnder::kMel) {
    PlaceMelAxis(spec, layout.audio, style, shaper, plan.parts);
  } else {
    PlaceWaveformAxis(spec, layout.audio, style, shaper, plan.parts);
  }
  const double left = std::min(plan.parts.Bounds().x, -style.tick_length);
  const std::string token_title =
      spec.tokens.empty() ? spec.token_axis_title
                          : TitleWithThinnedNote(spec.token_axis_title, layout.token_label_step);
  PlaceLeftTitle(token_title, left, layout.attention, style, shaper, plan.parts);
  PlaceLeftTitle(spec.under == SpeechUnder::kMel ? spec.mel_axis_title : "amplitude", left,
                 layout.audio, style, shaper, plan.parts);
  PlaceTimeAxis(spec, layout, style, shaper, plan.parts);
  PlaceColorbars(spec, plan, shaper);
}

Rect ContentBounds(const SpeechPlan& plan) {
  const SpeechLayout& layout = plan.layout;
  return plan.parts.Bounds()
      .United(layout.attention)
      .United(layout.audio)
      .United(layout.colorbar)
      .United(layout.audio_colorbar);
}

std::optional<TextBlock> ShapeTitle(const SpeechSpec& spec, double max_width,
                                    const FigureStyle& style, const TextShaper& shaper) {
  if (spec.title.empty()) return std::nullopt;
  return ShapeFigureTitle(spec.title, style.title, max_width, kMaxTitleLines, shaper);
}

double TitleHeight(const std::optional<TextBlock>& title, const FigureStyle& style) {
  return title ? title->logical().height + 0.5 * style.gap : 0;
}

// The plot width and token row height that fill a fixed page, from a first arrangement.
void FitFixedSize(const SpeechSpec& spec, const RenderOptions& options, const TextShaper& shaper,
                  double& width, double& row, SpeechPlan& plan) {
  const FigureStyle& style = plan.style;
  Arrange(spec, width, row, shaper, plan);
  Rect content = ContentBounds(plan);
  if (options.width_pt > 0) width = options.width_pt - 2 * style.margin - (content.width - width);
  if (options.height_pt > 0) {
    double title = TitleHeight(
        ShapeTitle(spec, options.width_pt > 0 ? options.width_pt : content.width, style, shaper),
        style);
    double heatmap = plan.layout.attention.height;
    heatmap = options.height_pt - 2 * style.margin - title - (content.height - heatmap);
    row = heatmap / static_cast<double>(spec.attention.rows);
  }
  if (!(width > 0) || !(row > 0)) {
    ThrowUsageError("a figure of " + Number(options.width_pt) + " x " + Number(options.height_pt) +
                    " pt has no room left for the speech plot beside its labels and colorbars");
  }
}

void MoveContent(double dx, double dy, double pixels_per_point, SpeechPlan& plan) {
  dx = std::round(dx * pixels_per_point) / pixels_per_point;
  dy = std::round(dy * pixels_per_point) / pixels_per_point;
  plan.parts.Translate(dx, dy);
  SpeechLayout& layout = plan.layout;
  for (Rect* rect : {&layout.attention, &layout.audio, &layout.colorbar, &layout.audio_colorbar}) {
    if (!rect->empty()) *rect = rect->Translated(dx, dy);
  }
}

// The page around the content, with the title centred over the plot but inside the margins.
void Compose(const SpeechSpec& spec, const RenderOptions& options, const TextShaper& shaper,
             SpeechPlan& plan) {
  const FigureStyle& style = plan.style;
  Rect content = ContentBounds(plan);
  double max_title = options.width_pt > 0 ? options.width_pt - 2 * style.margin
                                          : std::max(content.width, kMinTitleWidthEm * style.em);
  std::optional<TextBlock> title = ShapeTitle(spec, max_title, style, shaper);
  double title_height = TitleHeight(title, style);
  double title_width = title ? title->logical().width : 0;
  Size page{std::max(content.width, title_width) + 2 * style.margin,
            content.height + title_height + 2 * style.margin};
  if (options.width_pt > 0) page.width = options.width_pt;
  if (options.height_pt > 0) page.height = options.height_pt;
  MoveContent((page.width - content.width) / 2 - content.x, style.margin + title_height - content.y,
              options.dpi / 72, plan);
  plan.layout.page = page;
  if (!title) return;
  double half = title->logical().width / 2;
  double x = std::clamp(plan.layout.attention.center().x, style.margin + half,
                        std::max(style.margin + half, page.width - style.margin - half));
  plan.parts.AddText({std::move(*title), {{x, style.margin}, HAlign::kCenter, VAlign::kTop, 0}});
}

SpeechPlan PlanSpeech(const SpeechSpec& spec, const RenderOptions& options,
                      const TextShaper& shaper) {
  ValidateRenderOptions(options);
  ValidateSpec(spec);
  SpeechPlan plan;
  plan.style = MakeFigureStyle(options.font, options.font_size, shaper, options.theme);
  ValueRange range;
  if (LimitsFromData(spec.scale)) range.Add(spec.attention);
  plan.scale = ResolveColorScale(spec.scale, range);
  if (spec.under == SpeechUnder::kMel) plan.mel_scale = MelScale(spec);
  double width = kPlotWidth, row = AutoRowHeight(spec, plan.style);
  if (options.width_pt > 0 || options.height_pt > 0) {
    FitFixedSize(spec, options, shaper, width, row, plan);
  }
  Arrange(spec, width, row, shaper, plan);
  Compose(spec, options, shaper, plan);
  plan.layout.text_bounds = plan.parts.TextBounds();
  return plan;
}

// The spectrogram upside down for drawing: the lowest band at the bottom.
Matrix HighBandsFirst(const Matrix& mel) {
  Matrix flipped(mel.rows, mel.cols, std::vector<float>(mel.values.size()));
  for (int64_t band = 0; band < mel.rows; ++band) {
    std::copy_n(&mel.values[band * mel.cols], mel.cols,
                &flipped.values[(mel.rows - 1 - band) * mel.cols]);
  }
  return flipped;
}

// The part of `panel` from 0 s to `seconds` (at most the whole panel).
Rect Span(const Rect& panel, double seconds, double axis_seconds) {
  return {panel.x, panel.y, panel.width * std::min(1.0, seconds / axis_seconds), panel.height};
}

// The spectrogram; the panel's rest (after the last whole hop) in the colour of silence.
void DrawMel(Canvas& canvas, const SpeechSpec& spec, const SpeechPlan& plan) {
  const Rect& panel = plan.layout.audio;
  cairo_t* cr = canvas.cr();
  SetSourceColor(cr, plan.mel_scale.colormap->colors.front());
  cairo_rectangle(cr, panel.x, panel.y, panel.width, panel.height);
  cairo_fill(cr);
  CellColoring coloring;
  coloring.scale = plan.mel_scale;
  coloring.pooling = Pooling::kMean;
  Rect area = Span(plan.layout.audio, spec.mel.cols * spec.mel_seconds, spec.seconds);
  PaintCells(canvas, HighBandsFirst(spec.mel), coloring, area);
}

// The waveform as its envelope: the lowest and highest sample under each column of pixels (or
// half point in the vector formats), filled.
void DrawWaveform(Canvas& canvas, const SpeechSpec& spec, const SpeechPlan& plan) {
  const Rect& panel = plan.layout.audio;
  const double duration = static_cast<double>(spec.waveform.size()) / spec.sample_rate;
  const Rect area = Span(panel, duration, spec.seconds);
  const double per_point = canvas.format() == ImageFormat::kPng ? canvas.pixels_per_point() : 2;
  const int columns = std::max(1, static_cast<int>(std::ceil(area.width * per_point)));
  const double half = WaveformScale(spec), samples = static_cast<double>(spec.waveform.size());
  std::vector<Point> upper, lower;
  for (int column = 0; column < columns; ++column) {
    size_t first = static_cast<size_t>(samples * column / columns);
    size_t last = std::max(first + 1, static_cast<size_t>(samples * (column + 1) / columns));
    auto [low, high] =
        std::minmax_element(spec.waveform.begin() + first,
                            spec.waveform.begin() + std::min<size_t>(last, spec.waveform.size()));
    double x = area.x + area.width * (column + 0.5) / columns;
    upper.push_back({x, panel.center().y - *high / half * panel.height / 2});
    lower.push_back({x, panel.center().y - *low / half * panel.height / 2});
  }
  cairo_t* cr = canvas.cr();
  cairo_save(cr);
  SetSourceColor(cr, plan.style.palette.ink);
  cairo_set_line_width(cr, 0.5 / per_point);
  cairo_move_to(cr, upper.front().x, upper.front().y);
  for (const Point& p : upper) cairo_line_to(cr, p.x, p.y);
  for (auto p = lower.rbegin(); p != lower.rend(); ++p) cairo_line_to(cr, p->x, p->y);
  cairo_close_path(cr);
  cairo_fill_preserve(cr);
  cairo_stroke(cr);  // a silent stretch still shows as a line
  cairo_restore(cr);
}

void SetPathColor(cairo_t* cr, double alpha) {
  cairo_set_source_rgba(cr, kPathColor.r / 255.0, kPathColor.g / 255.0, kPathColor.b / 255.0,
                        alpha);
}

// The path through the attention's cells, centre to centre.
void DrawPath(cairo_t* cr, const SpeechSpec& spec, const Rect& panel) {
  if (spec.path.empty()) return;
  const double cell_width = panel.width * spec.frame_seconds / spec.seconds;
  const double row = panel.height / static_cast<double>(spec.attention.rows);
  cairo_save(cr);
  cairo_rectangle(cr, panel.x, panel.y, panel.width, panel.height);
  cairo_clip(cr);
  for (const auto& [token, frame] : spec.path) {
    cairo_line_to(cr, panel.x + (static_cast<double>(frame) + 0.5) * cell_width,
                  panel.y + (static_cast<double>(token) + 0.5) * row);
  }
  SetPathColor(cr, 1);
  cairo_set_line_width(cr, kPathWidth);
  cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
  cairo_stroke(cr);
  cairo_restore(cr);
}

void DrawBoundaries(cairo_t* cr, const SpeechSpec& spec, const Rect& panel) {
  if (spec.boundaries.empty()) return;
  cairo_save(cr);
  for (double seconds : spec.boundaries) {
    if (!(seconds >= 0 && seconds <= spec.seconds)) continue;
    double x = panel.x + seconds / spec.seconds * panel.width;
    cairo_move_to(cr, x, panel.y);
    cairo_line_to(cr, x, panel.bottom());
  }
  SetPathColor(cr, kBoundaryAlpha);
  cairo_set_line_width(cr, kBoundaryWidth);
  cairo_stroke(cr);
  cairo_restore(cr);
}

}  // namespace

SpeechLayout LayoutSpeech(const SpeechSpec& spec, const RenderOptions& options) {
  return PlanSpeech(spec, options, SharedTextShaper()).layout;
}

std::string RenderSpeech(const SpeechSpec& spec, ImageFormat format, const RenderOptions& options) {
  const SpeechPlan plan = PlanSpeech(spec, options, SharedTextShaper());
  const SpeechLayout& layout = plan.layout;
  CanvasSettings settings{options.dpi,         options.png_compression, spec.title,
                          options.transparent, plan.style.palette.page, options.threads};
  settings.svg_text = options.svg_text;
  Canvas canvas(format, layout.page, settings);
  CellColoring coloring{plan.scale, Pooling::kMax, plan.style.palette.masked_fill,
                        plan.style.palette.masked_hatch, plan.style.hatch_spacing};
  PaintCells(canvas, spec.attention, coloring, layout.attention);
  if (spec.under == SpeechUnder::kMel) {
    DrawMel(canvas, spec, plan);
    PaintColorbar(canvas, *plan.mel_scale.colormap, layout.audio_colorbar);
  } else {
    DrawWaveform(canvas, spec, plan);
  }
  PaintColorbar(canvas, *plan.scale.colormap, layout.colorbar);
  DrawPath(canvas.cr(), spec, layout.attention);
  DrawBoundaries(canvas.cr(), spec, layout.audio);
  plan.parts.Draw(canvas.cr(), plan.style.palette.ink);
  return canvas.Finish();
}

}  // namespace attnviz
