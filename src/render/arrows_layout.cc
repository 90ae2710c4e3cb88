// Arrows layout: both token columns (or rows) spread over one length, labels shrunk, the figure
// grown, and only then thinned when they would collide; lines' anchors, and the legend to the
// right.
#include "arrows_layout.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <optional>
#include <string>
#include <utility>

#include "arrows_lines.h"
#include "attnviz/error.h"
#include "attnviz/number_text.h"
#include "attnviz/render/ticks.h"
#include "axis_labels.h"
#include "figure_title.h"

namespace attnviz {
namespace {

constexpr double kPitchScale = 1.25;      // tokens a label line and a quarter apart
constexpr double kMaxTokenExtent = 720;   // 10 in: beyond this, labels shrink to kMinLabelSize
constexpr double kMaxGrownExtent = 1440;  // 20 in: then the columns grow to this, then thin
constexpr double kMaxIndexExtent = 468;   // 6.5 in without tokens
constexpr double kMinTitleWidthEm = 24;
constexpr int kMaxTitleLines = 3;  // long model names, head lists and a sentence pair

// One column (or row) of tokens: queries or keys.
struct Side {
  const std::vector<std::string>* tokens;
  int64_t count;
  int64_t first_index;
  int64_t split;
  const std::string* title;

  bool has_tokens() const { return !tokens->empty(); }
  std::string Label(int64_t i) const {
    return has_tokens() ? (*tokens)[i] : std::to_string(first_index + i);
  }
  // Tokens are labelled from the first; indices on round numbers.
  bool Labelled(int64_t i, int64_t step) const {
    return has_tokens() ? i % step == 0 : (first_index + i) % step == 0;
  }
};

Side QuerySide(const ArrowsSpec& spec) {
  return {&spec.query_tokens, spec.heads[0].weights.rows, spec.first_query_index, spec.query_split,
          &spec.query_title};
}

Side KeySide(const ArrowsSpec& spec) {
  return {&spec.key_tokens, spec.heads[0].weights.cols, spec.first_key_index, spec.key_split,
          &spec.key_title};
}

void ValidateHeads(const ArrowsSpec& spec) {
  if (spec.heads.empty()) ThrowUsageError("an arrows figure needs at least one head");
  if (spec.heads.size() > static_cast<size_t>(kMaxArrowsHeads)) {
    ThrowUsageError(std::to_string(spec.heads.size()) + " heads in one arrows figure; at most " +
                    std::to_string(kMaxArrowsHeads) + " have distinct colours");
  }
  const Matrix& first = spec.heads[0].weights;
  if (first.rows < 1 || first.cols < 1 ||
      static_cast<int64_t>(first.values.size()) != first.rows * first.cols) {
    ThrowUsageError("the arrows weights are empty or do not fill " + std::to_string(first.rows) +
                    " x " + std::to_string(first.cols));
  }
  for (const ArrowsHead& head : spec.heads) {
    if (head.weights.rows != first.rows || head.weights.cols != first.cols ||
        head.weights.values.size() != first.values.size()) {
      ThrowUsageError("head \"" + head.name + "\" is " + std::to_string(head.weights.rows) + " x " +
                      std::to_string(head.weights.cols) + ", the first head " +
                      std::to_string(first.rows) + " x " + std::to_string(first.cols));
    }
  }
}

// `noun` and `plural`: "query", "queries".
void ValidateSide(const Side& side, const char* noun, const char* plural) {
  if (side.has_tokens() && static_cast<int64_t>(side.tokens->size()) != side.count) {
    ThrowUsageError(std::to_string(side.tokens->size()) + " " + noun + " tokens for " +
                    std::to_string(side.count) + " " + plural);
  }
  if (side.split < 0 || side.split >= side.count) {
    ThrowUsageError(std::string("a split before ") + noun + " " + std::to_string(side.split) +
                    " is outside 1.." + std::to_string(side.count - 1));
  }
}

void Validate(const ArrowsSpec& spec) {
  ValidateHeads(spec);
  ValidateSide(QuerySide(spec), "query", "queries");
  ValidateSide(KeySide(spec), "key", "keys");
  if (spec.top_k < 0 || spec.max_lines < 0 || !(spec.min_weight >= 0)) {
    ThrowUsageError("top-k, max-lines and min-weight must not be negative");
  }
  if (spec.vmax && !(*spec.vmax > 0 && std::isfinite(*spec.vmax))) {
    ThrowUsageError("vmax " + Number(*spec.vmax) + " must be a positive number");
  }
}

// Where the tokens of `side` sit along a column of `length`, with `gap` before its split.
std::vector<double> Positions(const Side& side, double length, double gap) {
  bool split = side.split > 0;
  double pitch = (length - (split ? gap : 0)) / static_cast<double>(side.count);
  std::vector<double> positions;
  for (int64_t i = 0; i < side.count; ++i) {
    positions.push_back((static_cast<double>(i) + 0.5) * pitch +
                        (split && i >= side.split ? gap : 0));
  }
  return positions;
}

double Pitch(const Side& side, double length, double gap) {
  return (length - (side.split > 0 ? gap : 0)) / static_cast<double>(side.count);
}

double LabelWidth(const Side& side, int64_t i, const FigureStyle& style, const TextShaper& shaper) {
  return shaper.Shape(side.Label(i), style.label, style.max_label_width).logical().width;
}

// The pitch at which a row's labels, centred and upright, keep half an em between neighbours.
double UprightPitch(const Side& side, const FigureStyle& style, const TextShaper& shaper) {
  double pitch = 0, previous = 0;
  for (int64_t i = 0; i < side.count; ++i) {
    double width = LabelWidth(side, i, style, shaper);
    if (i > 0) pitch = std::max(pitch, (previous + width) / 2);
    previous = width;
  }
  return pitch + 0.5 * style.em;
}

// How a side's labels are set: in which type, every `step`-th, rotated or not.
struct LabelSetting {
  TextStyle label;
  int64_t step = 1;
  bool rotated = false;
};

// The labels of a side whose labels stack across the axis (vertical columns, rotated rows):
// tokens shrunk to fit `pitch` (then thinned), indices on round steps.
LabelSetting StackedSetting(const Side& side, double pitch, const FigureStyle& style,
                            const TextShaper& shaper, bool rotated) {
  if (side.has_tokens()) {
    TokenLabelFit fit = FitTokenLabels(pitch, style, shaper);
    return {fit.label, fit.step, rotated};
  }
  AxisSpec axis{AxisSide::kLeft, side.count, side.tokens, "", side.first_index};
  return {style.label, LabelStep(axis, pitch, LabelPitch(axis, style, shaper)), rotated};
}

// The length both columns share, the gap at a split, and where lines run.
struct Frame {
  double length = 0;
  double gap = 0;
  double span = 0;  // the distance lines cross, between the two columns (or rows)
};

bool HasTokens(const ArrowsSpec& spec) {
  return QuerySide(spec).has_tokens() || KeySide(spec).has_tokens();
}

// Tokens `pitch` apart, over at most `max_extent` (else the index cap when there are no tokens).
Frame MakeFrame(const ArrowsSpec& spec, double pitch, const FigureStyle& style,
                double max_extent = kMaxTokenExtent) {
  Side queries = QuerySide(spec), keys = KeySide(spec);
  double count = static_cast<double>(std::max(queries.count, keys.count));
  Frame frame;
  frame.length = std::min(count * pitch, HasTokens(spec) ? max_extent : kMaxIndexExtent);
  if (queries.split > 0 || keys.split > 0) {
    frame.gap = std::max(frame.length / count, style.gap);
    frame.length += frame.gap;
  }
  frame.span = spec.horizontal ? std::clamp(0.35 * frame.length, 8 * style.em, 16 * style.em)
                               : std::clamp(0.5 * frame.length, 12 * style.em, 30 * style.em);
  return frame;
}

// How a side's labels hang off its anchors: the tick's far end and the label's anchor, both
// relative to the token's anchor, and the label's alignment.
struct LabelEdge {
  Point tick;
  Point offset;
  HAlign h;
  VAlign v;
  double angle = 0;
};

// The anchors of a side along a column (x = across) or a row (y = across).
std::vector<Point> Anchors(const Side& side, const Frame& frame, double across, bool along_x) {
  std::vector<Point> anchors;
  for (double along : Positions(side, frame.length, frame.gap)) {
    anchors.push_back(along_x ? Point{along, across} : Point{across, along});
  }
  return anchors;
}

// The smallest distance between neighbouring tokens of one side.
double SmallestPitch(const std::vector<Point>& anchors, bool along_x) {
  double pitch = INFINITY;
  for (size_t i = 1; i < anchors.size(); ++i) {
    pitch = std::min(pitch,
                     along_x ? anchors[i].x - anchors[i - 1].x : anchors[i].y - anchors[i - 1].y);
  }
  return pitch;
}

// The strongest lines are a quarter of the tokens' pitch wide, between 0.75 pt and a quarter em:
// dense columns keep their lines apart, sparse ones get lines that read from afar.
double MaxLineWidth(double pitch, const FigureStyle& style) {
  if (!std::isfinite(pitch)) pitch = kPitchScale * style.line_height;  // one token a side
  return std::clamp(0.25 * pitch, 0.75, 0.25 * style.em);
}

class ArrowsLayouter {
 public:
  ArrowsLayouter(const ArrowsSpec& spec, const TextShaper& shaper, ArrowsPlan& plan)
      : spec_(spec), shaper_(shaper), plan_(plan), style_(plan.style) {}

