// Cairo surfaces writing to memory, with deterministic PDF metadata and our own PNG encoder.
#include "canvas.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <sys/mman.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <new>
#include <utility>

#include "attnviz/error.h"
#include "attnviz/png/png_encoder.h"
#include "attnviz/render/cell_raster.h"
#include "svg_cleanup.h"
#include "svg_text.h"

namespace attnviz {
namespace {

constexpr int kCairoMaxPixels = 32767;

const cairo_user_data_key_t kPixelsKey{};

// `bytes` of memory to be freed with std::free; from 2 MB up, in transparent huge pages where the
// kernel offers them: a 1223 x 1193 grid's page took 1,400 page faults, 2 ms, in 4 KB pages.
void* PageMemory(size_t bytes) {
  constexpr size_t kHugePage = size_t{2} << 20;
  if (bytes < kHugePage) {
    void* memory = std::malloc(bytes);
    if (memory == nullptr) throw std::bad_alloc();
    return memory;
  }
  const size_t rounded = (bytes + kHugePage - 1) / kHugePage * kHugePage;
  void* memory = std::aligned_alloc(kHugePage, rounded);
  if (memory == nullptr) throw std::bad_alloc();
  madvise(memory, rounded, MADV_HUGEPAGE);  // advice: 4 KB pages work too
  return memory;
}

// An ARGB32 image surface. Its pixels are left unset when the background will paint every one of
// them: Cairo's own surfaces are zero-filled first, a twentieth of the time of a 776 x 742
// heatmap.
cairo_surface_t* PixelSurface(int width, int height, bool painted_over) {
  if (!painted_over) return cairo_image_surface_create(CAIRO_FORMAT_ARGB32, width, height);
  const int stride = cairo_format_stride_for_width(CAIRO_FORMAT_ARGB32, width);
  auto* pixels = static_cast<unsigned char*>(PageMemory(static_cast<size_t>(stride) * height));
  cairo_surface_t* surface =
      cairo_image_surface_create_for_data(pixels, CAIRO_FORMAT_ARGB32, width, height, stride);
  if (cairo_surface_set_user_data(surface, &kPixelsKey, pixels, std::free) !=
      CAIRO_STATUS_SUCCESS) {
    std::free(pixels);  // the surface is in an error state, which Finish reports
  }
  return surface;
}

cairo_status_t AppendToString(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

int PixelsFor(double points, double pixels_per_point) {
  return static_cast<int>(std::lround(points * pixels_per_point));
}

// The PDF creation date: SOURCE_DATE_EPOCH (reproducible-builds.org) when set, else the epoch,
// because Cairo 1.16 otherwise stamps the wall-clock time.
std::string PdfDate() {
  const char* epoch_text = std::getenv("SOURCE_DATE_EPOCH");
  std::time_t epoch = 0;
  if (epoch_text && *epoch_text) {
    char* end = nullptr;
    long long seconds = std::strtoll(epoch_text, &end, 10);
    if (*end != '\0' || seconds < 0) {
      ThrowUsageError(std::string("SOURCE_DATE_EPOCH is \"") + epoch_text +
                      "\", expected a non-negative number of seconds");
    }
    epoch = static_cast<std::time_t>(seconds);
  }
  std::tm utc{};
  gmtime_r(&epoch, &utc);
  char date[32];
  std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return date;
}

void SetPdfMetadata(cairo_surface_t* surface, const std::string& title) {
  std::string date = PdfDate();
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATE_DATE, date.c_str());
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_MOD_DATE, date.c_str());
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "attnviz");
  if (!title.empty()) {
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, title.c_str());
  }
}

void CheckStatus(cairo_status_t status) {
  if (status != CAIRO_STATUS_SUCCESS) {
    throw Error(ErrorKind::kOutput,
                std::string("drawing the figure failed: ") + cairo_status_to_string(status));
  }
}

}  // namespace

