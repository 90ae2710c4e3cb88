// What the cli may say on stderr besides errors: notes and a progress bar, on a terminal only.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "attnviz/parallel.h"

namespace attnviz::cli {

// Adds --quiet and --progress to `command`. They hold for the whole process (one command runs).
void AddTerminalOptions(CLI::App& command);

// Notes ("batch has 4 items ...") go to stderr on a terminal, never with --quiet.
bool NotesWanted();

// A progress bar is drawn with --progress, or on a terminal unless --quiet.
bool ProgressWanted();

// "[#########.........]  12/48 figures  0:07 left": the line a bar draws, `width` columns wide
// at most; the time left is estimated from the pace so far ("" before anything is done).
std::string ProgressLine(size_t done, size_t total, const std::string& what, double elapsed_s,
                         size_t width);

// A bar on stderr for `total` units of work. It stays invisible for the first second (quick runs
// stay silent), redraws at most ten times a second from its own thread, and is erased when it is
// destroyed. Nothing is drawn when ProgressWanted() is false.
class ProgressBar {
 public:
  ProgressBar(size_t total, std::string what);
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  // One unit done; safe to call from any thread.
  void Advance();

 private:
  void DrawLoop();
  void Draw();

  const size_t total_;
  const std::string what_;
  const std::chrono::steady_clock::time_point start_;
  std::mutex mutex_;
  std::condition_variable wake_;
  size_t done_ = 0;
  bool finished_ = false;
  bool drawn_ = false;
  std::optional<BackgroundThread> drawer_;  // last: starts once the members above exist
};

}  // namespace attnviz::cli