  void Place() {
    Side queries = QuerySide(spec_), keys = KeySide(spec_);
    if (spec_.horizontal) {
      PlaceRows(queries, keys);
    } else {
      PlaceColumns(queries, keys);
    }
    PlaceLegend();
    Compose();
  }

 private:
  double Pad() const { return style_.tick_length + style_.tick_pad; }

  // Labels every `step`-th token; ticks mark them when not every token has a label.
  void PlaceLabels(const Side& side, const std::vector<Point>& anchors, const LabelSetting& setting,
                   const LabelEdge& edge) {
    for (int64_t i = 0; i < side.count; ++i) {
      if (!side.Labelled(i, setting.step)) continue;
      Point at = anchors[i];
      if (setting.step > 1) plan_.parts.AddTick(at, {at.x + edge.tick.x, at.y + edge.tick.y});
      TextPlacement placement{
          {at.x + edge.offset.x, at.y + edge.offset.y}, edge.h, edge.v, edge.angle};
      plan_.parts.AddText(
          {shaper_.Shape(side.Label(i), setting.label, style_.max_label_width), placement});
    }
  }

  // Both sides' stacked labels at `frame`'s pitch: the query side's setting, then the key side's.
  std::pair<LabelSetting, LabelSetting> StackedSettings(const Side& queries, const Side& keys,
                                                        const Frame& frame, bool rotated) const {
    return {
        StackedSetting(queries, Pitch(queries, frame.length, frame.gap), style_, shaper_, rotated),
        StackedSetting(keys, Pitch(keys, frame.length, frame.gap), style_, shaper_, rotated)};
  }

