// The thread pool: every task once, the lowest-numbered error whatever the thread count, workers
// named, and threads beside the caller.
#include "attnviz/parallel.h"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace attnviz {
namespace {

TEST_CASE("RunInParallel runs every task once, on any number of threads") {
  for (int threads : {1, 2, 3, 8, 64}) {
    CAPTURE(threads);
    std::vector<std::atomic<int>> runs(100);
    RunInParallel(runs.size(), threads, [&](size_t i) { ++runs[i]; });
    for (const std::atomic<int>& count : runs) CHECK(count == 1);
  }
}

TEST_CASE("RunInParallel reports the error of the lowest-numbered failed task") {
  // Tasks 37 and 5 fail, 37 first in time for most thread counts: 5 is reported all the same.
  for (int threads : {1, 2, 4, 8, 64}) {
    CAPTURE(threads);
    std::string message;
    try {
      RunInParallel(64, threads, [](size_t i) {
        if (i == 37) throw std::runtime_error("task 37");
        if (i == 5) {
          std::this_thread::sleep_for(std::chrono::milliseconds(20));
          throw std::runtime_error("task 5");
        }
      });
    } catch (const std::runtime_error& error) {
      message = error.what();
    }
    CHECK(message == "task 5");
  }
}

TEST_CASE("RunInParallel starts no task after one failed, and finishes the running ones") {
  std::atomic<int> started{0};
  CHECK_THROWS_AS(RunInParallel(1000, 1,
                                [&](size_t i) {
                                  ++started;
                                  if (i == 3) throw std::logic_error("stop");
                                }),
                  std::logic_error);
  CHECK(started == 4);  // one thread: tasks 0 to 3 in order
}

TEST_CASE("RunInParallel with no tasks does nothing") {
  RunInParallel(0, 4, [](size_t) { FAIL("no task to run"); });
}

TEST_CASE("RunInParallelOnWorkers names a worker below the thread count, 0 the caller") {
  std::vector<std::atomic<int>> by_worker(3);
  RunInParallelOnWorkers(300, 3, [&](size_t, size_t worker) {
    REQUIRE(worker < 3);
    ++by_worker[worker];
  });
  CHECK(by_worker[0] + by_worker[1] + by_worker[2] == 300);
  RunInParallelOnWorkers(5, 1, [](size_t, size_t worker) { CHECK(worker == 0); });
}

TEST_CASE("RunInParallel with threads >= count runs every task at once") {
  // Each task waits for all the others to start: this ends only if all run at the same time.
  std::atomic<int> arrived{0};
  RunInParallel(4, 4, [&](size_t) {
    ++arrived;
    while (arrived.load() < 4) {
    }
  });
  CHECK(arrived == 4);
}

TEST_CASE("ThreadsFor takes the request, else the hardware, and no more than the tasks") {
  CHECK(ThreadsFor(3, 10) == 3);
  CHECK(ThreadsFor(8, 2) == 2);
  CHECK(ThreadsFor(0, 1) == 1);
  CHECK(ThreadsFor(0, 100000) == std::min(HardwareThreads(), 100000));
  CHECK(HardwareThreads() >= 1);
}

TEST_CASE("BackgroundThread runs beside the caller and Join rethrows its error") {
  std::atomic<bool> ran{false};
  BackgroundThread quiet([&] { ran = true; });
  quiet.Join();
  CHECK(ran);
  BackgroundThread failing([] { throw std::runtime_error("writer failed"); });
  CHECK_THROWS_WITH_AS(failing.Join(), "writer failed", std::runtime_error);
  failing.Join();  // once reported, the error is gone
}

TEST_CASE("BackgroundThread's destructor waits and drops an error") {
  std::atomic<bool> ran{false};
  {
    BackgroundThread thread([&] {
      ran = true;
      throw std::runtime_error("dropped");
    });
  }
  CHECK(ran);
}

}  // namespace
}  // namespace attnviz
