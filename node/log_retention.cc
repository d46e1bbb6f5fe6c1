#include "node/log_retention.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>
#include <system_error>

#include "gantry/check.h"

namespace gantry::node {
namespace fs = std::filesystem;

RetentionPlan ChooseLogVictims(const std::vector<AttemptLogDir>& dirs,
                               const std::function<bool(const fs::path&)>& is_live,
                               uint64_t budget_bytes) {
  RetentionPlan plan;
  std::vector<const AttemptLogDir*> ended;
  for (const AttemptLogDir& d : dirs) {
    plan.total_bytes += d.bytes;
    if (!is_live(d.dir)) ended.push_back(&d);
  }
  std::sort(ended.begin(), ended.end(), [](const AttemptLogDir* a, const AttemptLogDir* b) {
    if (a->last_write_ns != b->last_write_ns) return a->last_write_ns < b->last_write_ns;
    return a->dir < b->dir;
  });
  plan.bytes_after = plan.total_bytes;
  for (const AttemptLogDir* d : ended) {
    if (plan.bytes_after <= budget_bytes) break;
    plan.victims.push_back(d->dir);
    plan.bytes_after -= d->bytes;
  }
  return plan;
}

namespace {

// Size and newest mtime of everything below `dir`, without following
// symlinks. Files that vanish meanwhile are skipped.
AttemptLogDir MeasureOne(const fs::path& dir) {
  AttemptLogDir out{dir, 0, 0};
  auto note = [&out](const fs::path& p) {
    struct stat st {};
    if (::lstat(p.c_str(), &st) != 0) return;
    if (S_ISREG(st.st_mode)) out.bytes += static_cast<uint64_t>(st.st_size);
    const int64_t ns = int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec;
    out.last_write_ns = std::max(out.last_write_ns, ns);
  };
  note(dir);
  std::error_code ec;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    note(it->path());
  }
  return out;
}

}  // namespace

Result<std::vector<AttemptLogDir>> MeasureLogDirs(const fs::path& log_root) {
  std::vector<AttemptLogDir> out;
  std::error_code ec;
  fs::directory_iterator jobs(log_root, ec);
  if (ec == std::errc::no_such_file_or_directory) return out;
  if (ec) return Status::Unavailable("read " + log_root.string() + ": " + ec.message());
  for (const fs::directory_entry& job : jobs) {
    std::error_code job_ec;
    if (!job.is_directory(job_ec) || job.is_symlink(job_ec)) continue;
    for (fs::directory_iterator it(job.path(), job_ec), end; !job_ec && it != end;
         it.increment(job_ec)) {
      std::error_code attempt_ec;
      if (!it->is_directory(attempt_ec) || it->is_symlink(attempt_ec)) continue;
      out.push_back(MeasureOne(it->path()));
    }
  }
  return out;
}

Status DeleteLogDirs(const std::vector<fs::path>& dirs) {
  Status first;
  for (const fs::path& dir : dirs) {
    std::error_code ec;
    fs::remove_all(dir, ec);
    if (ec && first.ok()) first = Status::Unavailable("delete " + dir.string() + ": " + ec.message());
  }
  return first;
}

void RemoveEmptyJobDirs(const std::vector<fs::path>& dirs) {
  for (const fs::path& dir : dirs) {
    std::error_code ec;
    fs::remove(dir.parent_path(), ec);  // fails, harmlessly, unless it is empty
  }
}

// ---- LogRetention ----------------------------------------------------------------
//
//   Trigger ──worker──> measure ──loop──> choose (live attempts now) ──worker──> delete
//      ──loop──> rmdir emptied job directories, report
//   (busy_ from Trigger until the report; a Trigger meanwhile does nothing)

LogRetention::LogRetention(uv_loop_t* loop, Logger log, fs::path log_root, uint64_t budget_bytes,
                           LiveDirsFn live_dirs)
    : loop_(loop),
      log_(std::move(log)),
      log_root_(std::move(log_root)),
      budget_bytes_(budget_bytes),
      live_dirs_(std::move(live_dirs)) {
  work_.data = this;
}

LogRetention::~LogRetention() { GANTRY_CHECK_MSG(!busy_, "log retention destroyed mid-run"); }

void LogRetention::RunNow() {
  GANTRY_CHECK(!busy_);
  Result<std::vector<AttemptLogDir>> dirs = MeasureLogDirs(log_root_);
  if (!dirs.ok()) {
    log_->warn("log retention cannot measure logs error={}", dirs.status().message());
    return;
  }
  RetentionPlan plan = Plan(*dirs);
  Status deleted = DeleteLogDirs(plan.victims);
  RemoveEmptyJobDirs(plan.victims);
  Report(plan, deleted);
}

void LogRetention::Trigger() {
  if (busy_) return;
  busy_ = true;
  int rc = uv_queue_work(
      loop_, &work_,
      [](uv_work_t* w) {
        auto* self = static_cast<LogRetention*>(w->data);
        self->measured_ = MeasureLogDirs(self->log_root_);
      },
      [](uv_work_t* w, int) { static_cast<LogRetention*>(w->data)->Choose(); });
  GANTRY_CHECK_MSG(rc == 0, std::string("uv_queue_work: ") + uv_strerror(rc));
}

void LogRetention::Choose() {
  if (!measured_.ok()) {
    log_->warn("log retention cannot measure logs error={}", measured_.status().message());
    busy_ = false;
    return;
  }
  plan_ = Plan(*measured_);
  measured_ = std::vector<AttemptLogDir>{};
  if (plan_.victims.empty()) {
    busy_ = false;
    return;
  }
  int rc = uv_queue_work(
      loop_, &work_,
      [](uv_work_t* w) {
        auto* self = static_cast<LogRetention*>(w->data);
        self->deleted_ = DeleteLogDirs(self->plan_.victims);
      },
      [](uv_work_t* w, int) {
        auto* self = static_cast<LogRetention*>(w->data);
        self->busy_ = false;
        // On the loop thread, where attempts' log directories are made.
        RemoveEmptyJobDirs(self->plan_.victims);
        self->Report(self->plan_, self->deleted_);
      });
  GANTRY_CHECK_MSG(rc == 0, std::string("uv_queue_work: ") + uv_strerror(rc));
}

RetentionPlan LogRetention::Plan(const std::vector<AttemptLogDir>& dirs) const {
  const std::vector<fs::path> live_list = live_dirs_();
  const std::set<fs::path> live(live_list.begin(), live_list.end());
  return ChooseLogVictims(
      dirs, [&live](const fs::path& dir) { return live.contains(dir); }, budget_bytes_);
}

void LogRetention::Report(const RetentionPlan& plan, const Status& deleted) {
  if (plan.victims.empty()) return;
  log_->info("attempt logs deleted over the budget count={} total_bytes={} bytes_after={} "
             "budget_bytes={}",
             plan.victims.size(), plan.total_bytes, plan.bytes_after, budget_bytes_);
  if (!deleted.ok()) log_->warn("attempt logs not all deleted error={}", deleted.message());
  if (plan.bytes_after > budget_bytes_) {
    log_->warn("logs of running attempts exceed the log budget bytes={} budget_bytes={}",
               plan.bytes_after, budget_bytes_);
  }
}

}  // namespace gantry::node