  // Token labels that do not fit even at the smallest size grow the columns, when up to
  // kMaxGrownExtent holds every one of them; else the columns keep their length and are thinned.
  Frame GrownFrame(const Frame& frame,
                   const std::pair<LabelSetting, LabelSetting>& settings) const {
    bool thinned = (QuerySide(spec_).has_tokens() && settings.first.step > 1) ||
                   (KeySide(spec_).has_tokens() && settings.second.step > 1);
    if (!thinned) return frame;
    Frame grown = MakeFrame(spec_, SmallestLabelLineHeight(style_, shaper_), style_, INFINITY);
    return grown.length <= kMaxGrownExtent ? grown : frame;
  }

  // The label of a side as it says when thinned: "query (every 2nd token labelled)".
  std::string SideTitle(const Side& side, const LabelSetting& setting) const {
    return side.has_tokens() ? TitleWithThinnedNote(*side.title, setting.step) : *side.title;
  }

  void PlaceColumns(const Side& queries, const Side& keys) {
    Frame frame = MakeFrame(spec_, kPitchScale * style_.line_height, style_);
    frame = GrownFrame(frame, StackedSettings(queries, keys, frame, false));
    auto [left, right] = StackedSettings(queries, keys, frame, false);
    ArrowsLayout& layout = plan_.layout;
    layout.query_anchors = Anchors(queries, frame, 0, false);
    layout.key_anchors = Anchors(keys, frame, frame.span, false);
    Record(left, right);
    double tick = style_.tick_length;
    PlaceLabels(queries, layout.query_anchors, left,
                {{-tick, 0}, {-Pad(), 0}, HAlign::kRight, VAlign::kMiddle});
    PlaceLabels(keys, layout.key_anchors, right,
                {{tick, 0}, {Pad(), 0}, HAlign::kLeft, VAlign::kMiddle});
    double top = std::min(0.0, plan_.parts.Bounds().y) - 0.5 * style_.gap;
    AddTitle(SideTitle(queries, left), {{-Pad(), top}, HAlign::kRight, VAlign::kBottom, 0});
    AddTitle(SideTitle(keys, right),
             {{frame.span + Pad(), top}, HAlign::kLeft, VAlign::kBottom, 0});
  }

