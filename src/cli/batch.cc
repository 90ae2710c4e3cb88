// Batches of input files: patterns expanded with glob(3), work items dealt to shards round-robin.
#include "cli/batch.h"

#include <glob.h>
#include <sys/stat.h>

#include <algorithm>
#include <charconv>
#include <condition_variable>
#include <deque>
#include <exception>
#include <iostream>
#include <mutex>

#include "attnviz/error.h"
#include "attnviz/io/atomic_file.h"
#include "attnviz/parallel.h"
#include "cli/parallel.h"
#include "cli/progress.h"

namespace attnviz::cli {

namespace {

[[noreturn]] void ThrowBadShard(std::string_view text) {
  ThrowUsageError("--shard: expected I/N with 0 <= I < N, such as 0/4, found '" +
                  std::string(text) + "'");
}

bool ParseCount(std::string_view text, size_t& value) {
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc() && end == text.data() + text.size() && !text.empty();
}

bool IsPattern(const std::string& argument) {
  if (argument.find_first_of("*?[") == std::string::npos) return false;
  struct stat info;
  return stat(argument.c_str(), &info) != 0;  // a file whose name holds '*' is that file
}

// The files `pattern` matches, in byte order (not the locale's: every process must agree).
std::vector<std::string> Matches(const std::string& pattern) {
  glob_t found{};
  const int status = glob(pattern.c_str(), GLOB_NOSORT, nullptr, &found);
  std::vector<std::string> files(found.gl_pathv, found.gl_pathv + found.gl_pathc);
  globfree(&found);
  if (status != 0 && status != GLOB_NOMATCH) {
    ThrowInputError(pattern, "cannot read the folders of this pattern");
  }
  if (files.empty()) ThrowInputError(pattern, "expected files matching this pattern, found none");
  return files;
}

// The note "batch has 4 items; showing item 0 (choose with --batch)" misleads with --batch all.
void DropBatchNote(Dump& dump) {
  std::erase_if(dump.notes, [](const std::string& note) { return note.starts_with("batch has "); });
}

std::string OneLine(std::string text) {
  std::replace(text.begin(), text.end(), '\n', ' ');
  return text;
}

void WritePages(const FigureBatch& batch, const std::string& path) {
  ProgressBar progress(batch.figures.size(), "pages");
  WriteFileAtomically(path, batch.draw_pages([&progress] { progress.Advance(); }));
}

// Writes finished figures on a thread of its own, in the order they come, while drawing goes on:
// replacing a file makes ext4 start writing the new one back at the rename, and the drawing
// threads waited for that. Holds at most kMaxPendingBytes of figures; Add waits for room.
class FigureWriter {
 public:
  explicit FigureWriter(ProgressBar& progress)
      : progress_(progress), thread_([this] { WriteAll(); }) {}
  ~FigureWriter() { Finish(); }
  FigureWriter(const FigureWriter&) = delete;
  FigureWriter& operator=(const FigureWriter&) = delete;

  // Figure `index` of the batch, to be written to `path`.
  void Add(size_t index, const std::string& path, std::string bytes) {
    std::unique_lock lock(mutex_);
    room_.wait(lock, [&] { return pending_bytes_ < kMaxPendingBytes || failure_; });
    pending_bytes_ += bytes.size();
    queue_.push_back({index, path, std::move(bytes)});
    work_.notify_one();
  }

  // Whether a write failed: no figure after it need be drawn.
  bool failed() {
    std::lock_guard lock(mutex_);
    return static_cast<bool>(failure_);
  }

  // Writes what is queued, then rethrows the failure of the lowest-numbered figure, if any.
  void Finish() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
      work_.notify_one();
    }
    thread_.Join();
  }

  // The failed write with the lowest figure number, or none.
  std::exception_ptr failure(size_t& index) {
    std::lock_guard lock(mutex_);
    index = failure_index_;
    return failure_;
  }

 private:
  static constexpr size_t kMaxPendingBytes = size_t{64} << 20;

  struct Figure {
    size_t index;
    std::string path;
    std::string bytes;
  };

  void WriteAll() {
    std::unique_lock lock(mutex_);
    for (;;) {
      work_.wait(lock, [&] { return !queue_.empty() || done_; });
      if (queue_.empty()) return;
      Figure figure = std::move(queue_.front());
      queue_.pop_front();
      // Figures before a failed one are still written, as a run in order would have written them.
      const bool after_failure = failure_ && figure.index > failure_index_;
      lock.unlock();
      std::exception_ptr error;
      try {
        if (!after_failure) WriteFileAtomically(figure.path, figure.bytes);
        progress_.Advance();
      } catch (...) {
        error = std::current_exception();
      }
      lock.lock();
      pending_bytes_ -= figure.bytes.size();
      if (error && (!failure_ || figure.index < failure_index_)) {
        failure_ = error;
        failure_index_ = figure.index;
      }
      room_.notify_all();
    }
  }

