// The progress bar: a drawing thread that wakes ten times a second and rewrites one stderr line.
#include "cli/progress.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace attnviz::cli {

namespace {

enum class Chatter { kAuto, kQuiet, kProgress };

Chatter& TerminalChoice() {
  static Chatter choice = Chatter::kAuto;
  return choice;
}

// Work shorter than this shows no bar. ATTNVIZ_PROGRESS_DELAY_MS changes it, so that tests need
// no workload of a known duration.
std::chrono::milliseconds BarDelay() {
  const char* text = std::getenv("ATTNVIZ_PROGRESS_DELAY_MS");
  if (text == nullptr || *text == '\0') return std::chrono::seconds(1);
  char* end = nullptr;
  const long milliseconds = std::strtol(text, &end, 10);
  return *end == '\0' && milliseconds >= 0 ? std::chrono::milliseconds(milliseconds)
                                           : std::chrono::seconds(1);
}
constexpr auto kRedraw = std::chrono::milliseconds(100);

// "0:07", "12:30", "1:02:03".
std::string Duration(double seconds) {
  const long total = std::lround(seconds);
  char text[32];
  if (total >= 3600) {
    std::snprintf(text, sizeof text, "%ld:%02ld:%02ld", total / 3600, total / 60 % 60, total % 60);
  } else {
    std::snprintf(text, sizeof text, "%ld:%02ld", total / 60, total % 60);
  }
  return text;
}

size_t TerminalColumns() {
  winsize size{};
  if (ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  return 80;
}

}  // namespace

void AddTerminalOptions(CLI::App& command) {
  CLI::Option* quiet = command.add_flag_callback(
      "--quiet", [] { TerminalChoice() = Chatter::kQuiet; },
      "nothing on stderr but errors: no notes, no progress bar");
  command
      .add_flag_callback(
          "--progress", [] { TerminalChoice() = Chatter::kProgress; },
          "a progress bar on stderr even when it is not a terminal (default: "
          "on a terminal, for work longer than a second)")
      ->excludes(quiet);
}

bool NotesWanted() { return TerminalChoice() != Chatter::kQuiet && isatty(STDERR_FILENO); }

bool ProgressWanted() {
  switch (TerminalChoice()) {
    case Chatter::kQuiet:
      return false;
    case Chatter::kProgress:
      return true;
    case Chatter::kAuto:
      break;
  }
  return isatty(STDERR_FILENO);
}

std::string ProgressLine(size_t done, size_t total, const std::string& what, double elapsed_s,
                         size_t width) {
  const std::string count = std::to_string(done) + "/" + std::to_string(total) + " " + what;
  std::string left;
  if (done > 0 && done < total) {
    left = "  " + Duration(elapsed_s / static_cast<double>(done) * (total - done)) + " left";
  }
  const std::string text = "  " + count + left;
  const size_t bar = width > text.size() + 12 ? std::min<size_t>(40, width - text.size() - 3) : 0;
  if (bar == 0) return text.substr(0, width > 1 ? width - 1 : 0);
  const size_t filled = total == 0 ? bar : bar * std::min(done, total) / total;
  return "[" + std::string(filled, '#') + std::string(bar - filled, '.') + "]" + text;
}

ProgressBar::ProgressBar(size_t total, std::string what)
    : total_(total), what_(std::move(what)), start_(std::chrono::steady_clock::now()) {
  if (ProgressWanted()) drawer_.emplace([this] { DrawLoop(); });
}

ProgressBar::~ProgressBar() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    finished_ = true;
  }
  wake_.notify_all();
  if (drawer_) drawer_->Join();
  if (drawn_) std::fputs("\r\033[K", stderr);  // erase the bar's line
}

void ProgressBar::Advance() {
  std::lock_guard<std::mutex> lock(mutex_);
  ++done_;
}

void ProgressBar::DrawLoop() {
  std::unique_lock<std::mutex> lock(mutex_);
  if (wake_.wait_until(lock, start_ + BarDelay(), [this] { return finished_; })) return;
  while (!finished_) {
    Draw();
    wake_.wait_for(lock, kRedraw, [this] { return finished_; });
  }
}

void ProgressBar::Draw() {
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start_;
  const std::string line = ProgressLine(done_, total_, what_, elapsed.count(), TerminalColumns());
  std::fprintf(stderr, "\r%s\033[K", line.c_str());
  std::fflush(stderr);
  drawn_ = true;
}

}  // namespace attnviz::cli
