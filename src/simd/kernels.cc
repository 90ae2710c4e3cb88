// The loops of simd/kernels.h, written once on Highway and compiled for every target it offers
// (foreach_target includes this file once per target); HWY_DYNAMIC_DISPATCH picks one per call
// among those simd/dispatch.cc allows.
#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "simd/kernels.cc"
#include <hwy/foreach_target.h>  // must come before highway.h
#include <hwy/highway.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>

#include "simd/kernels.h"

HWY_BEFORE_NAMESPACE();
namespace attnviz::simd::HWY_NAMESPACE {
namespace hn = hwy::HWY_NAMESPACE;

// Whether this target converts float16 in hardware (F16C with AVX2 and AVX-512, NEON, SVE).
// Highway 1.0.3's emulation elsewhere turns infinities and NaNs into large finite numbers.
#if (HWY_ARCH_X86 && HWY_TARGET <= HWY_AVX2) || \
    (HWY_ARCH_ARM && HWY_TARGET != HWY_EMU128 && HWY_TARGET != HWY_SCALAR)
constexpr bool kHardwareHalves = true;
#else
constexpr bool kHardwareHalves = false;
#endif

// A vector of float16 bits as floats, exactly (as HalfToFloat: NaNs keep their payload).
template <class DF, class DH>
hn::Vec<DF> HalvesAsFloats(DF df, DH dh, const uint16_t* src) {
  if constexpr (kHardwareHalves) {
    return hn::PromoteTo(df, hn::LoadU(dh, reinterpret_cast<const hwy::float16_t*>(src)));
  } else {
    const hn::RebindToUnsigned<DF> du;
    const hn::RebindToSigned<DF> di;
    const hn::Rebind<uint16_t, DF> du16;
    const auto bits = hn::PromoteTo(du, hn::LoadU(du16, src));
    const auto sign = hn::ShiftLeft<16>(hn::And(bits, hn::Set(du, 0x8000u)));
    const auto exponent = hn::And(hn::ShiftRight<10>(bits), hn::Set(du, 0x1Fu));
    const auto mantissa = hn::And(bits, hn::Set(du, 0x3FFu));
    const auto normal = hn::Or(hn::ShiftLeft<23>(hn::Add(exponent, hn::Set(du, 112u))),
                               hn::ShiftLeft<13>(mantissa));
    const auto special = hn::Or(hn::Set(du, 0x7F800000u), hn::ShiftLeft<13>(mantissa));
    // Subnormals (and zeros) are mantissa * 2^-24, exact in float.
    const auto subnormal = hn::BitCast(
        du, hn::Mul(hn::ConvertTo(df, hn::BitCast(di, mantissa)), hn::Set(df, 0x1p-24f)));
    const auto magnitude =
        hn::IfThenElse(hn::Eq(exponent, hn::Zero(du)), subnormal,
                       hn::IfThenElse(hn::Eq(exponent, hn::Set(du, 0x1Fu)), special, normal));
    (void)dh;
    return hn::BitCast(df, hn::Or(sign, magnitude));
  }
}

void HalvesToFloats(const uint16_t* src, size_t count, float* dst) {
  const hn::ScalableTag<float> df;
  const hn::Rebind<hwy::float16_t, decltype(df)> dh;
  const size_t lanes = hn::Lanes(df);
  size_t i = 0;
  for (; i + lanes <= count; i += lanes) hn::StoreU(HalvesAsFloats(df, dh, src + i), df, dst + i);
  if (i == count) return;
  // The tail through a vector-sized buffer, so that it is converted by the same instructions.
  HWY_ALIGN uint16_t tail_in[hn::MaxLanes(df)] = {};
  HWY_ALIGN float tail_out[hn::MaxLanes(df)];
  std::memcpy(tail_in, src + i, (count - i) * sizeof(uint16_t));
  hn::Store(HalvesAsFloats(df, dh, tail_in), df, tail_out);
  std::memcpy(dst + i, tail_out, (count - i) * sizeof(float));
}

// Words `first_word` on of the mask, a pixel at a time.
void MarkEqualOneByOne(const uint32_t* a, const uint32_t* b, size_t count, size_t first_word,
                       uint64_t* mask) {
  for (size_t word = first_word; word <= count / 64; ++word) {
    const size_t start = word * 64, end = std::min(count, start + 64);
    uint64_t bits = 0;
    for (size_t i = start; i < end; ++i) bits |= uint64_t{a[i] == b[i]} << (i - start);
    mask[word] = bits;
  }
}

void MarkEqualPixels(const uint32_t* a, const uint32_t* b, size_t count, uint64_t* mask) {
  const hn::ScalableTag<uint32_t> du;
  const size_t lanes = std::min<size_t>(hn::Lanes(du), 64);
  const uint64_t lane_bits = lanes == 64 ? ~uint64_t{0} : (uint64_t{1} << lanes) - 1;
  size_t word = 0;
  for (; word * 64 + 64 <= count; ++word) {
    uint64_t bits = 0;
    for (size_t lane = 0; lane < 64; lane += lanes) {
      const size_t at = word * 64 + lane;
      uint8_t bytes[8] = {};
      hn::StoreMaskBits(du, hn::Eq(hn::LoadU(du, a + at), hn::LoadU(du, b + at)), bytes);
      uint64_t equal;
      std::memcpy(&equal, bytes, sizeof equal);
      bits |= (equal & lane_bits) << lane;
    }
    mask[word] = bits;
  }
  MarkEqualOneByOne(a, b, count, word, mask);
}

Extremes FiniteExtremes(const float* values, const uint8_t* masked, size_t count) {
  const hn::ScalableTag<float> df;
  const hn::RebindToSigned<decltype(df)> di;
  const hn::Rebind<uint8_t, decltype(df)> d8;
  const size_t lanes = hn::Lanes(df);
  const auto zero = hn::Zero(df), infinity = hn::Set(df, std::numeric_limits<float>::infinity());
  auto lo = infinity, hi = hn::Neg(infinity), lowest_positive = infinity;
  size_t i = 0;
  for (; i + lanes <= count; i += lanes) {
    const auto value = hn::LoadU(df, values + i);
    auto counts = hn::Eq(hn::Sub(value, value), zero);  // value - value: NaN unless finite
    if (masked != nullptr) {
      const auto flags = hn::PromoteTo(di, hn::LoadU(d8, masked + i));
      counts = hn::And(counts, hn::RebindMask(df, hn::Eq(flags, hn::Zero(di))));
    }
    lo = hn::IfThenElse(counts, hn::Min(lo, value), lo);
    hi = hn::IfThenElse(counts, hn::Max(hi, value), hi);
    const auto positive = hn::And(counts, hn::Gt(value, zero));
    lowest_positive = hn::IfThenElse(positive, hn::Min(lowest_positive, value), lowest_positive);
  }
  Extremes extremes{hn::GetLane(hn::MinOfLanes(df, lo)), hn::GetLane(hn::MaxOfLanes(df, hi)),
                    hn::GetLane(hn::MinOfLanes(df, lowest_positive))};
  for (; i < count; ++i) {
    const float value = values[i];
    if (!(value - value == 0) || (masked != nullptr && masked[i])) continue;
    extremes.lo = std::min(extremes.lo, value);
    extremes.hi = std::max(extremes.hi, value);
    if (value > 0) extremes.lowest_positive = std::min(extremes.lowest_positive, value);
  }
  return extremes;
}

// Colours values a vector of D's lanes at a time: floats, or doubles for scales a float cannot
// hold well enough (see ColourLinear). A vector with a position within `near` of an entry
// boundary, or a value that is not finite, goes to `exact`.
template <class D>
void ColourLinearLanes(D d, const LinearLookup& lookup, double near_boundary, const float* values,
                       size_t count, uint32_t* out, ColourExactly exact, void* context) {
  using T = hn::TFromD<D>;
  const hn::Rebind<float, D> df;
  const hn::Rebind<int32_t, D> di;
  const size_t lanes = hn::Lanes(d);
  const auto zero = hn::Zero(d), one = hn::Set(d, T{1});
  const auto near = hn::Set(d, static_cast<T>(near_boundary));
  const auto size = hn::Set(d, static_cast<T>(lookup.entry_count));
  const auto last = hn::Set(d, static_cast<T>(lookup.entry_count - 1));
  const auto vmin = hn::Set(d, static_cast<T>(lookup.vmin));
  const auto per_unit = hn::Set(d, static_cast<T>(lookup.per_unit));
  const auto* entries = reinterpret_cast<const int32_t*>(lookup.entries);
  size_t i = 0;
  for (; i + lanes <= count; i += lanes) {
    hn::Vec<D> value;
    if constexpr (std::is_same_v<T, float>) {
      value = hn::LoadU(d, values + i);
    } else {
      value = hn::PromoteTo(d, hn::LoadU(df, values + i));
    }
    const auto position = hn::Mul(hn::Sub(value, vmin), per_unit);
    const auto floor = hn::Floor(position);
    const auto inside = hn::And(hn::Gt(position, zero), hn::Lt(position, size));
    const auto just_above = hn::And(hn::Lt(hn::Sub(position, floor), near), hn::Gt(floor, zero));
    const auto just_below = hn::Lt(hn::Sub(hn::Add(floor, one), position), near);
    const bool finite = hn::AllTrue(d, hn::Eq(hn::Sub(value, value), zero));
    if (!finite || !hn::AllFalse(d, hn::And(inside, hn::Or(just_above, just_below)))) {
      exact(context, i, i + lanes);
      continue;
    }
    const auto entry = hn::Min(hn::Max(floor, zero), last);
    hn::Vec<decltype(di)> index;
    if constexpr (std::is_same_v<T, float>) {
      index = hn::ConvertTo(di, entry);
    } else {
      index = hn::DemoteTo(di, entry);
    }
    hn::StoreU(hn::GatherIndex(di, entries, index), di, reinterpret_cast<int32_t*>(out + i));
  }
  if (i < count) exact(context, i, count);
}

// How far a float position (v - vmin) * per_unit, with vmin and per_unit rounded to float, may be
// from the double one, in entries: three roundings of at most 2^-24 of a position that matters
// below 256 (1e-4 covers them), and vmin's own rounding times per_unit. Above kMaxFloatSlack the
// double lanes colour.
double FloatSlack(const LinearLookup& lookup) {
  const double vmin_error = std::abs(lookup.vmin - static_cast<float>(lookup.vmin));
  return 1e-4 + 2 * lookup.per_unit * vmin_error;
}
constexpr double kMaxFloatSlack = 1e-2;

// Float lanes, twice as many as doubles: 0.5 against 1 ns per cell with AVX2, a tenth of drawing
// 144 heatmaps. Positions are floored as the double formula floors them, since a vector with a
// position within the slack of an entry boundary goes to `exact`; double lanes (within 1e-9)
// where the slack would be too wide.
void ColourLinear(const LinearLookup& lookup, const float* values, size_t count, uint32_t* out,
                  ColourExactly exact, void* context) {
  const double slack = FloatSlack(lookup);
  const bool in_float = slack <= kMaxFloatSlack &&
                        std::isfinite(static_cast<float>(lookup.per_unit)) &&
                        std::isfinite(static_cast<float>(lookup.vmin));
  if (in_float) {
    ColourLinearLanes(hn::ScalableTag<float>(), lookup, slack, values, count, out, exact, context);
  } else {
    ColourLinearLanes(hn::ScalableTag<double>(), lookup, 1e-9, values, count, out, exact, context);
  }
}

void AddToColumnMaxima(const float* values, size_t count, float* max, float* probe) {
  const hn::ScalableTag<float> df;
  const size_t lanes = hn::Lanes(df);
  const auto zero = hn::Zero(df);
  size_t j = 0;
  for (; j + lanes <= count; j += lanes) {
    const auto x = hn::LoadU(df, values + j), top = hn::LoadU(df, max + j);
    hn::StoreU(hn::IfThenElse(hn::Gt(x, top), x, top), df, max + j);
    hn::StoreU(hn::Add(hn::LoadU(df, probe + j), hn::Mul(x, zero)), df, probe + j);
  }
  for (; j < count; ++j) {
    max[j] = values[j] > max[j] ? values[j] : max[j];
    probe[j] += values[j] * 0.0f;
  }
}

bool CombineCells(const float* in, size_t count, Combine combine, double* out) {
  const hn::ScalableTag<double> dd;
  const hn::Rebind<float, decltype(dd)> df;
  const size_t lanes = hn::Lanes(dd);
  auto probe = hn::Zero(df);  // + x * 0 for every x: NaN once one is not finite
  size_t c = 0;
  for (; c + lanes <= count; c += lanes) {
    const auto x = hn::LoadU(df, in + c);
    probe = hn::Add(probe, hn::Mul(x, hn::Zero(df)));
    const auto value = hn::PromoteTo(dd, x), held = hn::LoadU(dd, out + c);
    switch (combine) {
      case Combine::kCopy:
        hn::StoreU(value, dd, out + c);
        break;
      case Combine::kAdd:
        hn::StoreU(hn::Add(held, value), dd, out + c);
        break;
      case Combine::kMax:
        hn::StoreU(hn::IfThenElse(hn::Lt(held, value), value, held), dd, out + c);
        break;
      case Combine::kMin:
        hn::StoreU(hn::IfThenElse(hn::Lt(value, held), value, held), dd, out + c);
        break;
    }
  }
  bool finite = hn::AllTrue(df, hn::Eq(probe, hn::Zero(df)));
  for (; c < count; ++c) {
    const double value = in[c];
    finite = finite && in[c] - in[c] == 0;
    if (combine == Combine::kCopy) out[c] = value;
    if (combine == Combine::kAdd) out[c] += value;
    if (combine == Combine::kMax) out[c] = out[c] < value ? value : out[c];
    if (combine == Combine::kMin) out[c] = value < out[c] ? value : out[c];
  }
  return finite;
}

uint32_t AndOfWords(const uint32_t* words, size_t count) {
  const hn::ScalableTag<uint32_t> du;
  const size_t lanes = hn::Lanes(du);
  auto all = hn::Set(du, 0xffffffffu);
  size_t i = 0;
  for (; i + lanes <= count; i += lanes) all = hn::And(all, hn::LoadU(du, words + i));
  HWY_ALIGN uint32_t lane_words[hn::MaxLanes(du)];
  hn::Store(all, du, lane_words);
  uint32_t result = 0xffffffff;
  for (size_t lane = 0; lane < lanes; ++lane) result &= lane_words[lane];
  for (; i < count; ++i) result &= words[i];
  return result;
}

PixelByteSums SumPixelBytes(const uint32_t* pixels, size_t count, bool with_alpha) {
  const hn::ScalableTag<uint32_t> du;
  const size_t lanes = hn::Lanes(du);
  const auto byte = hn::Set(du, 0xffu);
  auto sum = hn::Zero(du), by_pixel = hn::Zero(du), by_channel = hn::Zero(du);
  auto index = hn::Iota(du, 0);  // k of each lane
  const auto step = hn::Set(du, static_cast<uint32_t>(lanes));
  size_t k = 0;
  for (; k + lanes <= count; k += lanes) {
    const auto word = hn::LoadU(du, pixels + k);
    const auto g = hn::And(hn::ShiftRight<8>(word), byte), b = hn::And(word, byte);
    auto pixel_sum = hn::Add(hn::Add(hn::And(hn::ShiftRight<16>(word), byte), g), b);
    auto channel_weighted = hn::Add(g, hn::Add(b, b));
    if (with_alpha) {
      const auto alpha = hn::ShiftRight<24>(word);
      pixel_sum = hn::Add(pixel_sum, alpha);
      channel_weighted = hn::Add(channel_weighted, hn::Mul(alpha, hn::Set(du, 3u)));
    }
    sum = hn::Add(sum, pixel_sum);
    by_pixel = hn::Add(by_pixel, hn::Mul(index, pixel_sum));
    by_channel = hn::Add(by_channel, channel_weighted);
    index = hn::Add(index, step);
  }
  PixelByteSums sums{hn::GetLane(hn::SumOfLanes(du, sum)),
                     hn::GetLane(hn::SumOfLanes(du, by_pixel)),
                     hn::GetLane(hn::SumOfLanes(du, by_channel))};
  for (; k < count; ++k) {  // the tail, as the lanes do it
    const uint32_t word = pixels[k];
    const uint32_t g = (word >> 8) & 0xff, b = word & 0xff;
    uint32_t pixel_sum = ((word >> 16) & 0xff) + g + b, channel_weighted = g + 2 * b;
    if (with_alpha) {
      pixel_sum += word >> 24;
      channel_weighted += 3 * (word >> 24);
    }
    sums.sum += pixel_sum;
    sums.by_pixel += static_cast<uint32_t>(k) * pixel_sum;
    sums.by_channel += channel_weighted;
  }
  return sums;
}

}  // namespace attnviz::simd::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace attnviz::simd {

