#include "node/disk_watch.h"

#include <ftw.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <set>
#include <utility>

namespace gantry::node {
namespace fs = std::filesystem;

namespace {

constexpr uint64_t kMiB = 1024 * 1024;

// nftw's callback takes no user pointer; each worker thread walks one tree
// at a time, so per-thread state is enough.
struct WalkState {
  uint64_t bytes = 0;
  std::set<std::pair<dev_t, ino_t>> linked;  // inodes with several names, seen once
};
thread_local WalkState* walk_state = nullptr;

int CountEntry(const char* /*path*/, const struct stat* st, int type, struct FTW* /*ftw*/) {
  // FTW_NS: stat failed (the entry vanished mid-walk); FTW_DNR: a directory
  // we cannot read still occupies its own blocks.
  if (type == FTW_NS || st == nullptr) return 0;
  if (!S_ISDIR(st->st_mode) && st->st_nlink > 1 && !walk_state->linked.emplace(st->st_dev, st->st_ino).second) {
    return 0;
  }
  walk_state->bytes += static_cast<uint64_t>(st->st_blocks) * 512;
  return 0;
}

}  // namespace

Result<uint64_t> DiskUsageBytes(const fs::path& root) {
  struct stat st {};
  if (::lstat(root.c_str(), &st) != 0) {
    return Status::Unavailable("measure " + root.string() + ": " + std::strerror(errno));
  }
  WalkState state;
  walk_state = &state;
  // FTW_PHYS: symlinks are not followed; FTW_MOUNT: a job's own mounts (or
  // a bind of something big) are not charged to it.
  int rc = ::nftw(root.c_str(), CountEntry, 32, FTW_PHYS | FTW_MOUNT);
  const int err = errno;
  walk_state = nullptr;
  if (rc != 0) return Status::Unavailable("measure " + root.string() + ": " + std::strerror(err));
  return state.bytes;
}

bool ExceedsDiskRequest(uint64_t used_bytes, uint64_t limit_mib) { return used_bytes > limit_mib * kMiB; }

std::string DiskExceededDetail(uint64_t used_bytes, uint64_t limit_mib) {
  return std::string(kStatusReasonDiskExceeded) + ": " + std::to_string((used_bytes + kMiB - 1) / kMiB) +
         " MiB used, " + std::to_string(limit_mib) + " MiB requested";
}

// One measurement on a worker thread. It carries copies of what it needs:
// the entry may be removed or replaced while it runs.
struct DiskWatch::Measurement {
  uv_work_t work{};
  DiskWatch* owner = nullptr;
  std::string attempt_id;
  fs::path scratch_dir;
  uint64_t generation = 0;
  Result<uint64_t> used = uint64_t{0};
};

DiskWatch::DiskWatch(uv_loop_t* loop, OverFn on_over) : loop_(loop), on_over_(std::move(on_over)) {}

DiskWatch::~DiskWatch() = default;

void DiskWatch::Add(const std::string& attempt_id, fs::path scratch_dir, uint64_t limit_mib) {
  Watched& w = watched_[attempt_id];
  w.scratch_dir = std::move(scratch_dir);
  w.limit_mib = limit_mib;
  w.generation = next_generation_++;
  w.measuring = false;
}

void DiskWatch::Remove(const std::string& attempt_id) { watched_.erase(attempt_id); }

void DiskWatch::Poll() {
  if (closing_) return;
  for (auto& [id, w] : watched_) {
    if (w.measuring) continue;
    auto* m = new Measurement;
    m->work.data = m;
    m->owner = this;
    m->attempt_id = id;
    m->scratch_dir = w.scratch_dir;
    m->generation = w.generation;
    int rc = uv_queue_work(
        loop_, &m->work,
        [](uv_work_t* req) {
          auto* meas = static_cast<Measurement*>(req->data);
          meas->used = DiskUsageBytes(meas->scratch_dir);
        },
        [](uv_work_t* req, int /*status*/) {
          std::unique_ptr<Measurement> meas(static_cast<Measurement*>(req->data));
          meas->owner->OnMeasured(*meas);
        });
    if (rc != 0) {
      delete m;
      continue;  // tried again next Poll
    }
    w.measuring = true;
    ++in_flight_;
  }
}

void DiskWatch::OnMeasured(Measurement& m) {
  --in_flight_;
  auto it = watched_.find(m.attempt_id);
  if (it != watched_.end() && it->second.generation == m.generation) {
    it->second.measuring = false;
    // A scratch that cannot be measured (being deleted) is not over.
    if (m.used.ok() && ExceedsDiskRequest(*m.used, it->second.limit_mib)) {
      const uint64_t limit = it->second.limit_mib;
      watched_.erase(it);
      if (!closing_) on_over_(m.attempt_id, *m.used, limit);
    }
  }
  MaybeClosed();
}

void DiskWatch::Close(std::function<void()> done) {
  closing_ = true;
  on_closed_ = std::move(done);
  MaybeClosed();
}

void DiskWatch::MaybeClosed() {
  if (!closing_ || in_flight_ > 0 || !on_closed_) return;
  auto done = std::move(on_closed_);
  on_closed_ = nullptr;
  done();
}

}  // namespace gantry::node
