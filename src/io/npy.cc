// The .npy format, read without evaluating anything: the header dict is parsed as a literal.
#include "io/npy.h"

#include <cstring>
#include <map>
#include <utility>
#include <variant>

#include "attnviz/error.h"
#include "io/raw_dump.h"

namespace attnviz {

namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr size_t kMagicSize = 6;
constexpr size_t kMaxHeaderBytes = 1 << 20;

uint32_t ReadLittleEndian(const std::byte* p, int bytes) {
  uint32_t value = 0;
  for (int i = bytes - 1; i >= 0; --i) value = value << 8 | static_cast<uint8_t>(p[i]);
  return value;
}

using HeaderValue = std::variant<std::string, bool, std::vector<int64_t>>;

// A recursive-descent reader for the one dict literal numpy writes:
// {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
class HeaderDictParser {
 public:
  HeaderDictParser(std::string_view text, const std::string& path) : text_(text), path_(path) {}

  std::map<std::string, HeaderValue> Parse() {
    std::map<std::string, HeaderValue> dict;
    Expect('{', "a dict literal");
    while (!Accept('}')) {
      std::string key = ParseString();
      Expect(':', "':' after '" + key + "'");
      dict[key] = ParseValue(key);
      if (!Accept(',')) {
        Expect('}', "',' or '}'");
        break;
      }
    }
    SkipSpace();
    if (pos_ != text_.size()) Fail("expected the header to end after '}'");
    return dict;
  }

 private:
  HeaderValue ParseValue(const std::string& key) {
    SkipSpace();
    if (Peek() == '\'' || Peek() == '"') return ParseString();
    if (Peek() == '(') return ParseTuple();
    if (Peek() == '[') Fail("'" + key + "' is a list: structured dtypes are not attention weights");
    if (AcceptWord("True")) return true;
    if (AcceptWord("False")) return false;
    Fail("expected a string, True, False or a tuple for '" + key + "', found " + Found());
  }

  std::vector<int64_t> ParseTuple() {
    std::vector<int64_t> values;
    Expect('(', "'('");
    while (!Accept(')')) {
      values.push_back(ParseDimension());
      if (!Accept(',')) {
        Expect(')', "',' or ')' in the shape");
        break;
      }
    }
    return values;
  }

  int64_t ParseDimension() {
    SkipSpace();
    if (Peek() == '-') Fail("expected a non-negative dimension, found a negative one");
    if (Peek() < '0' || Peek() > '9') Fail("expected a dimension, found " + Found());
    int64_t value = 0;
    while (Peek() >= '0' && Peek() <= '9') {
      if (__builtin_mul_overflow(value, 10, &value) ||
          __builtin_add_overflow(value, text_[pos_] - '0', &value)) {
        Fail("dimension does not fit in 64 bits");
      }
      ++pos_;
    }
    if (Peek() == 'L') ++pos_;  // Python 2 long suffix
    return value;
  }

  std::string ParseString() {
    SkipSpace();
    const char quote = Peek();
    if (quote != '\'' && quote != '"') Fail("expected a quoted key, found " + Found());
    const size_t end = text_.find(quote, pos_ + 1);
    if (end == std::string_view::npos) Fail("unterminated string in the header");
    std::string value(text_.substr(pos_ + 1, end - pos_ - 1));
    pos_ = end + 1;
    return value;
  }

  char Peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  void SkipSpace() {
    while (pos_ < text_.size() && std::strchr(" \t\n\r", text_[pos_]) != nullptr) ++pos_;
  }
  bool Accept(char c) {
    SkipSpace();
    if (Peek() != c) return false;
    ++pos_;
    return true;
  }
  bool AcceptWord(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }
  void Expect(char c, const std::string& what) {
    if (!Accept(c)) Fail("expected " + what + " in the npy header, found " + Found());
  }
  std::string Found() const {
    if (pos_ >= text_.size()) return "the end of the header";
    // Appended piece by piece: GCC 12 warns (-Wrestrict, a false positive) on "'" + string.
    std::string found = "'";
    found += text_.substr(pos_, 12);
    return found += "'";
  }
  [[noreturn]] void Fail(const std::string& what) const { ThrowInputError(path_, what); }

