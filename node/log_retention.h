// Log retention: ended attempts' logs under DATA/logs are deleted, oldest
// first, while all logs together take more than the agent's budget
// (--log-budget-mib). A live attempt's log is never deleted; it counts
// toward the total all the same.
//
// ChooseLogVictims is pure. MeasureLogDirs and DeleteLogDirs block on the
// file system. LogRetention runs them off the loop: measure (worker thread)
// → choose against the attempts live at that moment (loop thread) → delete
// (worker thread), so an attempt that starts meanwhile is never chosen.
#pragma once

#include <uv.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "common/logging.h"
#include "gantry/status.h"

namespace gantry::node {

// One attempt's log directory, DATA/logs/<jobId>/<attemptNumber>.
struct AttemptLogDir {
  std::filesystem::path dir;
  uint64_t bytes = 0;          // every file below it
  int64_t last_write_ns = 0;   // newest mtime below it (the attempt's end, roughly)
};

struct RetentionPlan {
  std::vector<std::filesystem::path> victims;  // oldest first
  uint64_t total_bytes = 0;                    // before deleting
  uint64_t bytes_after = 0;                    // once the victims are gone
};

// The ended attempts' directories to delete, oldest last write first (ties
// by path), until the total is at most `budget_bytes` or no ended one is
// left. `is_live(dir)` says whether an attempt still uses `dir`. Pure.
RetentionPlan ChooseLogVictims(const std::vector<AttemptLogDir>& dirs,
                               const std::function<bool(const std::filesystem::path&)>& is_live,
                               uint64_t budget_bytes);

// Every DATA/logs/<jobId>/<attemptNumber> directory below `log_root` with
// its size and last write. A missing root is empty; entries that vanish
// while being measured are skipped. kUnavailable if the root cannot be read.
Result<std::vector<AttemptLogDir>> MeasureLogDirs(const std::filesystem::path& log_root);

// Deletes each directory. Keeps going past failures and returns the first.
Status DeleteLogDirs(const std::vector<std::filesystem::path>& dirs);

// Removes the parent (job) directory of each of `dirs` that is left empty.
// A few rmdirs: run it on the thread that creates attempts' log
// directories, so it never removes one an attempt is about to use.
void RemoveEmptyJobDirs(const std::vector<std::filesystem::path>& dirs);

// Runs the retention on a libuv loop. Not thread-safe: loop thread only.
class LogRetention {
 public:
  // The log directories attempts still use; asked on the loop thread.
  using LiveDirsFn = std::function<std::vector<std::filesystem::path>()>;

  // `loop` must outlive this object.
  LogRetention(uv_loop_t* loop, Logger log, std::filesystem::path log_root, uint64_t budget_bytes,
               LiveDirsFn live_dirs);
  // Precondition: !busy() (the loop ran until the last run finished).
  ~LogRetention();
  LogRetention(const LogRetention&) = delete;
  LogRetention& operator=(const LogRetention&) = delete;

  // Measures, chooses and deletes in the calling thread: for start-up,
  // before attempts run.
  void RunNow();
  // Starts a run in the background unless one is in flight.
  void Trigger();
  bool busy() const { return busy_; }

 private:
  void Choose();
  RetentionPlan Plan(const std::vector<AttemptLogDir>& dirs) const;
  void Report(const RetentionPlan& plan, const Status& deleted);

  uv_loop_t* loop_;
  Logger log_;
  std::filesystem::path log_root_;
  uint64_t budget_bytes_;
  LiveDirsFn live_dirs_;
  uv_work_t work_{};
  bool busy_ = false;
  // Written by the worker thread while busy_ and a work request is queued.
  Result<std::vector<AttemptLogDir>> measured_ = std::vector<AttemptLogDir>{};
  RetentionPlan plan_;
  Status deleted_;
};

}  // namespace gantry::node
