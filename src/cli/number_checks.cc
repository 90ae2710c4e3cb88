// Numeric option checks that quote the value as typed.
#include "cli/number_checks.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>

namespace attnviz::cli {
namespace {

// `text` whole as a finite number ("1e309" is none: it overflows a double).
std::optional<double> ParseFinite(const std::string& text) {
  double value = 0;
  const char* end = text.data() + text.size();
  auto [stop, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || error != std::errc() || stop != end || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

std::string Limit(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", value);
  return text;
}

// A validator accepting the values `accepts` takes, otherwise saying what it `expected`.
CLI::Validator NumberCheck(std::function<bool(double)> accepts, const std::string& expected,
                           const std::string& description) {
  return CLI::Validator(
      [accepts, expected](std::string& text) {
        const std::optional<double> value = ParseFinite(text);
        if (value && accepts(*value)) return std::string();
        return "expected " + expected + ", found '" + text + "'";
      },
      description);
}

}  // namespace

CLI::Validator FiniteNumber() {
  return NumberCheck([](double) { return true; }, "a finite number", "");
}

CLI::Validator NonNegativeNumber() {
  return NumberCheck([](double value) { return value >= 0; }, "a number >= 0", ">= 0");
}

CLI::Validator PositiveNumber() {
  return NumberCheck([](double value) { return value > 0; }, "a number > 0", "> 0");
}

CLI::Validator NumberFrom(double lo, double hi) {
  return NumberCheck([lo, hi](double value) { return value >= lo && value <= hi; },
                     "a number from " + Limit(lo) + " to " + Limit(hi),
                     "in [" + Limit(lo) + ", " + Limit(hi) + "]");
}

CLI::Validator WholeNumberFrom(long long lo, long long hi) {
  const std::string expected =
      "a whole number from " + std::to_string(lo) + " to " + std::to_string(hi);
  return CLI::Validator(
      [lo, hi, expected](std::string& text) {
        long long value = 0;
        const char* end = text.data() + text.size();
        auto [stop, error] = std::from_chars(text.data(), end, value);
        if (error == std::errc() && stop == end && value >= lo && value <= hi) return std::string();
        return "expected " + expected + ", found '" + text + "'";
      },
      "in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
}

}  // namespace attnviz::cli
