// Every Highway kernel gives, on every instruction set this CPU runs, what a plain loop gives.
#include "simd/kernels.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "attnviz/tensor/dtype.h"
#include "simd/dispatch.h"
#include "support/every_isa.h"

namespace attnviz {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

// Lengths that cover empty, shorter than one vector, whole vectors and a tail, on every width.
const std::vector<size_t> kLengths = {0, 1, 3, 7, 8, 15, 16, 17, 31, 64, 65, 127, 200, 1000};

std::vector<float> RandomValues(size_t count, uint32_t seed) {
  std::mt19937 random(seed);
  std::uniform_real_distribution<float> uniform(-2.0f, 2.0f);
  std::vector<float> values(count);
  for (float& value : values) value = uniform(random);
  return values;
}

TEST_CASE("the instruction sets of this CPU end with scalar, and dispatch follows RestrictIsa") {
  const std::vector<std::string> isas = IsasOfThisCpu();
  REQUIRE(!isas.empty());
  CHECK(isas.back() == "scalar");
  OnEveryIsa([](const std::string& isa) {
    const std::string target = DispatchTargetName();
    if (isa == "scalar") CHECK((target == "EMU128" || target == "SCALAR"));
    if (isa == "avx2") CHECK(target == "AVX2");
    if (isa == "avx512") CHECK(target == "AVX3");
  });
}

TEST_CASE("RestrictIsa refuses a name that is not an instruction set") {
  CHECK_THROWS_WITH(RestrictIsa("avx1024"),
                    doctest::Contains("ATTNVIZ_ISA \"avx1024\" is not an instruction set"));
}

TEST_CASE("HalvesToFloats converts every float16 exactly, as HalfToFloat does") {
  std::vector<uint16_t> halves(65536 + 5);  // every pattern, then a tail
  for (size_t i = 0; i < halves.size(); ++i) halves[i] = static_cast<uint16_t>(i);
  OnEveryIsa([&](const std::string&) {
    for (size_t count : {halves.size(), size_t{13}, size_t{1}}) {
      std::vector<float> out(count);
      simd::HalvesToFloats(halves.data(), count, out.data());
      size_t wrong = 0;
      for (size_t i = 0; i < count; ++i) {
        const float expected = HalfToFloat(halves[i]);
        const bool same = std::isnan(expected) ? std::isnan(out[i])
                                               : std::bit_cast<uint32_t>(out[i]) ==
                                                     std::bit_cast<uint32_t>(expected);
        wrong += !same;
      }
      CHECK(wrong == 0);
    }
  });
}

TEST_CASE("MarkEqualPixels sets the bits of equal pixels and clears the rest of the words") {
  OnEveryIsa([](const std::string&) {
    for (size_t count : kLengths) {
      std::vector<uint32_t> a(count), b(count);
      for (size_t i = 0; i < count; ++i) {
        a[i] = static_cast<uint32_t>(i * 2654435761u);
        b[i] = i % 3 == 0 || i % 7 == 5 ? a[i] : a[i] + 1;
      }
      std::vector<uint64_t> mask(count / 64 + 1, ~uint64_t{0});
      simd::MarkEqualPixels(a.data(), b.data(), count, mask.data());
      for (size_t i = 0; i < mask.size() * 64; ++i) {
        const bool bit = (mask[i / 64] >> (i % 64)) & 1;
        CHECK(bit == (i < count && a[i] == b[i]));
      }
    }
  });
}

TEST_CASE("FiniteExtremes skips NaN, infinities and masked cells") {
  OnEveryIsa([](const std::string&) {
    for (size_t count : kLengths) {
      std::vector<float> values = RandomValues(count, 7);
      std::vector<uint8_t> masked(count);
      for (size_t i = 0; i < count; ++i) {
        if (i % 5 == 1) values[i] = i % 2 ? kInf : -kInf;
        if (i % 11 == 4) values[i] = kNaN;
        masked[i] = i % 4 == 3;
        if (masked[i]) values[i] = 100.0f + static_cast<float>(i);  // would be the maximum
      }
      for (bool with_mask : {false, true}) {
        float lo = kInf, hi = -kInf, lowest_positive = kInf;
        for (size_t i = 0; i < count; ++i) {
          if (!std::isfinite(values[i]) || (with_mask && masked[i])) continue;
          lo = std::min(lo, values[i]);
          hi = std::max(hi, values[i]);
          if (values[i] > 0) lowest_positive = std::min(lowest_positive, values[i]);
        }
        const simd::Extremes e =
            simd::FiniteExtremes(values.data(), with_mask ? masked.data() : nullptr, count);
        CHECK(e.lo == lo);
        CHECK(e.hi == hi);
        CHECK(e.lowest_positive == lowest_positive);
      }
    }
  });
}

TEST_CASE("ColourLinear picks floor((v - vmin) * per_unit) clamped, and leaves boundaries alone") {
  std::vector<uint32_t> entries(256);
  for (size_t i = 0; i < entries.size(); ++i) entries[i] = 0xff000000u | static_cast<uint32_t>(i);
  const simd::LinearLookup lookup{entries.data(), 256, -1.0, 256 / 2.0};
  OnEveryIsa([&](const std::string&) {
    for (size_t count : kLengths) {
      std::vector<float> values = RandomValues(count, 11);
      for (size_t i = 0; i < count; ++i) {
        if (i % 9 == 2) values[i] = -1.0f + 2.0f * static_cast<float>(i % 256) / 256;  // boundary
        if (i % 13 == 6) values[i] = kNaN;
        if (i % 17 == 8) values[i] = 5.0f;  // beyond vmax: the last entry
      }
      std::vector<uint32_t> out(count, 0);
      std::vector<uint8_t> exact(count, 0);
      struct Context {
        std::vector<uint8_t>* exact;
      } context{&exact};
      auto mark = [](void* c, size_t begin, size_t end) {
        for (size_t i = begin; i < end; ++i) (*static_cast<Context*>(c)->exact)[i] = 1;
      };
      simd::ColourLinear(lookup, values.data(), count, out.data(), mark, &context);
      for (size_t i = 0; i < count; ++i) {
        const double position = (static_cast<double>(values[i]) + 1.0) * 128.0;
        const bool boundary =
            std::isfinite(position) && position > 0 && position < 256 &&
            ((std::floor(position) > 0 && position - std::floor(position) < 1e-9) ||
             std::floor(position) + 1 - position < 1e-9);
        if (!std::isfinite(values[i]) || boundary) {
          CHECK(exact[i] == 1);  // left to the exact formula
          continue;
        }
        if (exact[i]) continue;  // its vector had a cell for the exact formula
        const int index = position <= 0 ? 0 : position >= 256 ? 255 : static_cast<int>(position);
        CHECK(out[i] == entries[static_cast<size_t>(index)]);
      }
    }
  });
}

// Cells ColourLinear coloured itself have the entry of the double formula's floor; values on
// either side of every entry boundary, from a few floats to 3e-4 of an entry away (the float
// lanes' slack is 1e-4), and in the middle of entries.
void CheckFloorsAsDouble(const simd::LinearLookup& lookup) {
  std::vector<float> values;
  for (int k = 1; k < lookup.entry_count; ++k) {
    float boundary = static_cast<float>(lookup.vmin + k / lookup.per_unit);
    for (int step = 0; step < 2; ++step) boundary = std::nextafter(boundary, -kInf);
    for (int step = 0; step < 5; ++step, boundary = std::nextafter(boundary, kInf)) {
      values.push_back(boundary);
    }
    for (double away : {-3e-4, -1.5e-4, -1.1e-4, 1.1e-4, 1.5e-4, 3e-4}) {
      values.push_back(static_cast<float>(lookup.vmin + (k + away) / lookup.per_unit));
    }
    // a whole vector of cells clear of boundaries, whatever the lanes
    values.insert(values.end(), 32, static_cast<float>(lookup.vmin + (k + 0.5) / lookup.per_unit));
  }
  std::vector<uint32_t> out(values.size(), 0);
  std::vector<uint8_t> exact(values.size(), 0);
  auto mark = [](void* c, size_t begin, size_t end) {
    std::fill(static_cast<uint8_t*>(c) + begin, static_cast<uint8_t*>(c) + end, uint8_t{1});
  };
  simd::ColourLinear(lookup, values.data(), values.size(), out.data(), mark, exact.data());
  size_t coloured = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    if (exact[i]) continue;
    ++coloured;
    const double position = (static_cast<double>(values[i]) - lookup.vmin) * lookup.per_unit;
    const double entry = std::clamp(std::floor(position), 0.0, lookup.entry_count - 1.0);
    CAPTURE(values[i]);
    CHECK(out[i] == lookup.entries[static_cast<size_t>(entry)]);
  }
  CHECK(coloured > 0);  // the vectors away from boundaries
}

