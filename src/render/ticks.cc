// Round tick values and steps, and their labels.
#include "attnviz/render/ticks.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace attnviz {
namespace {

// U+2212, as matplotlib writes negative ticks: a hyphen is too short beside digits.
constexpr const char* kMinusSign = "\u2212";

// Tick steps within one decade, as multiples of its power of ten.
constexpr double kStepMultiples[] = {1, 2, 2.5, 5};

std::vector<double> TicksWithStep(double lo, double hi, double step) {
  std::vector<double> ticks;
  double first = std::ceil(lo / step - 1e-9);
  for (double k = first; k * step <= hi + step * 1e-9; ++k) {
    double value = k * step;
    ticks.push_back(std::abs(value) < step * 1e-9 ? 0.0 : value);
  }
  return ticks;
}

int DecimalsFor(double step) {
  for (int decimals = 0; decimals < 12; ++decimals) {
    double scaled = step * std::pow(10.0, decimals);
    if (std::abs(scaled - std::round(scaled)) <= 1e-6 * std::abs(scaled)) return decimals;
  }
  return 12;
}

// 1, 2, 4, 5, 8, 10, 16, 20, 25, 32, 50, 64, 100, ...: round decimal steps and powers of two.
std::vector<int64_t> IndexStepCandidates() {
  std::vector<int64_t> steps;
  for (int64_t power = 1; power < (int64_t{1} << 60); power *= 2) steps.push_back(power);
  for (int64_t decade = 1; decade < (int64_t{1} << 58); decade *= 10) {
    steps.insert(steps.end(), {decade, 2 * decade, 5 * decade});
    if (decade >= 10) steps.push_back(decade * 5 / 2);
  }
  std::sort(steps.begin(), steps.end());
  steps.erase(std::unique(steps.begin(), steps.end()), steps.end());
  return steps;
}

// The multiples of each power of ten inside [lo, hi].
std::vector<double> DecadeMultiples(double lo, double hi, std::initializer_list<int> multiples) {
  std::vector<double> ticks;
  for (int exponent = static_cast<int>(std::floor(std::log10(lo))) - 1;
       exponent <= static_cast<int>(std::ceil(std::log10(hi))); ++exponent) {
    for (int multiple : multiples) {
      double value = multiple * std::pow(10.0, exponent);
      if (value >= lo * (1 - 1e-9) && value <= hi * (1 + 1e-9)) ticks.push_back(value);
    }
  }
  return ticks;
}

std::string Superscript(int number) {
  static const char* const kDigits[] = {"⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"};
  std::string text = number < 0 ? "⁻" : "";
  for (char digit : std::to_string(std::abs(number))) text += kDigits[digit - '0'];
  return text;
}

int DecimalExponent(double value) { return static_cast<int>(std::floor(std::log10(value) + 1e-9)); }

// "0.01", "500": as many decimals as the power of ten needs.
std::string PlainLogTick(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.*f", std::max(0, -DecimalExponent(value)), value);
  return text;
}

// "10⁻⁵", "2×10⁴", "10⁰".
std::string PowerOfTenTick(double value) {
  const int exponent = DecimalExponent(value);
  const int digit = static_cast<int>(std::lround(value / std::pow(10.0, exponent)));
  return (digit == 1 ? "" : std::to_string(digit) + "×") + "10" + Superscript(exponent);
}

}  // namespace

std::vector<double> LogTicks(double lo, double hi, int max_ticks) {
  if (!(lo > 0) || !(hi > lo)) return {lo};
  std::vector<double> decades = DecadeMultiples(lo, hi, {1});
  if (decades.size() < 2) {
    std::vector<double> finer = DecadeMultiples(lo, hi, {1, 2, 5});
    if (finer.size() >= 2 && static_cast<int>(finer.size()) <= std::max(max_ticks, 2)) return finer;
    return decades.empty() ? std::vector<double>{lo, hi} : decades;
  }
  size_t every = (decades.size() + max_ticks - 1) / std::max(max_ticks, 1);
  std::vector<double> ticks;
  for (size_t i = 0; i < decades.size(); i += std::max<size_t>(every, 1))
    ticks.push_back(decades[i]);
  return ticks;
}

std::string FormatLogTick(double value) {
  const int exponent = DecimalExponent(value);
  if (exponent >= -3 && exponent <= 3) return PlainLogTick(value);
  return PowerOfTenTick(value);
}

std::vector<std::string> FormatLogTicks(const std::vector<double>& ticks) {
  const bool plain = std::all_of(ticks.begin(), ticks.end(), [](double value) {
    return DecimalExponent(value) >= -3 && DecimalExponent(value) <= 3;
  });
  std::vector<std::string> labels;
  for (double value : ticks) labels.push_back(plain ? PlainLogTick(value) : PowerOfTenTick(value));
  return labels;
}

std::vector<ValueTick> ValueTicks(double lo, double hi, bool log, int max_ticks) {
  std::vector<ValueTick> ticks;
  std::vector<double> values = log ? LogTicks(lo, hi, max_ticks) : NiceTicks(lo, hi, max_ticks);
  std::vector<std::string> labels = log ? FormatLogTicks(values) : FormatTicks(values);
  for (size_t i = 0; i < values.size(); ++i) ticks.push_back({values[i], labels[i]});
  return ticks;
}

std::vector<double> NiceTicks(double lo, double hi, int max_ticks) {
  if (!(hi > lo) || max_ticks < 2) return {lo};
  double decade = std::pow(10.0, std::floor(std::log10((hi - lo) / max_ticks)));
  for (int attempt = 0; attempt < 4; ++attempt, decade *= 10) {
    for (double multiple : kStepMultiples) {
      std::vector<double> ticks = TicksWithStep(lo, hi, multiple * decade);
      if (static_cast<int>(ticks.size()) <= max_ticks) return ticks;
    }
  }
  return {lo, hi};
}

std::vector<std::string> FormatTicks(const std::vector<double>& ticks) {
  double step = ticks.size() > 1 ? ticks[1] - ticks[0] : 1;
  int decimals = ticks.size() > 1 ? DecimalsFor(step) : DecimalsFor(std::abs(ticks[0]));
  std::vector<std::string> labels;
  for (double tick : ticks) {
    char text[64];
    std::snprintf(text, sizeof text, "%.*f", decimals, std::abs(tick));
    std::string digits = text;
    bool negative = tick < 0 && digits.find_first_not_of("0.") != std::string::npos;
    labels.push_back((negative ? kMinusSign : "") + digits);
  }
  return labels;
}

int64_t IndexTickStep(double min_step) {
  static const std::vector<int64_t> candidates = IndexStepCandidates();
  for (int64_t step : candidates) {
    if (static_cast<double>(step) >= min_step) return step;
  }
  return candidates.back();
}

}  // namespace attnviz