  ProgressBar& progress_;
  std::mutex mutex_;
  std::condition_variable work_, room_;
  std::deque<Figure> queue_;
  size_t pending_bytes_ = 0;
  bool done_ = false;
  std::exception_ptr failure_;
  size_t failure_index_ = 0;
  BackgroundThread thread_;  // last: starts once the members above exist
};

}  // namespace

Shard ParseShard(std::string_view text) {
  if (text.empty()) return {};
  const size_t slash = text.find('/');
  Shard shard;
  if (slash == std::string_view::npos || !ParseCount(text.substr(0, slash), shard.index) ||
      !ParseCount(text.substr(slash + 1), shard.count) || shard.index >= shard.count) {
    ThrowBadShard(text);
  }
  return shard;
}

void AddShardOption(CLI::App& command, std::string& shard) {
  command.add_option("--shard", shard,
                     "I/N: write only work items I, I+N, I+2N, ... of the sorted (file, figure) "
                     "list, so N processes together write each output once (docs/scaling.md)");
}

std::vector<std::string> ExpandInputs(const std::vector<std::string>& arguments) {
  std::vector<std::string> files;
  for (const std::string& argument : arguments) {
    if (argument == "-" && arguments.size() > 1) {
      ThrowUsageError("FILE: expected - (stdin) alone, found it among " +
                      std::to_string(arguments.size()) + " inputs");
    }
    if (!IsPattern(argument)) {
      files.push_back(argument);
      continue;
    }
    for (std::string& file : Matches(argument)) files.push_back(std::move(file));
  }
  std::sort(files.begin(), files.end());
  files.erase(std::unique(files.begin(), files.end()), files.end());
  return files;
}

void WriteFigureBatch(const FigureBatch& batch, const FigureOptions& figure, ImageFormat format,
                      const std::vector<std::string>& inputs) {
  const Shard shard = ParseShard(figure.shard);
  std::vector<TemplateFields> fields;
  for (const BatchFigure& one : batch.figures) fields.push_back(one.fields);
  const FigureOutputs outputs =
      PlanFigureOutputs(figure.output, format, fields, inputs, static_cast<bool>(batch.draw_pages));
  if (outputs.pdf_pages) {
    if (shard.Owns(0)) WritePages(batch, outputs.paths[0]);
    return;
  }
  std::vector<size_t> owned;
  for (size_t item = 0; item < batch.figures.size(); ++item) {
    if (shard.Owns(item)) owned.push_back(item);
  }
  ProgressBar progress(owned.size(), "figures");
  FigureWriter writer(progress);
  // A drawing failure stops the batch like a writing failure; the one of the lowest-numbered
  // figure is reported, as if the figures were made one after another.
  std::exception_ptr draw_failure;
  size_t draw_failure_index = 0;
  std::mutex draw_mutex;
  try {
    RunFigureJobs(owned.size(), ThreadCount(figure.jobs), [&](size_t i) {
      if (writer.failed()) return;
      try {
        std::optional<std::string> bytes = batch.figures[owned[i]].draw();
        if (bytes) {
          writer.Add(i, outputs.paths[owned[i]], std::move(*bytes));
        } else {
          progress.Advance();  // its dump failed and was reported
        }
      } catch (...) {
        std::lock_guard lock(draw_mutex);
        if (!draw_failure || i < draw_failure_index) {
          draw_failure = std::current_exception();
          draw_failure_index = i;
        }
        throw;  // no new figure starts
      }
    });
  } catch (...) {
    // Kept in draw_failure, weighed against the writer's below.
  }
  writer.Finish();
  size_t write_failure_index = 0;
  std::exception_ptr write_failure = writer.failure(write_failure_index);
  if (write_failure && (!draw_failure || write_failure_index < draw_failure_index)) {
    std::rethrow_exception(write_failure);
  }
  if (draw_failure) std::rethrow_exception(draw_failure);
}

