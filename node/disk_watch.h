// The "watch" disk quota method: where no filesystem can hold a job to its
// disk request (no root, no loop devices), the agent measures each running
// attempt's scratch directory every heartbeat and stops an attempt that holds
// more than it asked for, with kStatusReasonDiskExceeded.
//
// It is a fallback, not a hard limit: between two measurements a job can
// write past its request (at most one heartbeat's worth of writes), and the
// node's free-disk threshold (CheckFreeDisk) is what keeps the node usable
// meanwhile. Measurements run on libuv's worker threads, one per attempt at
// a time, so a huge scratch tree never stalls the agent's loop.
//
// DiskWatch is not thread-safe: every call and callback is on the loop thread.
#pragma once

#include <uv.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "gantry/status.h"

namespace gantry::node {

// AttemptEnded.statusReason of an attempt the watch stopped (retry rules
// may match it with onStatusReason "Job scratch disk*").
inline constexpr std::string_view kStatusReasonDiskExceeded = "Job scratch disk exceeded its request";

// Bytes the files and directories under `root` occupy on disk (allocated
// blocks, so sparse files count what they hold), each inode once, not
// crossing into other filesystems and not following symlinks. Entries that
// vanish during the walk are skipped. kUnavailable if `root` itself cannot
// be read.
Result<uint64_t> DiskUsageBytes(const std::filesystem::path& root);

// True when `used_bytes` is more than `limit_mib` MiB.
bool ExceedsDiskRequest(uint64_t used_bytes, uint64_t limit_mib);

// "Job scratch disk exceeded its request: 1200 MiB used, 1024 MiB requested".
std::string DiskExceededDetail(uint64_t used_bytes, uint64_t limit_mib);

class DiskWatch {
 public:
  // Called on the loop thread for an attempt found over its request; once
  // per attempt (it is forgotten then).
  using OverFn = std::function<void(const std::string& attempt_id, uint64_t used_bytes, uint64_t limit_mib)>;

  // `loop` must outlive the watch.
  DiskWatch(uv_loop_t* loop, OverFn on_over);
  // Precondition: no measurement in flight (Close() has called back).
  ~DiskWatch();
  DiskWatch(const DiskWatch&) = delete;
  DiskWatch& operator=(const DiskWatch&) = delete;

  // Starts watching `scratch_dir` of `attempt_id` against `limit_mib`; a
  // second call for the same id replaces it.
  void Add(const std::string& attempt_id, std::filesystem::path scratch_dir, uint64_t limit_mib);
  // Stops watching; a measurement in flight is discarded when it returns.
  void Remove(const std::string& attempt_id);

  // Queues one measurement per watched attempt that has none in flight.
  void Poll();

  // Calls `done` once no measurement is in flight any more (at once if none).
  // Poll() does nothing afterwards.
  void Close(std::function<void()> done);

  size_t watched() const { return watched_.size(); }
  size_t in_flight() const { return in_flight_; }

 private:
  struct Measurement;
  struct Watched {
    std::filesystem::path scratch_dir;
    uint64_t limit_mib = 0;
    uint64_t generation = 0;  // tells a replaced entry's late result apart
    bool measuring = false;
  };
  void OnMeasured(Measurement& m);
  void MaybeClosed();

  uv_loop_t* loop_;
  OverFn on_over_;
  std::unordered_map<std::string, Watched> watched_;
  uint64_t next_generation_ = 1;
  size_t in_flight_ = 0;
  bool closing_ = false;
  std::function<void()> on_closed_;
};

}  // namespace gantry::node
