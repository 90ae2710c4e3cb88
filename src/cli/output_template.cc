// Parsing and expanding -o templates, and deciding between one file per figure and PDF pages.
#include "cli/output_template.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <set>
#include <utility>

#include "attnviz/error.h"

namespace attnviz::cli {

namespace {

[[noreturn]] void ThrowBadTemplate(std::string_view pattern, const std::string& what) {
  ThrowUsageError("-o " + std::string(pattern) + ": " + what);
}

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

std::string FormatField(const std::variant<std::string, int64_t>& value, int width) {
  if (const std::string* text = std::get_if<std::string>(&value)) return *text;
  char digits[32];
  std::snprintf(digits, sizeof digits, "%0*lld", width,
                static_cast<long long>(std::get<int64_t>(value)));
  return digits;
}

std::string KnownFields(const TemplateFields& fields) {
  std::string names;
  for (const auto& [name, value] : fields) names += (names.empty() ? "{" : ", {") + name + "}";
  return names;
}

// The fields whose values differ between figures: the ones a template must use.
std::vector<std::string> VaryingFields(const std::vector<TemplateFields>& figures) {
  std::vector<std::string> varying;
  for (const auto& [name, value] : figures.front()) {
    for (const TemplateFields& figure : figures) {
      auto found = figure.find(name);
      if (found != figure.end() && found->second != value) {
        varying.push_back(name);
        break;
      }
    }
  }
  return varying;
}

std::string Braced(const std::vector<std::string>& names) {
  std::string text;
  for (size_t i = 0; i < names.size(); ++i) {
    text += (i == 0 ? "" : i + 1 == names.size() ? " and " : ", ") + ("{" + names[i] + "}");
  }
  return text;
}

[[noreturn]] void ThrowSharedNames(const std::string& output,
                                   const std::vector<TemplateFields>& figures,
                                   bool pages_possible) {
  if (output == "-") {
    ThrowUsageError(
        "-o -: " + std::to_string(figures.size()) + " figures cannot share standard output" +
        (pages_possible ? "; write them as one PDF (--format pdf), or name" : "; name") +
        " files with a template such as figs/L{layer}_H{head}.png");
  }
  const std::vector<std::string> varying = VaryingFields(figures);
  const std::string fix =
      varying.empty() ? "input files of the same name in different folders need runs of their own"
                      : "put " + Braced(varying) + " in it";
  ThrowUsageError("-o " + output + ": " + std::to_string(figures.size()) +
                  " figures would share a file name; " + fix +
                  (pages_possible ? ", or write one .pdf with a page each" : ""));
}

// An output Error when an output path is one of the inputs: one stat per existing output.
void CheckNoneIsInput(const std::vector<std::string>& paths,
                      const std::vector<std::string>& inputs) {
  std::set<std::pair<dev_t, ino_t>> input_files;
  struct stat info;
  for (const std::string& input : inputs) {
    if (input != "-" && stat(input.c_str(), &info) == 0) {
      input_files.insert({info.st_dev, info.st_ino});
    }
  }
  for (const std::string& path : paths) {
    if (path == "-") continue;  // standard output
    if (stat(path.c_str(), &info) == 0 && input_files.count({info.st_dev, info.st_ino})) {
      ThrowOutputError(path, "refusing to overwrite the input file");
    }
  }
}

}  // namespace

OutputTemplate::OutputTemplate(std::string_view pattern) : pattern_(pattern) {
  std::string literal;
  for (size_t at = 0; at < pattern.size(); ++at) {
    char c = pattern[at];
    if ((c == '{' || c == '}') && at + 1 < pattern.size() && pattern[at + 1] == c) {
      literal += c;
      ++at;
      continue;
    }
    if (c == '}') ThrowBadTemplate(pattern, "a '}' without '{' (write }} for a literal brace)");
    if (c != '{') {
      literal += c;
      continue;
    }
    size_t close = pattern.find('}', at);
    if (close == std::string_view::npos) ThrowBadTemplate(pattern, "a '{' without '}'");
    std::string_view field = pattern.substr(at + 1, close - at - 1);
    size_t colon = field.find(':');
    Piece piece{std::string(field.substr(0, colon)), true, 0};
    if (piece.text.empty() || !std::all_of(piece.text.begin(), piece.text.end(), IsNameChar)) {
      ThrowBadTemplate(pattern, "'{" + std::string(field) + "}' is not a field such as {layer}");
    }
    if (colon != std::string_view::npos) {
      std::string_view spec = field.substr(colon + 1);
      if (spec.size() < 2 || spec[0] != '0' ||
          !std::all_of(spec.begin() + 1, spec.end(), [](char d) { return d >= '0' && d <= '9'; })) {
        ThrowBadTemplate(pattern, "'{" + std::string(field) + "}': expected a width such as :02");
      }
      piece.width = std::stoi(std::string(spec.substr(1)));
    }
    if (!literal.empty()) pieces_.push_back({std::exchange(literal, {}), false, 0});
    pieces_.push_back(std::move(piece));
    at = close;
  }
  if (!literal.empty()) pieces_.push_back({literal, false, 0});
}

bool OutputTemplate::HasFields() const {
  return std::any_of(pieces_.begin(), pieces_.end(), [](const Piece& p) { return p.is_field; });
}

bool OutputTemplate::Has(std::string_view name) const {
  return std::any_of(pieces_.begin(), pieces_.end(),
                     [&](const Piece& p) { return p.is_field && p.text == name; });
}

std::string OutputTemplate::Render(const TemplateFields& fields, bool strict) const {
  std::string out;
  for (const Piece& piece : pieces_) {
    if (!piece.is_field) {
      out += piece.text;
      continue;
    }
    auto found = fields.find(piece.text);
    if (found != fields.end()) {
      out += FormatField(found->second, piece.width);
    } else if (strict) {
      ThrowBadTemplate(pattern_, "unknown field {" + piece.text + "}; this command knows " +
                                     KnownFields(fields));
    } else {
      out += "{" + piece.text + (piece.width ? ":0" + std::to_string(piece.width) : "") + "}";
    }
  }
  return out;
}

std::string OutputTemplate::Expand(const TemplateFields& fields) const {
  return Render(fields, true);
}

std::string OutputTemplate::ExpandKnown(const TemplateFields& fields) const {
  return Render(fields, false);
}

std::string ExtensionOf(ImageFormat format) {
  switch (format) {
    case ImageFormat::kPng:
      return "png";
    case ImageFormat::kSvg:
      return "svg";
    case ImageFormat::kPdf:
      return "pdf";
  }
  return "png";
}

FigureOutputs PlanFigureOutputs(const std::string& output, ImageFormat format,
                                const std::vector<TemplateFields>& figures,
                                const std::string& input) {
  return PlanFigureOutputs(output, format, figures, std::vector<std::string>{input}, true);
}

FigureOutputs PlanFigureOutputs(const std::string& output, ImageFormat format,
                                const std::vector<TemplateFields>& figures,
                                const std::vector<std::string>& inputs, bool pages_possible) {
  OutputTemplate pattern(output);
  FigureOutputs outputs;
  std::set<std::string> seen;
  bool repeated = false;
  for (const TemplateFields& figure : figures) {
    std::string path = pattern.Expand(figure);
    repeated |= !seen.insert(path).second;
    outputs.paths.push_back(std::move(path));
  }
  if (repeated && seen.size() == 1 && format == ImageFormat::kPdf && pages_possible) {
    outputs.paths.resize(1);
    outputs.pdf_pages = true;
  } else if (repeated) {
    ThrowSharedNames(output, figures, pages_possible);
  }
  CheckNoneIsInput(outputs.paths, inputs);
  return outputs;
}

}  // namespace attnviz::cli