  void Record(const LabelSetting& queries, const LabelSetting& keys) {
    ArrowsLayout& layout = plan_.layout;
    layout.query_label_step = queries.step;
    layout.key_label_step = keys.step;
    layout.query_label_size = queries.label.size;
    layout.key_label_size = keys.label.size;
    double pitch = std::min(SmallestPitch(layout.query_anchors, spec_.horizontal),
                            SmallestPitch(layout.key_anchors, spec_.horizontal));
    layout.max_line_width = MaxLineWidth(pitch, style_);
  }

  // A row's labels: upright when neighbours fit side by side, else rotated (shrunk, thinned).
  LabelSetting RowSetting(const Side& side, double pitch) const {
    if (!side.has_tokens()) {
      AxisSpec axis{AxisSide::kBottom, side.count, side.tokens, "", side.first_index};
      return {style_.label, LabelStep(axis, pitch, LabelPitch(axis, style_, shaper_)), false};
    }
    if (UprightPitch(side, style_, shaper_) <= pitch) return {style_.label, 1, false};
    return StackedSetting(side, pitch, style_, shaper_, true);
  }

  std::pair<LabelSetting, LabelSetting> RowSettings(const Side& queries, const Side& keys,
                                                    const Frame& frame) const {
    return {RowSetting(queries, Pitch(queries, frame.length, frame.gap)),
            RowSetting(keys, Pitch(keys, frame.length, frame.gap))};
  }

  // Labels above the top row (sign -1) or below the bottom row (+1), reading upwards if rotated.
  LabelEdge RowEdge(const LabelSetting& setting, double sign) const {
    Point tick{0, sign * style_.tick_length}, offset{0, sign * Pad()};
    if (setting.rotated) {
      return {tick, offset, sign < 0 ? HAlign::kLeft : HAlign::kRight, VAlign::kMiddle,
              std::numbers::pi / 2};
    }
    return {tick, offset, HAlign::kCenter, sign < 0 ? VAlign::kBottom : VAlign::kTop};
  }