HWY_EXPORT(HalvesToFloats);
HWY_EXPORT(MarkEqualPixels);
HWY_EXPORT(FiniteExtremes);
HWY_EXPORT(ColourLinear);
HWY_EXPORT(AddToColumnMaxima);
HWY_EXPORT(CombineCells);
HWY_EXPORT(AndOfWords);
HWY_EXPORT(SumPixelBytes);

void HalvesToFloats(const uint16_t* src, size_t count, float* dst) {
  HWY_DYNAMIC_DISPATCH(HalvesToFloats)(src, count, dst);
}

void MarkEqualPixels(const uint32_t* a, const uint32_t* b, size_t count, uint64_t* mask) {
  HWY_DYNAMIC_DISPATCH(MarkEqualPixels)(a, b, count, mask);
}

Extremes FiniteExtremes(const float* values, const uint8_t* masked, size_t count) {
  return HWY_DYNAMIC_DISPATCH(FiniteExtremes)(values, masked, count);
}

void ColourLinear(const LinearLookup& lookup, const float* values, size_t count, uint32_t* out,
                  ColourExactly exact, void* context) {
  HWY_DYNAMIC_DISPATCH(ColourLinear)(lookup, values, count, out, exact, context);
}

void AddToColumnMaxima(const float* values, size_t count, float* max, float* probe) {
  HWY_DYNAMIC_DISPATCH(AddToColumnMaxima)(values, count, max, probe);
}

bool CombineCells(const float* in, size_t count, Combine combine, double* out) {
  return HWY_DYNAMIC_DISPATCH(CombineCells)(in, count, combine, out);
}

uint32_t AndOfWords(const uint32_t* words, size_t count) {
  return HWY_DYNAMIC_DISPATCH(AndOfWords)(words, count);
}

PixelByteSums SumPixelBytes(const uint32_t* pixels, size_t count, bool with_alpha) {
  return HWY_DYNAMIC_DISPATCH(SumPixelBytes)(pixels, count, with_alpha);
}

}  // namespace attnviz::simd
#endif  // HWY_ONCE
