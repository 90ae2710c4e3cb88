// A Cairo page for one figure, finished into PNG, SVG or PDF bytes held in memory.
#pragma once

#include <cairo.h>

#include <memory>
#include <string>

#include "attnviz/png/png_encoder.h"
#include "attnviz/render/colormap.h"
#include "attnviz/render/geometry.h"
#include "attnviz/render/image_format.h"
#include "attnviz/render/render_options.h"

namespace attnviz {

struct CanvasSettings {
  double dpi = 100;          // PNG only: pixels per inch
  int png_compression = 2;   // PNG only: zlib level
  std::string title;         // PDF only: the document title
  bool transparent = false;  // no background: PNG gets an alpha channel
  Rgba background{255, 255, 255, 255};
  int threads = 1;  // PNG only: threads for encoding (the bytes do not depend on them)
  SvgText svg_text = SvgText::kText;  // SVG only: labels as <text> elements or glyph outlines
};

class SvgTextRecorder;

// Drawing happens in points with y down; the page starts in the background colour (or clear).
// A PDF may hold several pages, each its own size. Output is deterministic: PNG
// has no timestamp, PDF dates come from SOURCE_DATE_EPOCH (else 1970-01-01), SVG ids are
// renumbered per document.
class Canvas {
 public:
  // Throws Error(kUsage) when a PNG would exceed Cairo's 32767-pixel side limit.
  Canvas(ImageFormat format, Size page, const CanvasSettings& settings);
  // A figure of size `page` drawn into `area` of `parent`'s current page (a report page): scaled
  // to fit it (up or down, keeping its aspect), centred and clipped to it. `parent` must outlive
  // this canvas, whose Finish() restores the parent's drawing state and returns no bytes.
  Canvas(Canvas& parent, const Rect& area, Size page, const CanvasSettings& settings);
  ~Canvas();
  Canvas(const Canvas&) = delete;
  Canvas& operator=(const Canvas&) = delete;

  cairo_t* cr() const { return cr_; }
  ImageFormat format() const { return format_; }
  Size page() const { return page_; }
  // Device pixels per point: dpi / 72 for PNG, 1 for the vector formats.
  double pixels_per_point() const { return pixels_per_point_; }

  // Ends the current PDF page and starts another of size `page` (Error(kUsage) for PNG or SVG,
  // which hold one figure).
  void NextPage(Size page);

  // Completes the document and returns the file's bytes; call once, after all drawing.
  std::string Finish();

 private:
  void CreateSurface();
  double FitInto(const Rect& area);  // the scale
  void PaintBackground();
  std::string FinishPng();
  std::string FinishVector();

  ImageFormat format_;
  Size page_;
  CanvasSettings settings_;
  double pixels_per_point_ = 1;
  cairo_surface_t* surface_ = nullptr;  // null when drawing into a parent's page
  cairo_t* cr_ = nullptr;
  std::string stream_;                         // the vector formats' bytes as Cairo writes them
  std::unique_ptr<SvgTextRecorder> svg_text_;  // SVG with text as <text>: what was drawn
};

// A Cairo-owned copy of `pixels` (the caller destroys it): PDF and SVG surfaces read a source
// image when the page is emitted, after the caller's buffer may be gone.
cairo_surface_t* CopyToCairoSurface(const ArgbPixelsView& pixels);

// Paints `image` stretched over `area` without smoothing, each pixel a sharp-edged block; in PDF
// that is /Interpolate false.
void PaintPixelated(cairo_t* cr, const ArgbPixelsView& image, const Rect& area);

}  // namespace attnviz