TEST_CASE("ColourLinear floors as the double formula next to every boundary, float or double") {
  std::vector<uint32_t> entries(256);
  for (size_t i = 0; i < entries.size(); ++i) entries[i] = 0xff000000u | static_cast<uint32_t>(i);
  OnEveryIsa([&](const std::string&) {
    // Attention: vmin 0 and a maximum no float divides 256 by exactly (the float lanes).
    CheckFloorsAsDouble({entries.data(), 256, 0.0, 256 / 0.37});
    // vmin between floats and a narrow range: float lanes would be off by whole entries.
    CheckFloorsAsDouble({entries.data(), 256, 0.1, 256 / 1e-6});
  });
}

TEST_CASE(
    "AddToColumnMaxima keeps the larger value and turns the probe NaN for non-finite values") {
  OnEveryIsa([](const std::string&) {
    for (size_t count : kLengths) {
      std::vector<float> values = RandomValues(count, 3);
      for (size_t i = 0; i < count; ++i) {
        if (i % 6 == 2) values[i] = kNaN;
        if (i % 10 == 7) values[i] = kInf;
      }
      std::vector<float> max = RandomValues(count, 4), probe(count, 0.0f);
      std::vector<float> expected_max = max;
      simd::AddToColumnMaxima(values.data(), count, max.data(), probe.data());
      for (size_t i = 0; i < count; ++i) {
        if (values[i] > expected_max[i]) expected_max[i] = values[i];
        CHECK(max[i] == expected_max[i]);
        CHECK(std::isnan(probe[i]) == !std::isfinite(values[i]));
      }
    }
  });
}