  std::string_view text_;
  size_t pos_ = 0;
  const std::string& path_;
};

template <typename T>
const T& Field(const std::map<std::string, HeaderValue>& dict, const char* key,
               const char* type_name, const std::string& path) {
  const auto it = dict.find(key);
  if (it == dict.end()) ThrowInputError(path, std::string("npy header has no '") + key + "'");
  const T* value = std::get_if<T>(&it->second);
  if (value == nullptr) {
    ThrowInputError(path, std::string("npy header '") + key + "' is not " + type_name);
  }
  return *value;
}

ByteOrder ParseByteOrder(char c) {
  if (c == '<') return ByteOrder::kLittle;
  if (c == '>') return ByteOrder::kBig;
  return NativeByteOrder();  // '=' or '|'
}

DType FloatDType(char size) {
  if (size == '2') return DType::kF16;
  if (size == '4') return DType::kF32;
  return DType::kF64;
}

// Element size of a string descr such as "<U7" (28) or "|S5" (5), or 0 when not one.
size_t StringItemSize(const std::string& descr, char kind) {
  if (descr.size() < 3 || descr[1] != kind) return 0;
  // At most 1 MiB characters: a longer token is not a token, and 4 * count must not wrap.
  constexpr size_t kMaxChars = 1 << 20;
  const size_t count = std::strtoull(descr.c_str() + 2, nullptr, 10);
  if (count > kMaxChars) return 0;
  return kind == 'U' ? count * 4 : count;
}

void AppendUtf8(uint32_t code, std::string& out) {
  if (code < 0x80) {
    out += static_cast<char>(code);
  } else if (code < 0x800) {
    out += static_cast<char>(0xC0 | code >> 6);
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else if (code < 0x10000) {
    out += static_cast<char>(0xE0 | code >> 12);
    out += static_cast<char>(0x80 | (code >> 6 & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | code >> 18);
    out += static_cast<char>(0x80 | (code >> 12 & 0x3F));
    out += static_cast<char>(0x80 | (code >> 6 & 0x3F));
    out += static_cast<char>(0x80 | (code & 0x3F));
  }
}

std::string DecodeUtf32(const std::byte* p, size_t chars, bool big_endian,
                        const std::string& path) {
  std::string out;
  for (size_t i = 0; i < chars; ++i) {
    uint32_t code = ReadLittleEndian(p + 4 * i, 4);
    if (big_endian) code = __builtin_bswap32(code);
    if (code == 0) break;
    if (code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) {
      ThrowInputError(path, "token array holds an invalid code point");
    }
    AppendUtf8(code, out);
  }
  return out;
}

// Bytes the data of `header` takes, or throws when the product overflows. A zero extent does not
// hide the others: strides are products of them, so (0, 2^40, 2^40) is refused too.
uint64_t DataBytes(const NpyHeader& header, uint64_t item_size, const std::string& path) {
  uint64_t bytes = item_size;
  bool empty = false;
  for (int64_t extent : header.shape) {
    empty = empty || extent == 0;
    if (extent != 0 && __builtin_mul_overflow(bytes, static_cast<uint64_t>(extent), &bytes)) {
      ThrowInputError(path, "header shape " + FormatShape(header.shape) + " overflows 64 bits");
    }
  }
  return empty ? 0 : bytes;
}

void CheckDataSize(const NpyHeader& header, uint64_t item_size, size_t available,
                   const std::string& path) {
  const uint64_t needed = DataBytes(header, item_size, path);
  if (needed != available) {
    ThrowInputError(path, "header says shape " + FormatShape(header.shape) + " " +
                              DescribeDescr(header.descr) + " = " + std::to_string(needed) +
                              " bytes, file has " + std::to_string(available) +
                              " bytes after the header");
  }
}

}  // namespace

std::string FormatShape(std::span<const int64_t> shape) {
  std::string text = "(";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) text += ", ";
    text += std::to_string(shape[i]);
  }
  return text + (shape.size() == 1 ? ",)" : ")");
}

std::string DescribeDescr(const std::string& descr) {
  if (descr.size() < 2) return "'" + descr + "'";
  // An item size of at most 3 digits (numpy's largest number is complex256): a longer one names
  // no dtype, and its bit count would overflow.
  const std::string size = descr.substr(2);
  const bool small_size = !size.empty() && size.size() <= 3 &&
                          size.find_first_not_of("0123456789") == std::string::npos;
  if (!small_size && std::strchr("fiucb", descr[1]) != nullptr) {
    return "unknown dtype ('" + descr + "')";
  }
  const int bytes = small_size ? std::stoi(size) : 0;
  std::string name;
  switch (descr[1]) {
    case 'f':
      name = "float" + std::to_string(bytes * 8);
      break;
    case 'i':
      name = "int" + std::to_string(bytes * 8);
      break;
    case 'u':
      name = "uint" + std::to_string(bytes * 8);
      break;
    case 'c':
      name = "complex" + std::to_string(bytes * 8);
      break;
    case 'b':
      name = "bool";
      break;
    case 'O':
      name = "object";
      break;
    case 'U':
      name = "unicode string";
      break;
    case 'S':
      name = "bytes";
      break;
    case 'V':
      name = "void/structured";
      break;
    case 'M':
      name = "datetime";
      break;
    case 'm':
      name = "timedelta";
      break;
    default:
      name = "unknown dtype";
  }
  return name + " ('" + descr + "')";
}

