// Norms as matplotlib computes them, and default limits drawn from the data.
#include "attnviz/render/color_scale.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "attnviz/error.h"
#include "attnviz/number_text.h"
#include "simd/kernels.h"

namespace attnviz {
namespace {

// A log scale spans at most this many decades by default.
constexpr double kMaxDefaultDecades = 6;

void CheckFinite(const std::optional<double>& limit, const char* name) {
  if (limit && !std::isfinite(*limit)) {
    ThrowUsageError(std::string(name) + " " + Number(*limit) + " is not a finite number");
  }
}

void CheckOrder(double vmin, double vmax) {
  if (!(vmax > vmin)) {
    ThrowUsageError("vmax " + Number(vmax) + " must be greater than vmin " + Number(vmin));
  }
}

std::pair<double, double> LinearLimits(const ScaleRequest& request, const ValueRange& range) {
  double vmin = request.vmin.value_or(range.empty() ? 0 : std::min(0.0, range.min));
  double vmax = request.vmax.value_or(range.empty() ? vmin + 1 : range.max);
  if (!request.vmax && !(vmax > vmin)) vmax = vmin + 1;
  return {vmin, vmax};
}

std::pair<double, double> LogLimits(const ScaleRequest& request, const ValueRange& range) {
  if (request.vmin && !(*request.vmin > 0)) {
    ThrowUsageError("vmin " + Number(*request.vmin) + " must be positive on a log scale");
  }
  bool has_positive = std::isfinite(range.min_positive);
  double vmax = request.vmax.value_or(has_positive ? range.max : 1);
  double floor = vmax * std::pow(10.0, -kMaxDefaultDecades);
  double vmin = request.vmin.value_or(has_positive ? std::max(range.min_positive, floor) : floor);
  if (!request.vmax && !(vmax > vmin)) vmax = 10 * vmin;
  return {vmin, vmax};
}

std::pair<double, double> CenteredLimits(const ScaleRequest& request, const ValueRange& range) {
  double half = range.max_abs;
  if (request.vmin || request.vmax) {
    half = std::max(std::abs(request.vmin.value_or(0)), std::abs(request.vmax.value_or(0)));
  }
  if (!(half > 0)) half = 1;
  return {-half, half};
}

}  // namespace

double ColorScale::Normalize(double value) const {
  if (!std::isfinite(value)) return NAN;
  switch (norm.kind) {
    case NormKind::kLinear:
    case NormKind::kCentered:
      return (value - vmin) / (vmax - vmin);
    case NormKind::kLog:
      if (!(value > 0)) return -INFINITY;
      return (std::log(value) - std::log(vmin)) / (std::log(vmax) - std::log(vmin));
    case NormKind::kPower:
      return std::pow(std::max(value - vmin, 0.0), norm.gamma) / std::pow(vmax - vmin, norm.gamma);
  }
  return NAN;
}

Rgba ColorScale::Lookup(double value) const {
  if (!std::isfinite(value)) return kBadColor;
  if (!(vmax > vmin)) return colormap->colors[0];
  return colormap->colors[ColormapIndex(Normalize(value))];
}

void ValueRange::Add(const Matrix& matrix) { Add(matrix.values, matrix.masked); }

void ValueRange::Add(std::span<const float> values, std::span<const uint8_t> flags) {
  // A vector at a time (src/simd): this pass runs on every cell of every figure whose limits come
  // from the data, and cell by cell it took a twentieth of a heatmap's time.
  const simd::Extremes e =
      simd::FiniteExtremes(values.data(), flags.empty() ? nullptr : flags.data(), values.size());
  if (!(e.hi >= e.lo)) return;
  min = std::min(min, static_cast<double>(e.lo));
  max = std::max(max, static_cast<double>(e.hi));
  min_positive = std::min(min_positive, static_cast<double>(e.lowest_positive));
  max_abs =
      std::max({max_abs, std::abs(static_cast<double>(e.lo)), std::abs(static_cast<double>(e.hi))});
}

bool LimitsFromData(const ScaleRequest& request) {
  if (request.norm.kind == NormKind::kCentered) return !request.vmin && !request.vmax;
  return !request.vmin || !request.vmax;
}

const Colormap& ColormapOrThrow(const std::string& name) {
  if (const Colormap* colormap = FindColormap(name)) return *colormap;
  std::string known;
  for (std::string_view candidate : ColormapNames()) {
    if (!candidate.ends_with("_r")) known += (known.empty() ? "" : ", ") + std::string(candidate);
  }
  ThrowUsageError("unknown colormap \"" + name + "\"; expected one of " + known +
                  " (each also reversed with _r)");
}

ColorScale ResolveColorScale(const ScaleRequest& request, const ValueRange& range) {
  CheckFinite(request.vmin, "vmin");
  CheckFinite(request.vmax, "vmax");
  const Norm& norm = request.norm;
  if (norm.kind == NormKind::kPower && !(norm.gamma > 0 && std::isfinite(norm.gamma))) {
    ThrowUsageError("power norm gamma " + Number(norm.gamma) + " must be a positive number");
  }
  auto [vmin, vmax] = norm.kind == NormKind::kLog        ? LogLimits(request, range)
                      : norm.kind == NormKind::kCentered ? CenteredLimits(request, range)
                                                         : LinearLimits(request, range);
  CheckOrder(vmin, vmax);
  return {&ColormapOrThrow(request.colormap), vmin, vmax, norm};
}

}  // namespace attnviz