  void PlaceRows(const Side& queries, const Side& keys) {
    double pitch =
        std::max({kPitchScale * style_.line_height, UprightPitch(queries, style_, shaper_),
                  UprightPitch(keys, style_, shaper_)});
    Frame frame = MakeFrame(spec_, pitch, style_);
    frame = GrownFrame(frame, RowSettings(queries, keys, frame));
    auto [top, bottom] = RowSettings(queries, keys, frame);
    ArrowsLayout& layout = plan_.layout;
    layout.query_anchors = Anchors(queries, frame, 0, true);
    layout.key_anchors = Anchors(keys, frame, frame.span, true);
    Record(top, bottom);
    PlaceLabels(queries, layout.query_anchors, top, RowEdge(top, -1));
    PlaceLabels(keys, layout.key_anchors, bottom, RowEdge(bottom, 1));
    double left = std::min(0.0, plan_.parts.Bounds().x) - style_.gap;
    AddTitle(SideTitle(queries, top), {{left, 0}, HAlign::kRight, VAlign::kMiddle, 0});
    AddTitle(SideTitle(keys, bottom), {{left, frame.span}, HAlign::kRight, VAlign::kMiddle, 0});
  }

  // A column's title: "query", or with the thinned-labels note, up to 30 em.
  void AddTitle(const std::string& title, TextPlacement placement) {
    if (title.empty()) return;
    plan_.parts.AddText(
        {shaper_.Shape(title, style_.axis_title, 3 * style_.max_label_width), placement});
  }

  Rect Content() const {
    Rect bounds = plan_.parts.Bounds();
    for (const Point& p : plan_.layout.query_anchors)
      bounds = bounds.United({p.x, p.y, 1e-9, 1e-9});
    for (const Point& p : plan_.layout.key_anchors) bounds = bounds.United({p.x, p.y, 1e-9, 1e-9});
    for (const Rect& swatch : plan_.layout.legend_swatches) bounds = bounds.United(swatch);
    return bounds;
  }

  // One legend row: a mark `mark_width` wide, then `text`; returns the mark's rectangle.
  Rect LegendRow(double x, double& y, double mark_height, const std::string& text) {
    double row = style_.line_height * 1.2;
    double mark_width = 1.6 * style_.em;
    Rect mark{x, y + (row - mark_height) / 2, mark_width, mark_height};
    plan_.parts.AddText(
        {shaper_.Shape(text, style_.label, style_.max_label_width),
         {{x + mark_width + 0.5 * style_.em, y + row / 2}, HAlign::kLeft, VAlign::kMiddle, 0}});
    y += row;
    return mark;
  }

  void PlaceLegend() {
    Rect content = Content();
    double x = content.right() + 2 * style_.em;
    double y = std::min(0.0, content.y);
    ArrowsLayout& layout = plan_.layout;
    if (spec_.heads.size() > 1) {
      for (size_t h = 0; h < spec_.heads.size(); ++h) {
        layout.legend_swatches.push_back(LegendRow(x, y, 0.6 * style_.em, spec_.heads[h].name));
        plan_.swatch_colors.push_back(ArrowsHeadColor(static_cast<int>(h)));
      }
      y += style_.gap;
    }
    PlaceWeightKey(x, y);
  }

  // "weight" and a few round weights drawn as lines of that weight would be.
  void PlaceWeightKey(double x, double y) {
    const ArrowsLayout& layout = plan_.layout;
    plan_.parts.AddText(
        {shaper_.Shape("weight", style_.label), {{x, y}, HAlign::kLeft, VAlign::kTop, 0}});
    y += style_.line_height * 1.2;
    std::vector<double> ticks = NiceTicks(0, layout.vmax, 5);
    std::vector<std::string> labels = FormatTicks(ticks);
    for (size_t i = 0; i < ticks.size(); ++i) {
      if (!(ticks[i] > 0)) continue;
      Rect mark = LegendRow(x, y, 0, labels[i]);
      plan_.weight_key.push_back(
          {{{mark.x, mark.y}, {mark.right(), mark.y}}, static_cast<float>(ticks[i])});
    }
    plan_.weight_key_color = spec_.heads.size() > 1 ? style_.palette.ink : ArrowsHeadColor(0);
  }