bool IsFloatDescr(const std::string& descr) {
  return descr.size() == 3 && std::strchr("<>=|", descr[0]) != nullptr && descr[1] == 'f' &&
         std::strchr("248", descr[2]) != nullptr;
}

NpyHeader ParseNpyHeader(std::span<const std::byte> bytes, const std::string& path) {
  if (bytes.size() < kMagicSize || std::memcmp(bytes.data(), kMagic, kMagicSize) != 0) {
    ThrowInputError(path, "expected the npy magic \\x93NUMPY, found " +
                              std::to_string(bytes.size()) + " bytes without it");
  }
  if (bytes.size() < kMagicSize + 2) ThrowInputError(path, "truncated npy header: no version");
  NpyHeader header;
  header.major_version = static_cast<uint8_t>(bytes[6]);
  if (header.major_version < 1 || header.major_version > 3) {
    ThrowInputError(path, "expected npy format version 1.0, 2.0 or 3.0, found " +
                              std::to_string(header.major_version) + "." +
                              std::to_string(static_cast<uint8_t>(bytes[7])));
  }
  const int length_bytes = header.major_version == 1 ? 2 : 4;
  if (bytes.size() < kMagicSize + 2 + length_bytes) ThrowInputError(path, "truncated npy header");
  const size_t header_length = ReadLittleEndian(bytes.data() + 8, length_bytes);
  header.data_offset = kMagicSize + 2 + length_bytes + header_length;
  if (header_length > kMaxHeaderBytes || header.data_offset > bytes.size()) {
    ThrowInputError(path, "npy header says it is " + std::to_string(header_length) +
                              " bytes long, file has " +
                              std::to_string(bytes.size() - kMagicSize - 2 - length_bytes) +
                              " bytes after the length field");
  }
  const std::string_view text(reinterpret_cast<const char*>(bytes.data()) + 8 + length_bytes,
                              header_length);
  const auto dict = HeaderDictParser(text, path).Parse();
  header.descr = Field<std::string>(dict, "descr", "a string", path);
  header.fortran_order = Field<bool>(dict, "fortran_order", "True or False", path);
  header.shape = Field<std::vector<int64_t>>(dict, "shape", "a tuple", path);
  return header;
}

ArrayView ReadNpyArray(std::shared_ptr<const ByteSource> source, std::span<const std::byte> bytes,
                       const std::string& path) {
  const NpyHeader header = ParseNpyHeader(bytes, path);
  if (!IsFloatDescr(header.descr)) {
    ThrowInputError(path, "expected a float array (float16, float32 or float64), found " +
                              DescribeDescr(header.descr));
  }
  const int rank = static_cast<int>(header.shape.size());
  if (rank < 2 || rank > 5) {
    ThrowInputError(path, "expected an array of rank 2 to 5, found rank " + std::to_string(rank) +
                              " shape " + FormatShape(header.shape));
  }
  ArrayView array;
  array.dtype = FloatDType(header.descr[2]);
  array.byte_order = ParseByteOrder(header.descr[0]);
  CheckDataSize(header, DTypeSize(array.dtype), bytes.size() - header.data_offset, path);
  array.source = std::move(source);
  array.data = bytes.data() + header.data_offset;
  array.shape = header.shape;
  array.strides =
      header.fortran_order ? ColumnMajorStrides(array.shape) : RowMajorStrides(array.shape);
  return array;
}

namespace {

// The C-order index of element (row, col) of a rank-1 or rank-2 array stored as `header` says.
size_t ElementIndex(const NpyHeader& header, int64_t row, int64_t col) {
  if (header.shape.size() < 2) return static_cast<size_t>(col);
  return static_cast<size_t>(header.fortran_order ? col * header.shape[0] + row
                                                  : row * header.shape[1] + col);
}

// Rows and columns of a rank-1 (one row) or rank-2 array.
std::pair<int64_t, int64_t> RowsAndColumns(const NpyHeader& header) {
  if (header.shape.size() == 1) return {1, header.shape[0]};
  return {header.shape[0], header.shape[1]};
}

bool IsMaskDescr(const std::string& descr) {
  if (descr.size() != 3 || std::strchr("<>=|", descr[0]) == nullptr) return false;
  if (descr[1] == 'b') return descr[2] == '1';
  if (descr[1] == 'i' || descr[1] == 'u') return std::strchr("1248", descr[2]) != nullptr;
  return IsFloatDescr(descr);
}

// Whether the element at `p` (a mask dtype, see IsMaskDescr) is not zero.
bool NonZero(const std::byte* p, const std::string& descr) {
  const int size = descr[2] - '0';
  if (descr[1] == 'f') {
    float value = 0;
    ConvertToFloat(p, FloatDType(descr[2]), ParseByteOrder(descr[0]), 1, 1, &value);
    return value != 0;
  }
  // Integers of either byte order are not zero when any byte is not.
  for (int i = 0; i < size; ++i) {
    if (p[i] != std::byte{0}) return true;
  }
  return false;
}

}  // namespace

