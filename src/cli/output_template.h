// Output names for several figures from one -o: "figs/{stem}_L{layer}_H{head}.{ext}".
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "attnviz/render/image_format.h"

namespace attnviz::cli {

// The values of a template's fields for one figure: text ("stem", "ext") or numbers ("layer",
// "head"). Numbers may be zero-padded in the template: {layer:02} gives "03".
using TemplateFields = std::map<std::string, std::variant<std::string, int64_t>, std::less<>>;

// A pattern with {name} and {name:0N} fields; "{{" and "}}" stand for literal braces.
class OutputTemplate {
 public:
  // Throws a usage Error for an unclosed brace or a malformed field.
  explicit OutputTemplate(std::string_view pattern);

  const std::string& pattern() const { return pattern_; }
  bool HasFields() const;
  bool Has(std::string_view name) const;

  // The pattern with every field replaced. Throws a usage Error naming a field that `fields`
  // lacks, and the fields it has.
  std::string Expand(const TemplateFields& fields) const;
  // The same, but fields that `fields` lacks stay as written (for titles, which may hold braces).
  std::string ExpandKnown(const TemplateFields& fields) const;

 private:
  struct Piece {
    std::string text;  // literal text, or the field's name
    bool is_field = false;
    int width = 0;  // {name:0N}: zero-padded to N digits
  };

  std::string Render(const TemplateFields& fields, bool strict) const;

  std::string pattern_;
  std::vector<Piece> pieces_;
};

// Where a command's figures go.
struct FigureOutputs {
  std::vector<std::string> paths;  // one per figure, or one for all pages of a PDF
  bool pdf_pages = false;          // every figure a page of paths[0]
};

// Expands `output` once per figure. When every figure would get the same name, a PDF takes one
// page per figure; any other format (and any other repeated name) is a usage Error that says
// which fields to add. Also refuses (output Error) a name that is the input file.
FigureOutputs PlanFigureOutputs(const std::string& output, ImageFormat format,
                                const std::vector<TemplateFields>& figures,
                                const std::string& input);

// The same for the figures of several input files (a batch): `pages_possible` is false for
// commands that cannot put several figures in one PDF, and no name may be one of `inputs`.
FigureOutputs PlanFigureOutputs(const std::string& output, ImageFormat format,
                                const std::vector<TemplateFields>& figures,
                                const std::vector<std::string>& inputs, bool pages_possible);

// "png", "svg" or "pdf": the {ext} field.
std::string ExtensionOf(ImageFormat format);

}  // namespace attnviz::cli