  void Compose() {
    Rect content = Content();
    for (const WeightSample& sample : plan_.weight_key) {
      content = content.United(
          {sample.segment.from.x, sample.segment.from.y - plan_.layout.max_line_width / 2,
           sample.segment.to.x - sample.segment.from.x, plan_.layout.max_line_width});
    }
    std::optional<TextBlock> title;
    double title_height = 0, title_width = 0;
    if (!spec_.title.empty()) {
      double max_width = std::max(content.width, kMinTitleWidthEm * style_.em);
      title = ShapeFigureTitle(spec_.title, style_.title, max_width, kMaxTitleLines, shaper_);
      title_height = title->logical().height + 0.5 * style_.gap;
      title_width = title->logical().width;
    }
    Size page{std::max(content.width, title_width) + 2 * style_.margin,
              content.height + title_height + 2 * style_.margin};
    Translate((page.width - content.width) / 2 - content.x,
              style_.margin + title_height - content.y);
    plan_.layout.page = page;
    if (title) {
      plan_.parts.AddText(
          {std::move(*title), {{page.width / 2, style_.margin}, HAlign::kCenter, VAlign::kTop, 0}});
    }
  }

  void Translate(double dx, double dy) {
    plan_.parts.Translate(dx, dy);
    ArrowsLayout& layout = plan_.layout;
    for (Point& p : layout.query_anchors) p = {p.x + dx, p.y + dy};
    for (Point& p : layout.key_anchors) p = {p.x + dx, p.y + dy};
    for (Rect& swatch : layout.legend_swatches) swatch = swatch.Translated(dx, dy);
    for (WeightSample& sample : plan_.weight_key) {
      sample.segment.from = {sample.segment.from.x + dx, sample.segment.from.y + dy};
      sample.segment.to = {sample.segment.to.x + dx, sample.segment.to.y + dy};
    }
  }

  const ArrowsSpec& spec_;
  const TextShaper& shaper_;
  ArrowsPlan& plan_;
  const FigureStyle& style_;
};

// Heads side by side: a line width apart, all of them within 60% of the tightest pitch.
double HeadSpacing(const ArrowsSpec& spec, const ArrowsLayout& layout) {
  if (spec.heads.size() < 2) return 0;
  double pitch = std::min(SmallestPitch(layout.query_anchors, spec.horizontal),
                          SmallestPitch(layout.key_anchors, spec.horizontal));
  double share = std::isfinite(pitch) ? 0.6 * pitch / static_cast<double>(spec.heads.size())
                                      : layout.max_line_width;
  return std::min(layout.max_line_width, share);
}

}  // namespace

ArrowsPlan PlanArrows(const ArrowsSpec& spec, const RenderOptions& options,
                      const TextShaper& shaper) {
  Validate(spec);
  ArrowsPlan plan;
  plan.style = MakeFigureStyle(options.font, options.font_size, shaper, options.theme);
  ArrowsLayout& layout = plan.layout;
  layout.vmax = spec.vmax.value_or(LargestWeight(spec.heads));
  if (!(layout.vmax > 0)) layout.vmax = 1;  // nothing to draw; the key still reads sensibly
  LineSelection selection = SelectLines(spec, layout.vmax);
  layout.lines = std::move(selection.lines);
  layout.selected_lines = selection.selected;
  layout.nonfinite_weights = selection.nonfinite;
  ArrowsLayouter(spec, shaper, plan).Place();
  layout.head_spacing = HeadSpacing(spec, layout);
  layout.text_bounds = plan.parts.TextBounds();
  return plan;
}

}  // namespace attnviz
