// Several input files in one call: glob expansion, the figures of every file as numbered work
// items, --shard I/N to split them between processes, -j threads and a progress bar.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/figure_options.h"
#include "cli/output_template.h"
#include "cli/table.h"

namespace attnviz::cli {

// Shard `index` of `count`: it owns work items index, index + count, index + 2 count, ...
struct Shard {
  size_t index = 0;
  size_t count = 1;

  bool Owns(size_t item) const { return item % count == index; }
};

// "I/N" with 0 <= I < N; an empty text is the whole work (0/1). A usage Error otherwise.
Shard ParseShard(std::string_view text);

// Adds --shard I/N to `command`.
void AddShardOption(CLI::App& command, std::string& shard);

// The files named by the FILE arguments: each argument as it is, except that one holding * ? or
// [ that names no file is a pattern and stands for the files it matches (as the shell would
// expand it, for patterns that reach us quoted). The result is sorted by bytes, each file once,
// so every process of a sharded run numbers the work alike. An input Error names a pattern that
// matches nothing; "-" (stdin) is a usage Error unless it is the only argument.
std::vector<std::string> ExpandInputs(const std::vector<std::string>& arguments);

// One figure of a batch: its -o template fields and how to draw it (the file's bytes).
struct BatchFigure {
  TemplateFields fields;
  std::function<std::string()> draw;
};

// The figures of every input file, in file order and then each file's own order.
struct FigureBatch {
  std::vector<BatchFigure> figures;
  // Every figure as a page of one PDF, calling `page_done` after each page; left empty by
  // commands that cannot draw pages.
  std::function<std::string(const std::function<void()>& page_done)> draw_pages;
};

// Names every figure from -o (one file each, or one PDF with a page each), then writes the work
// items this --shard owns, -j at a time, with a progress bar. Item k is figure k, or the whole
// PDF as item 0. Usage Errors (clashing names, a bad --shard) come before anything is written.
void WriteFigureBatch(const FigureBatch& batch, const FigureOptions& figure, ImageFormat format,
                      const std::vector<std::string>& inputs);

// Appends the rows of `one` to `all` behind a first column "file" holding `file`; the first
// call also sets the columns. The tables of analysis commands over several files.
void AppendWithFile(Table& all, const Table& one, const std::string& file);

}  // namespace attnviz::cli