DumpSeries::DumpSeries(const DumpOptions& options) : options_(options), files_(options.Files()) {
  tolerant_ = files_.size() > 1 || options.EveryBatchItem();
  if (!options.EveryBatchItem()) ParseBatchItem(options.batch);  // fails before any work
  if (options.EveryBatchItem() && files_ == std::vector<std::string>{"-"}) {
    ThrowUsageError(
        "--batch all: expected a file, found - (stdin), which can be read only once and each "
        "batch item is read on its own; save the dump to a file first");
  }
}

void DumpSeries::ForEach(const std::function<void(const DumpSource&, Dump)>& use,
                         const std::function<void()>& file_done) {
  for (const std::string& file : files_) {
    ForEachItem(file, use);
    if (file_done) file_done();
  }
}

void DumpSeries::ForEachInParallel(
    int threads, const std::function<void(size_t file, const DumpSource&, Dump)>& use,
    const std::function<void()>& file_done) {
  RunInParallel(files_.size(), threads, [&](size_t file) {
    ForEachItem(files_[file],
                [&](const DumpSource& source, Dump dump) { use(file, source, std::move(dump)); });
    if (file_done) file_done();
  });
}

void DumpSeries::ForEachItem(const std::string& file,
                             const std::function<void(const DumpSource&, Dump)>& use) {
  const DumpOptions one = options_.For(file);
  DumpSource source{file, 0, files_.size() > 1, options_.EveryBatchItem(), false};
  if (!source.show_batch) {
    source.batch = ParseBatchItem(options_.batch);
    Try(source, [&] { use(source, one.LoadItem(source.batch)); });
    return;
  }
  // Item 0 tells how many there are; each is loaded on its own for its own tokens and padding.
  int64_t items = 1;
  Try(source, [&] {
    Dump first = one.LoadItem(0);
    items = first.attention.batches();
    source.several_items = items > 1;
    DropBatchNote(first);
    use(source, std::move(first));
  });
  for (source.batch = 1; source.batch < items; ++source.batch) {
    Try(source, [&] {
      Dump dump = one.LoadItem(source.batch);
      DropBatchNote(dump);
      use(source, std::move(dump));
    });
  }
}

void DumpSeries::Try(const DumpSource& source, const std::function<void()>& work) {
  try {
    work();
  } catch (const Error& error) {
    if (!tolerant_ || error.kind() != ErrorKind::kInput) throw;
    Fail(source, error);
  }
}

void DumpSeries::Fail(const DumpSource& source, const Error& error) {
  std::lock_guard lock(mutex_);
  if (!failed_.insert({source.file, source.batch}).second) return;
  const std::string item =
      source.several_items ? " (batch item " + std::to_string(source.batch) + ")" : "";
  // A progress bar may stand on the line: erase it first, it is drawn again below.
  std::cerr << (ProgressWanted() ? "\r\033[K" : "") << "attnviz: " << OneLine(error.what()) << item
            << "\n";
}

void DumpSeries::Guard(BatchFigure& figure, const DumpSource& source) {
  if (!tolerant_) return;
  figure.draw = [this, source, draw = std::move(figure.draw)]() -> std::optional<std::string> {
    try {
      return draw();
    } catch (const Error& error) {
      if (error.kind() != ErrorKind::kInput) throw;
      Fail(source, error);
      return std::nullopt;
    }
  };
}

void DumpSeries::Finish() const {
  const size_t failures = failed_.size();
  if (failures == 0) return;
  throw Error(ErrorKind::kInput, std::to_string(failures) + (failures == 1 ? " input" : " inputs") +
                                     " failed, reported above; every other input was processed");
}

void AddBatchField(TemplateFields& fields, const DumpSource& source) {
  fields["batch"] = source.batch;
}

void AppendWithSource(Table& all, const Table& one, const DumpSource& source) {
  std::vector<std::string> names, cells;
  if (source.show_file) {
    names.push_back("file");
    cells.push_back(source.file);
  }
  if (source.show_batch) {
    names.push_back("batch");
    cells.push_back(std::to_string(source.batch));
  }
  if (all.columns.empty()) {
    all.columns = names;
    all.columns.insert(all.columns.end(), one.columns.begin(), one.columns.end());
  }
  for (const std::vector<std::string>& row : one.rows) {
    std::vector<std::string> cells_of_row = cells;
    cells_of_row.insert(cells_of_row.end(), row.begin(), row.end());
    all.rows.push_back(std::move(cells_of_row));
  }
}

void AddSourceKeys(nlohmann::json& row, const DumpSource& source) {
  if (source.show_file) row["file"] = source.file;
  if (source.show_batch) row["batch"] = source.batch;
}

}  // namespace attnviz::cli
