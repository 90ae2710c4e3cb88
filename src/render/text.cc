// Pango shaping with fixed font options, and placement of text blocks on the page.
#include "text.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <utility>

#include "svg_text.h"

namespace attnviz {
namespace {

Rect RectFromPango(const PangoRectangle& r) {
  return {static_cast<double>(r.x) / PANGO_SCALE, static_cast<double>(r.y) / PANGO_SCALE,
          static_cast<double>(r.width) / PANGO_SCALE, static_cast<double>(r.height) / PANGO_SCALE};
}

// Tokens can hold anything; a label must stay one readable line.
std::string PrintableText(std::string_view text) {
  gchar* valid = g_utf8_make_valid(text.data(), static_cast<gssize>(text.size()));
  std::string printable;
  for (const char* c = valid; *c; ++c) {
    unsigned char byte = static_cast<unsigned char>(*c);
    if (byte == '\n') {
      printable += "\\n";
    } else if (byte == '\t') {
      printable += "\\t";
    } else if (byte == '\r') {
      printable += "\\r";
    } else if (byte < 0x20 || byte == 0x7f) {
      std::array<char, 8> escape;
      std::snprintf(escape.data(), escape.size(), "\\x%02x", byte);
      printable += escape.data();
    } else {
      printable += *c;
    }
  }
  g_free(valid);
  return printable;
}

PangoFontDescription* FontDescription(const TextStyle& style) {
  PangoFontDescription* font = pango_font_description_from_string(style.font.c_str());
  pango_font_description_set_size(font, static_cast<gint>(std::lround(style.size * PANGO_SCALE)));
  pango_font_description_set_weight(font, style.bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
  return font;
}

// The point of the logical rectangle that `placement` puts on its anchor.
Point AlignmentOffset(const Rect& logical, const TextPlacement& placement) {
  double x = placement.h == HAlign::kLeft     ? 0
             : placement.h == HAlign::kCenter ? logical.width / 2
                                              : logical.width;
  double y = placement.v == VAlign::kTop      ? 0
             : placement.v == VAlign::kMiddle ? logical.height / 2
                                              : logical.height;
  return {x, y};
}

}  // namespace

TextBlock::TextBlock(PangoLayout* layout) : layout_(layout) {
  PangoRectangle ink, logical;
  pango_layout_get_extents(layout_, &ink, &logical);
  logical_ = RectFromPango(logical);
  ink_ = RectFromPango(ink).Translated(-logical_.x, -logical_.y);
  logical_ = {0, 0, logical_.width, logical_.height};
}

TextBlock::TextBlock(TextBlock&& other) noexcept
    : layout_(std::exchange(other.layout_, nullptr)), logical_(other.logical_), ink_(other.ink_) {}

TextBlock& TextBlock::operator=(TextBlock&& other) noexcept {
  std::swap(layout_, other.layout_);
  std::swap(logical_, other.logical_);
  std::swap(ink_, other.ink_);
  return *this;
}

TextBlock::~TextBlock() {
  if (layout_) g_object_unref(layout_);
}

void TextBlock::Draw(cairo_t* cr, HAlign anchor) const {
  if (SvgTextRecorder* recorder = SvgTextRecorderOf(cr)) {
    recorder->Draw(cr, layout_, logical_, anchor);
    return;
  }
  PangoRectangle logical;
  pango_layout_get_extents(layout_, nullptr, &logical);
  cairo_move_to(cr, -static_cast<double>(logical.x) / PANGO_SCALE,
                -static_cast<double>(logical.y) / PANGO_SCALE);
  pango_cairo_show_layout(cr, layout_);
}

TextShaper::TextShaper()
    : context_(pango_font_map_create_context(pango_cairo_font_map_get_default())) {
  cairo_font_options_t* options = cairo_font_options_create();
  cairo_font_options_set_hint_style(options, CAIRO_HINT_STYLE_NONE);
  cairo_font_options_set_hint_metrics(options, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_antialias(options, CAIRO_ANTIALIAS_GRAY);
  pango_cairo_context_set_font_options(context_, options);
  cairo_font_options_destroy(options);
  pango_cairo_context_set_resolution(context_, 72);
  pango_context_set_round_glyph_positions(context_, FALSE);
}

TextShaper::~TextShaper() {
  ForgetShaped();
  g_object_unref(context_);
}

void TextShaper::ForgetShaped() const {
  for (auto& [key, layout] : shaped_) g_object_unref(layout);
  shaped_.clear();
}

TextBlock TextShaper::Shape(std::string_view text, const TextStyle& style, double max_width,
                            int max_lines) const {
  constexpr size_t kMaxShaped = 4096;
  char shape[96];
  std::snprintf(shape, sizeof shape, "%a %d %a %d|", style.size, style.bold ? 1 : 0, max_width,
                max_lines);
  std::string key = std::string(shape) + style.font + '|';
  key.append(text);
  auto found = shaped_.find(key);
  if (found == shaped_.end()) {
    if (shaped_.size() >= kMaxShaped) ForgetShaped();
    found = shaped_.emplace(std::move(key), NewLayout(text, style, max_width, max_lines)).first;
  }
  return TextBlock(static_cast<PangoLayout*>(g_object_ref(found->second)));
}

PangoLayout* TextShaper::NewLayout(std::string_view text, const TextStyle& style, double max_width,
                                   int max_lines) const {
  PangoLayout* layout = pango_layout_new(context_);
  PangoFontDescription* font = FontDescription(style);
  pango_layout_set_font_description(layout, font);
  pango_font_description_free(font);
  pango_layout_set_single_paragraph_mode(layout, TRUE);
  if (max_width > 0) {
    pango_layout_set_width(layout, static_cast<int>(max_width * PANGO_SCALE));
    pango_layout_set_ellipsize(layout, PANGO_ELLIPSIZE_END);
    pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_height(layout, -std::max(max_lines, 1));  // negative: a line count
    pango_layout_set_alignment(layout, PANGO_ALIGN_CENTER);
  }
  std::string printable = PrintableText(text);
  pango_layout_set_text(layout, printable.data(), static_cast<int>(printable.size()));
  return layout;
}

const TextShaper& SharedTextShaper() {
  thread_local TextShaper shaper;
  return shaper;
}

Rect PlacedText::Bounds() const {
  Rect box = block.logical().United(block.ink());
  std::array<Point, 4> corners = {ToPage({box.x, box.y}), ToPage({box.right(), box.y}),
                                  ToPage({box.x, box.bottom()}),
                                  ToPage({box.right(), box.bottom()})};
  auto [left, right] = std::minmax({corners[0].x, corners[1].x, corners[2].x, corners[3].x});
  auto [top, bottom] = std::minmax({corners[0].y, corners[1].y, corners[2].y, corners[3].y});
  return {left, top, right - left, bottom - top};
}

Point PlacedText::ToPage(Point point) const {
  Point offset = AlignmentOffset(block.logical(), placement);
  double x = point.x - offset.x, y = point.y - offset.y;
  double c = std::cos(placement.angle), s = std::sin(placement.angle);
  // Counterclockwise on a y-down page: x' = x cos + y sin, y' = -x sin + y cos.
  return {placement.anchor.x + x * c + y * s, placement.anchor.y - x * s + y * c};
}

void PlacedText::Draw(cairo_t* cr) const {
  Point offset = AlignmentOffset(block.logical(), placement);
  cairo_save(cr);
  cairo_translate(cr, placement.anchor.x, placement.anchor.y);
  cairo_rotate(cr, -placement.angle);
  cairo_translate(cr, -offset.x, -offset.y);
  block.Draw(cr, placement.h);
  cairo_restore(cr);
}

}  // namespace attnviz