Canvas::Canvas(ImageFormat format, Size page, const CanvasSettings& settings)
    : format_(format), page_(page), settings_(settings) {
  CreateSurface();
  cr_ = cairo_create(surface_);
  cairo_scale(cr_, pixels_per_point_, pixels_per_point_);
  PaintBackground();
}

Canvas::Canvas(Canvas& parent, const Rect& area, Size page, const CanvasSettings& settings)
    : format_(parent.format_), page_(page), settings_(settings) {
  cr_ = cairo_reference(parent.cr_);
  cairo_save(cr_);
  pixels_per_point_ = parent.pixels_per_point_ * FitInto(area);
  PaintBackground();
}

double Canvas::FitInto(const Rect& area) {
  double scale = std::min(area.width / page_.width, area.height / page_.height);
  cairo_translate(cr_, area.x + (area.width - page_.width * scale) / 2,
                  area.y + (area.height - page_.height * scale) / 2);
  cairo_scale(cr_, scale, scale);
  cairo_rectangle(cr_, 0, 0, page_.width, page_.height);
  cairo_clip(cr_);
  return scale;
}

void Canvas::PaintBackground() {
  if (settings_.transparent) return;
  const Rgba& color = settings_.background;
  // An opaque colour on the page's own pixels (PixelSurface, all of them still unset): written
  // word by word, as Cairo would write them, in a fraction of the time Cairo's paint took.
  if (format_ == ImageFormat::kPng && cairo_get_target(cr_) == surface_ && color.a == 255) {
    cairo_surface_flush(surface_);
    auto* pixels = reinterpret_cast<uint32_t*>(cairo_image_surface_get_data(surface_));
    const size_t words = static_cast<size_t>(cairo_image_surface_get_stride(surface_) / 4) *
                         static_cast<size_t>(cairo_image_surface_get_height(surface_));
    if (pixels != nullptr) std::fill_n(pixels, words, PremultipliedArgb(color));
    cairo_surface_mark_dirty(surface_);
    return;
  }
  cairo_save(cr_);
  cairo_set_source_rgba(cr_, color.r / 255.0, color.g / 255.0, color.b / 255.0, color.a / 255.0);
  // A PNG page's own pixels may be unset (PixelSurface): replace them, never blend.
  if (format_ == ImageFormat::kPng && cairo_get_target(cr_) == surface_) {
    cairo_set_operator(cr_, CAIRO_OPERATOR_SOURCE);
  }
  cairo_paint(cr_);
  cairo_restore(cr_);
}

void Canvas::NextPage(Size page) {
  if (format_ != ImageFormat::kPdf || !surface_) {
    ThrowUsageError("only a PDF holds several figures, each on pages of its own");
  }
  cairo_show_page(cr_);
  page_ = page;
  cairo_pdf_surface_set_size(surface_, page.width, page.height);
  PaintBackground();
}

Canvas::~Canvas() {
  if (cr_) cairo_destroy(cr_);
  if (surface_) cairo_surface_destroy(surface_);
}

void Canvas::CreateSurface() {
  switch (format_) {
    case ImageFormat::kPng: {
      pixels_per_point_ = settings_.dpi / 72;
      int width = PixelsFor(page_.width, pixels_per_point_);
      int height = PixelsFor(page_.height, pixels_per_point_);
      if (width > kCairoMaxPixels || height > kCairoMaxPixels || width < 1 || height < 1) {
        ThrowUsageError("a " + std::to_string(width) + "x" + std::to_string(height) +
                        " pixel PNG is outside 1-32767 pixels a side; change --dpi or the size");
      }
      surface_ = PixelSurface(width, height, !settings_.transparent);
      break;
    }
    case ImageFormat::kSvg:
      surface_ =
          cairo_svg_surface_create_for_stream(AppendToString, &stream_, page_.width, page_.height);
      cairo_svg_surface_set_document_unit(surface_, CAIRO_SVG_UNIT_PT);
      if (settings_.svg_text == SvgText::kText) {
        svg_text_ = std::make_unique<SvgTextRecorder>();
        AttachSvgTextRecorder(surface_, svg_text_.get());
      }
      break;
    case ImageFormat::kPdf:
      surface_ =
          cairo_pdf_surface_create_for_stream(AppendToString, &stream_, page_.width, page_.height);
      SetPdfMetadata(surface_, settings_.title);
      break;
  }
}

