// JSON as Python's json module writes it: the bare words NaN and ±Infinity are numbers.
//
// nlohmann::json refuses those words. Rather than a second JSON parser, a pre-pass finds them
// outside strings, blanks them to a same-length "0   " (so byte offsets in messages stay true),
// and notes which number of the document each one is; nlohmann's SAX parser then builds the
// document and the builder swaps the noted numbers for NaN or ±Inf.
#include "io/python_json.h"

#include <cstdint>
#include <limits>
#include <optional>
#include <utility>
#include <vector>

#include "attnviz/error.h"

namespace attnviz {

namespace {

using Json = nlohmann::json;

// A NaN or ±Infinity word of the text, and how many numbers of the document come before it.
struct PythonConstant {
  size_t offset = 0;
  size_t length = 0;
  uint64_t ordinal = 0;
  double value = 0;
};

// What may stand on either side of a JSON value.
bool IsDelimiter(char c) {
  return c == '[' || c == ']' || c == '{' || c == '}' || c == ',' || c == ':' || c == ' ' ||
         c == '\t' || c == '\n' || c == '\r';
}

bool IsNumberChar(char c) {
  return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

// The constant spelled at `at` when it stands alone between delimiters.
std::optional<PythonConstant> ConstantAt(std::string_view text, size_t at) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  static constexpr std::pair<std::string_view, double> kWords[] = {
      {"NaN", std::numeric_limits<double>::quiet_NaN()}, {"Infinity", kInf}, {"-Infinity", -kInf}};
  if (at > 0 && !IsDelimiter(text[at - 1])) return std::nullopt;
  for (const auto& [word, value] : kWords) {
    const size_t end = at + word.size();
    if (text.substr(at, word.size()) == word && (end == text.size() || IsDelimiter(text[end]))) {
      return PythonConstant{at, word.size(), 0, value};
    }
  }
  return std::nullopt;
}

// Every constant outside strings, numbered among the numbers as the parser will meet them: in
// JSON the parser accepts, each number is one run of number characters after a delimiter.
std::vector<PythonConstant> FindConstants(std::string_view text) {
  std::vector<PythonConstant> found;
  uint64_t numbers = 0;
  bool in_string = false, in_number = false;
  for (size_t at = 0; at < text.size(); ++at) {
    const char c = text[at];
    if (in_string) {
      if (c == '\\') {
        ++at;  // the escaped character, which may be a quote
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (in_number && IsNumberChar(c)) continue;
    in_number = false;
    if (c == '"') {
      in_string = true;
    } else if (const auto constant =
                   (c == 'N' || c == 'I' || c == '-') ? ConstantAt(text, at) : std::nullopt) {
      found.push_back(*constant);
      found.back().ordinal = numbers++;
      at += constant->length - 1;
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      in_number = true;
      ++numbers;
    }
  }
  return found;
}

// `text` with each constant replaced by a 0 and spaces of the same length.
std::string Blanked(std::string_view text, const std::vector<PythonConstant>& constants) {
  std::string copy(text);
  for (const PythonConstant& constant : constants) {
    copy.replace(constant.offset, constant.length, constant.length, ' ');
    copy[constant.offset] = '0';
  }
  return copy;
}

// Builds the document from nlohmann's SAX events (the interface json::sax_parse expects), giving
// the numbers at the constants' ordinals their values. Containers are built in place through a
// stack of open ones, so nesting depth costs no recursion.
class DocumentBuilder {
 public:
  explicit DocumentBuilder(const std::vector<PythonConstant>& constants) : constants_(constants) {}

  bool null() { return Add(nullptr); }
  bool boolean(bool value) { return Add(value); }
  bool number_integer(Json::number_integer_t value) { return AddNumber(value); }
  bool number_unsigned(Json::number_unsigned_t value) { return AddNumber(value); }
  bool number_float(Json::number_float_t value, const Json::string_t& /*text*/) {
    return AddNumber(value);
  }
  bool string(Json::string_t& value) { return Add(std::move(value)); }
  bool binary(Json::binary_t& /*value*/) { return false; }  // JSON text holds none
  bool start_object(size_t /*elements*/) { return Open(Json::object()); }
  bool key(Json::string_t& name) {
    key_ = std::move(name);
    return true;
  }
  bool end_object() { return Close(); }
  bool start_array(size_t /*elements*/) { return Open(Json::array()); }
  bool end_array() { return Close(); }
  bool parse_error(size_t position, const std::string& token, const Json::exception& error) {
    error_position_ = position;
    error_token_ = token;
    number_overflow_ = error.id == 406;  // nlohmann's "number overflow", e.g. 1e999
    return false;
  }

  // Throws the input error the parser stopped at, naming `path`.
  [[noreturn]] void ThrowParseError(const std::string& path, size_t size) const {
    if (number_overflow_) {
      ThrowInputError(path,
                      "expected numbers within the range of float64, found '" + error_token_ + "'");
    }
    ThrowInputError(path, "invalid JSON at byte " + std::to_string(error_position_) +
                              (error_position_ >= size ? " (truncated?)" : ""));
  }

  // The document, once every constant found its number.
  Json Take(const std::string& path) {
    if (next_constant_ != constants_.size()) {
      ThrowInputError(path, "expected NaN and Infinity only where a number belongs");
    }
    return std::move(root_);
  }

 private:
  Json* Place(Json value) {
    if (open_.empty()) {
      root_ = std::move(value);
      return &root_;
    }
    Json& parent = *open_.back();
    if (parent.is_array()) {
      parent.push_back(std::move(value));
      return &parent.back();
    }
    Json& slot = parent[key_];
    slot = std::move(value);
    return &slot;
  }

  bool Add(Json value) {
    Place(std::move(value));
    return true;
  }

  template <typename Number>
  bool AddNumber(Number number) {
    const bool constant =
        next_constant_ < constants_.size() && constants_[next_constant_].ordinal == numbers_;
    ++numbers_;
    return Add(constant ? Json(constants_[next_constant_++].value) : Json(number));
  }

  bool Open(Json container) {
    open_.push_back(Place(std::move(container)));
    return true;
  }

  bool Close() {
    open_.pop_back();
    return true;
  }

  const std::vector<PythonConstant>& constants_;
  size_t next_constant_ = 0;
  uint64_t numbers_ = 0;
  Json root_;
  std::vector<Json*> open_;
  std::string key_;
  size_t error_position_ = 0;
  std::string error_token_;
  bool number_overflow_ = false;
};

}  // namespace

Json ParsePythonJson(std::string_view text, const std::string& path) {
  const std::vector<PythonConstant> constants = FindConstants(text);
  const std::string blanked = constants.empty() ? std::string() : Blanked(text, constants);
  const std::string_view parsed = constants.empty() ? text : std::string_view(blanked);
  DocumentBuilder builder(constants);
  if (!Json::sax_parse(parsed.begin(), parsed.end(), &builder)) {
    builder.ThrowParseError(path, text.size());
  }
  return builder.Take(path);
}

}  // namespace attnviz