std::vector<std::vector<std::string>> ReadNpyStringRows(std::span<const std::byte> bytes,
                                                        const std::string& path) {
  const NpyHeader header = ParseNpyHeader(bytes, path);
  const bool unicode = StringItemSize(header.descr, 'U') > 0;
  const size_t item_size =
      unicode ? StringItemSize(header.descr, 'U') : StringItemSize(header.descr, 'S');
  if (item_size == 0 || header.shape.empty() || header.shape.size() > 2) {
    ThrowInputError(path,
                    "expected tokens as a 1-D or 2-D (batch, n) unicode or bytes array, "
                    "found shape " +
                        FormatShape(header.shape) + " " + DescribeDescr(header.descr));
  }
  CheckDataSize(header, item_size, bytes.size() - header.data_offset, path);
  const auto [rows, cols] = RowsAndColumns(header);
  std::vector<std::vector<std::string>> tokens(static_cast<size_t>(rows));
  for (int64_t row = 0; row < rows; ++row) {
    for (int64_t col = 0; col < cols; ++col) {
      const std::byte* data =
          bytes.data() + header.data_offset + ElementIndex(header, row, col) * item_size;
      if (unicode) {
        tokens[row].push_back(DecodeUtf32(data, item_size / 4, header.descr[0] == '>', path));
      } else {
        const char* chars = reinterpret_cast<const char*>(data);
        tokens[row].emplace_back(chars, strnlen(chars, item_size));
      }
    }
  }
  return tokens;
}

std::vector<std::vector<bool>> ReadNpyMask(std::span<const std::byte> bytes,
                                           const std::string& path) {
  const NpyHeader header = ParseNpyHeader(bytes, path);
  if (!IsMaskDescr(header.descr) || header.shape.empty() || header.shape.size() > 2) {
    ThrowInputError(path,
                    "expected an attention mask of bool, integers or floats, shape (n) or "
                    "(batch, n), found shape " +
                        FormatShape(header.shape) + " " + DescribeDescr(header.descr));
  }
  const size_t item_size = static_cast<size_t>(header.descr[2] - '0');
  CheckDataSize(header, item_size, bytes.size() - header.data_offset, path);
  const auto [rows, cols] = RowsAndColumns(header);
  std::vector<std::vector<bool>> mask(static_cast<size_t>(rows));
  for (int64_t row = 0; row < rows; ++row) {
    for (int64_t col = 0; col < cols; ++col) {
      const std::byte* data =
          bytes.data() + header.data_offset + ElementIndex(header, row, col) * item_size;
      mask[row].push_back(NonZero(data, header.descr));
    }
  }
  return mask;
}

std::vector<std::string> ReadNpyStrings(std::span<const std::byte> bytes, const std::string& path) {
  const NpyHeader header = ParseNpyHeader(bytes, path);
  const bool unicode = StringItemSize(header.descr, 'U') > 0;
  const size_t item_size =
      unicode ? StringItemSize(header.descr, 'U') : StringItemSize(header.descr, 'S');
  if (item_size == 0 || header.shape.size() != 1) {
    ThrowInputError(path, "expected tokens as a 1-D unicode or bytes array, found shape " +
                              FormatShape(header.shape) + " " + DescribeDescr(header.descr));
  }
  CheckDataSize(header, item_size, bytes.size() - header.data_offset, path);
  std::vector<std::string> tokens;
  const std::byte* data = bytes.data() + header.data_offset;
  for (int64_t i = 0; i < header.shape[0]; ++i, data += item_size) {
    if (unicode) {
      tokens.push_back(DecodeUtf32(data, item_size / 4, header.descr[0] == '>', path));
    } else {
      const char* chars = reinterpret_cast<const char*>(data);
      tokens.emplace_back(chars, strnlen(chars, item_size));
    }
  }
  return tokens;
}

RawDump ReadNpyDump(std::shared_ptr<const ByteSource> source, const std::string& path) {
  RawDump dump;
  const std::span<const std::byte> bytes = source->bytes();
  dump.arrays.push_back(ReadNpyArray(std::move(source), bytes, path));
  return dump;
}

}  // namespace attnviz