std::string Canvas::Finish() {
  CheckStatus(cairo_status(cr_));
  if (!surface_) {
    cairo_restore(cr_);
    cairo_destroy(cr_);
    cr_ = nullptr;
    return {};
  }
  cairo_destroy(cr_);
  cr_ = nullptr;
  return format_ == ImageFormat::kPng ? FinishPng() : FinishVector();
}

std::string Canvas::FinishPng() {
  cairo_surface_flush(surface_);
  CheckStatus(cairo_surface_status(surface_));
  ArgbPixelsView pixels;
  pixels.data = reinterpret_cast<const uint32_t*>(cairo_image_surface_get_data(surface_));
  pixels.width = cairo_image_surface_get_width(surface_);
  pixels.height = cairo_image_surface_get_height(surface_);
  pixels.stride = cairo_image_surface_get_stride(surface_) / 4;
  return EncodePng(pixels, {settings_.dpi, settings_.png_compression, settings_.threads});
}

std::string Canvas::FinishVector() {
  cairo_surface_finish(surface_);
  CheckStatus(cairo_surface_status(surface_));
  // Text goes in after the clean-up, which would renumber a label such as "#clip2".
  if (format_ == ImageFormat::kSvg) {
    std::string svg = CleanUpSvg(stream_);
    return svg_text_ ? svg_text_->PlaceText(svg) : svg;
  }
  return std::move(stream_);
}

cairo_surface_t* CopyToCairoSurface(const ArgbPixelsView& pixels) {
  cairo_surface_t* surface =
      cairo_image_surface_create(CAIRO_FORMAT_ARGB32, pixels.width, pixels.height);
  cairo_surface_flush(surface);
  unsigned char* data = cairo_image_surface_get_data(surface);
  int stride = cairo_image_surface_get_stride(surface);
  for (int y = 0; data && y < pixels.height; ++y) {
    const uint32_t* row = pixels.data + static_cast<ptrdiff_t>(y) * pixels.stride;
    std::copy_n(row, pixels.width, reinterpret_cast<uint32_t*>(data + y * stride));
  }
  cairo_surface_mark_dirty(surface);
  return surface;
}

// A surface over `pixels` without a copy; only for drawing that reads it at once, as an image
// surface does (PDF and SVG surfaces read their sources later).
cairo_surface_t* WrapPixels(const ArgbPixelsView& pixels) {
  auto* data = reinterpret_cast<unsigned char*>(const_cast<uint32_t*>(pixels.data));
  // Opaque pixels (cells always are) as RGB24, the same words with alpha ignored: pixman then
  // copies instead of blending, a third of the time of painting a heatmap's cells.
  return cairo_image_surface_create_for_data(
      data, IsOpaque(pixels) ? CAIRO_FORMAT_RGB24 : CAIRO_FORMAT_ARGB32, pixels.width,
      pixels.height, pixels.stride * 4);
}

void PaintPixelated(cairo_t* cr, const ArgbPixelsView& image, const Rect& area) {
  bool immediate = cairo_surface_get_type(cairo_get_target(cr)) == CAIRO_SURFACE_TYPE_IMAGE;
  cairo_surface_t* surface = immediate ? WrapPixels(image) : CopyToCairoSurface(image);
  cairo_save(cr);
  cairo_translate(cr, area.x, area.y);
  cairo_scale(cr, area.width / image.width, area.height / image.height);
  cairo_set_source_surface(cr, surface, 0, 0);
  cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_NEAREST);
  // paint, not fill: Cairo's SVG then emits a plain <use> of the <image>, where viewers honour
  // image-rendering; a filled rectangle becomes a <pattern>, which rsvg resamples smoothly.
  cairo_paint(cr);
  cairo_restore(cr);
  cairo_surface_destroy(surface);
}

}  // namespace attnviz