TEST_CASE("CombineCells copies, adds, keeps the max or the min in double, and reports NaN") {
  OnEveryIsa([](const std::string&) {
    for (size_t count : kLengths) {
      const std::vector<float> in = RandomValues(count, 5);
      const std::vector<float> start = RandomValues(count, 6);
      for (simd::Combine combine :
           {simd::Combine::kCopy, simd::Combine::kAdd, simd::Combine::kMax, simd::Combine::kMin}) {
        std::vector<double> out(start.begin(), start.end());
        CHECK(simd::CombineCells(in.data(), count, combine, out.data()));
        for (size_t i = 0; i < count; ++i) {
          const double held = start[i], value = in[i];
          const double expected = combine == simd::Combine::kCopy  ? value
                                  : combine == simd::Combine::kAdd ? held + value
                                  : combine == simd::Combine::kMax ? std::max(held, value)
                                                                   : std::min(held, value);
          CHECK(out[i] == expected);
        }
      }
      if (count == 0) continue;
      std::vector<float> bad = in;
      bad[count - 1] = kNaN;
      std::vector<double> out(count, 0.0);
      CHECK_FALSE(simd::CombineCells(bad.data(), count, simd::Combine::kAdd, out.data()));
      bad[count - 1] = -kInf;
      CHECK_FALSE(simd::CombineCells(bad.data(), count, simd::Combine::kMax, out.data()));
    }
  });
}

TEST_CASE("AndOfWords and SumPixelBytes give what a plain loop gives") {
  std::mt19937 random(9);
  OnEveryIsa([&](const std::string&) {
    for (size_t count : kLengths) {
      std::vector<uint32_t> pixels(count);
      for (uint32_t& pixel : pixels) pixel = static_cast<uint32_t>(random()) | 0xff000000u;
      uint32_t all = 0xffffffff;
      uint64_t sum = 0, by_pixel = 0, by_channel = 0;
      for (size_t k = 0; k < count; ++k) {
        all &= pixels[k];
        const uint32_t word = pixels[k];
        const uint32_t bytes[4] = {(word >> 16) & 0xff, (word >> 8) & 0xff, word & 0xff,
                                   word >> 24};
        for (uint32_t c = 0; c < 4; ++c) {
          sum += bytes[c];
          by_pixel += k * bytes[c];
          by_channel += c * bytes[c];
        }
      }
      CHECK(simd::AndOfWords(pixels.data(), count) == all);
      const simd::PixelByteSums rgba = simd::SumPixelBytes(pixels.data(), count, true);
      CHECK(rgba.sum == sum);
      CHECK(rgba.by_pixel == by_pixel);
      CHECK(rgba.by_channel == by_channel);
      const simd::PixelByteSums rgb = simd::SumPixelBytes(pixels.data(), count, false);
      CHECK(rgb.sum == sum - 255 * count);
      CHECK(rgb.by_channel == by_channel - 3 * 255 * count);
      CHECK(rgb.by_pixel == by_pixel - 255 * (count * (count - (count > 0))) / 2);
    }
  });
}

}  // namespace
}  // namespace attnviz
