// Norms against matplotlib's own (indices below were printed by matplotlib 3.6.3's LogNorm,
// PowerNorm and CenteredNorm with viridis), and default limits drawn from the data.
#include "attnviz/render/color_scale.h"

#include <doctest/doctest.h>

#include <vector>

#include <cmath>
#include <limits>

#include "attnviz/error.h"

namespace attnviz {
namespace {

const Colormap& Viridis() { return *FindColormap("viridis"); }

ColorScale Scale(NormKind kind, double vmin, double vmax, double gamma = 1) {
  return {&Viridis(), vmin, vmax, {kind, gamma}};
}

int EntryOf(const ColorScale& scale, double value) {
  Rgba color = scale.Lookup(value);
  for (int i = 0; i < Colormap::kSize; ++i) {
    if (Viridis().colors[i] == color) return i;
  }
  return -1;
}

ValueRange RangeOf(std::vector<float> values) {
  ValueRange range;
  range.Add({1, static_cast<int64_t>(values.size()), std::move(values), {}});
  return range;
}

TEST_CASE("a log norm picks matplotlib's entries, values at or below 0 the first") {
  ColorScale log = Scale(NormKind::kLog, 1e-3, 1);
  CHECK(EntryOf(log, 1e-3) == 0);
  CHECK(EntryOf(log, 1e-2) == 85);
  CHECK(EntryOf(log, 0.0316) == 127);
  CHECK(EntryOf(log, 0.1) == 170);
  CHECK(EntryOf(log, 0.5) == 230);
  CHECK(EntryOf(log, 1.0) == 255);
  CHECK(EntryOf(log, 2e-4) == 0);
  CHECK(EntryOf(log, 0.0) == 0);
  CHECK(log.Normalize(1e-2) == doctest::Approx(1.0 / 3));
}

TEST_CASE("a power norm picks matplotlib's entries") {
  ColorScale power = Scale(NormKind::kPower, 0, 1, 0.5);
  CHECK(EntryOf(power, 0) == 0);
  CHECK(EntryOf(power, 0.01) == 25);
  CHECK(EntryOf(power, 0.04) == 51);
  CHECK(EntryOf(power, 0.25) == 128);
  CHECK(EntryOf(power, 0.5) == 181);
  CHECK(EntryOf(power, 1.0) == 255);
  CHECK(EntryOf(power, -0.3) == 0);  // below vmin: clipped to 0 as matplotlib does
}

TEST_CASE("a centered norm puts 0 in the middle entry") {
  ColorScale centered = Scale(NormKind::kCentered, -0.5, 0.5);
  CHECK(EntryOf(centered, -0.5) == 0);
  CHECK(EntryOf(centered, -0.1) == 102);
  CHECK(EntryOf(centered, 0) == 128);
  CHECK(EntryOf(centered, 0.1) == 153);
  CHECK(EntryOf(centered, 0.25) == 192);
  CHECK(EntryOf(centered, 0.5) == 255);
}

TEST_CASE("a linear scale is exactly Colormap::Lookup") {
  ColorScale linear = Scale(NormKind::kLinear, 0.1, 0.7);
  for (double value : {-1.0, 0.1, 0.2, 0.3999, 0.4, 0.69, 0.7, 3.0}) {
    CHECK(linear.Lookup(value) == Viridis().Lookup(value, 0.1, 0.7));
  }
  CHECK(linear.Lookup(std::numeric_limits<double>::quiet_NaN()) == kBadColor);
}

TEST_CASE("default limits: 0 to the largest value, ignoring masked and bad cells") {
  ValueRange range;
  range.Add({1, 4, {0.1f, 0.9f, NAN, 0.3f}, {0, 1, 0, 0}});
  ColorScale scale = ResolveColorScale({}, range);
  CHECK(scale.vmin == 0);
  CHECK(scale.vmax == doctest::Approx(0.3));
}

TEST_CASE("the value range skips masked and bad cells sixteen at a time and in the tail") {
  std::vector<float> values(37, 0.5f);
  std::vector<uint8_t> masked(37, 0);
  values[3] = -7;  // the smallest, but masked
  masked[3] = 1;
  values[20] = NAN;
  values[21] = -INFINITY;
  values[22] = INFINITY;
  values[30] = 0.001f;  // the smallest positive
  values[31] = -0.25f;  // the smallest
  values[35] = 9;       // the largest, in the tail after two groups of sixteen
  masked[36] = 1;
  values[36] = 100;
  ValueRange range;
  range.Add({1, 37, values, masked});
  CHECK(range.min == -0.25);
  CHECK(range.max == 9);
  CHECK(range.min_positive == doctest::Approx(0.001));
  CHECK(range.max_abs == 9);
}

TEST_CASE("default linear limits reach down to a negative minimum") {
  ColorScale scale = ResolveColorScale({}, RangeOf({-0.25f, 0.5f}));
  CHECK(scale.vmin == doctest::Approx(-0.25));
  CHECK(scale.vmax == doctest::Approx(0.5));
}

TEST_CASE("default log limits span at most six decades below the maximum") {
  ScaleRequest request;
  request.norm = {NormKind::kLog, 1};
  ColorScale wide = ResolveColorScale(request, RangeOf({1e-30f, 0.0f, 0.5f}));
  CHECK(wide.vmax == doctest::Approx(0.5));
  CHECK(wide.vmin == doctest::Approx(0.5e-6));
  ColorScale narrow = ResolveColorScale(request, RangeOf({0.01f, 0.5f}));
  CHECK(narrow.vmin == doctest::Approx(0.01));
}

TEST_CASE("default centered limits are symmetric around 0") {
  ScaleRequest request;
  request.norm = {NormKind::kCentered, 1};
  ColorScale data = ResolveColorScale(request, RangeOf({-0.2f, 0.6f}));
  CHECK(data.vmin == doctest::Approx(-0.6));
  CHECK(data.vmax == doctest::Approx(0.6));
  request.vmax = 0.3;
  ColorScale given = ResolveColorScale(request, RangeOf({-0.2f, 0.6f}));
  CHECK(given.vmin == doctest::Approx(-0.3));
  CHECK(given.vmax == doctest::Approx(0.3));
}

TEST_CASE("an all-zero map gets limits 0 to 1") {
  ColorScale scale = ResolveColorScale({}, RangeOf({0.0f, 0.0f}));
  CHECK(scale.vmin == 0);
  CHECK(scale.vmax == 1);
}

TEST_CASE("bad requests are usage errors") {
  auto kind_of = [](const ScaleRequest& request) {
    try {
      ResolveColorScale(request, RangeOf({0.1f, 0.5f}));
    } catch (const Error& error) {
      return error.kind();
    }
    FAIL("no error");
    return ErrorKind::kInput;
  };
  ScaleRequest request;
  request.colormap = "jet";
  CHECK(kind_of(request) == ErrorKind::kUsage);
  request = {};
  request.norm = {NormKind::kLog, 1};
  request.vmin = 0;
  CHECK(kind_of(request) == ErrorKind::kUsage);
  request = {};
  request.norm = {NormKind::kPower, -1};
  CHECK(kind_of(request) == ErrorKind::kUsage);
  request = {};
  request.vmin = 0.5;
  request.vmax = 0.5;
  CHECK(kind_of(request) == ErrorKind::kUsage);
  request = {};
  request.vmax = std::numeric_limits<double>::infinity();
  CHECK(kind_of(request) == ErrorKind::kUsage);
}

}  // namespace
}  // namespace attnviz
