// Values to colours: a colormap, the value limits and how values between them are spread (norm).
#pragma once

#include <cmath>
#include <optional>
#include <span>
#include <string>

#include "attnviz/render/colormap.h"
#include "attnviz/render/matrix.h"

namespace attnviz {

enum class NormKind {
  kLinear,    // matplotlib's Normalize
  kLog,       // LogNorm: equal ratios get equal steps
  kPower,     // PowerNorm(gamma): gamma < 1 lifts small weights
  kCentered,  // CenteredNorm around 0, for signed data such as differences
};

struct Norm {
  NormKind kind = NormKind::kLinear;
  double gamma = 1;  // kPower only
};

// A resolved scale: limits are final (see ResolveColorScale). The colormap pointer is static.
struct ColorScale {
  const Colormap* colormap = nullptr;
  double vmin = 0;
  double vmax = 1;
  Norm norm;

  // Where `value` falls: 0 at vmin, 1 at vmax, outside [0, 1] beyond them (log: -inf for
  // values <= 0), as matplotlib's norms compute it in double precision. NaN for non-finite.
  double Normalize(double value) const;

  // The colour of `value`: table[ColormapIndex(Normalize(value))], kBadColor for non-finite
  // values. For kLinear this is exactly Colormap::Lookup(value, vmin, vmax).
  Rgba Lookup(double value) const;
};

// What a figure asks for; unset limits come from the data.
struct ScaleRequest {
  std::string colormap = "viridis";  // a name accepted by FindColormap
  Norm norm;
  std::optional<double> vmin;
  std::optional<double> vmax;
};

// The finite, unmasked values of one or more matrices, summarised for default limits.
struct ValueRange {
  double min = INFINITY;           // smallest finite value
  double max = -INFINITY;          // largest finite value
  double min_positive = INFINITY;  // for log scales
  double max_abs = 0;              // for centered scales

  void Add(const Matrix& matrix);
  // The same of values with their mask flags (empty: none masked).
  void Add(std::span<const float> values, std::span<const uint8_t> flags = {});
  bool empty() const { return !(max >= min); }
};

// Final limits for `request` over data spanning `range`:
// - linear, power: vmin = min(0, smallest value), vmax = the largest value;
// - log: vmax = the largest value, vmin = the smallest positive value but at most six decades
//   below vmax (softmax tails reach 1e-30 and would squeeze everything else);
// - centered: -h..h with h = max |value|, or max(|vmin|, |vmax|) when either is given.
// A default vmax that would not exceed vmin becomes vmin + 1 (log: 10 vmin). Throws
// Error(kUsage) for an unknown colormap, non-finite or inverted explicit limits, a log vmin
// <= 0, or a power gamma <= 0.
ColorScale ResolveColorScale(const ScaleRequest& request, const ValueRange& range);

// Whether ResolveColorScale needs the data's range: some limit is left to the data.
bool LimitsFromData(const ScaleRequest& request);

// The colormap called `name`, or Error(kUsage) listing the known names.
const Colormap& ColormapOrThrow(const std::string& name);

}  // namespace attnviz
