// An attempt's output on disk: a size-capped, rotated window of one stream.
//
// The attempt's stdout and stderr arrive interleaved through one pipe (see
// attempt_log_pipe.h) and are appended here. Every byte has a stream offset:
// its position in everything the attempt ever wrote. Only a window of the
// stream is kept, at most `cap` bytes, in DATA/logs/<jobId>/<n>/:
//
//   output.log.1       the older half: stream [current base - its size, current base)
//   output.log         the newer half: stream [current base, end)
//   output.log.offset  the current base, decimal; absent means 0
//
// When output.log reaches cap/2 bytes it is renamed over output.log.1 and a
// new, empty output.log starts, so the newest output is always kept and no
// more than cap bytes are on disk. Offsets let a reader ask "from offset X"
// and learn when X was rotated away.
//
// LogWindow and PlanLogRead are pure. AttemptLogWriter and the readers
// block on the file system: small writes and reads of recently written
// files, done on the loop thread as output arrives. Thread-compatible.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "gantry/status.h"

namespace gantry::node {

// The files of the attempt log in `log_dir`.
struct AttemptLogFiles {
  std::filesystem::path current;  // output.log
  std::filesystem::path rotated;  // output.log.1
  std::filesystem::path base;     // output.log.offset

  static AttemptLogFiles In(const std::filesystem::path& log_dir);
};

// Where the kept window of the stream lies. Pure bookkeeping of the writer.
class LogWindow {
 public:
  // Precondition: cap_bytes >= 2 (each half holds at least one byte).
  explicit LogWindow(uint64_t cap_bytes);

  uint64_t half() const { return half_; }
  // Bytes output.log takes before it must rotate; 0 means rotate now.
  uint64_t RoomInCurrent() const { return half_ - current_size_; }
  // `n` bytes were appended to output.log. Precondition: n <= RoomInCurrent().
  void Wrote(uint64_t n);
  // output.log became output.log.1 and a new output.log started.
  void Rotated();

  uint64_t end() const { return current_base_ + current_size_; }  // offset of the next byte
  uint64_t window_start() const { return current_base_ - rotated_size_; }
  uint64_t current_base() const { return current_base_; }
  uint64_t bytes_on_disk() const { return rotated_size_ + current_size_; }

 private:
  uint64_t half_;
  uint64_t current_base_ = 0;
  uint64_t current_size_ = 0;
  uint64_t rotated_size_ = 0;
};

// Appends output to an attempt log with rotation (see the file comment).
class AttemptLogWriter {
 public:
  // Takes ownership of `fd`, output.log opened for writing and empty (as
  // PrepareSandbox makes it). A rotated file and base file left in
  // `log_dir` by an earlier run are removed. Precondition: cap_bytes >= 2.
  AttemptLogWriter(std::filesystem::path log_dir, int fd, uint64_t cap_bytes);
  ~AttemptLogWriter();
  AttemptLogWriter(const AttemptLogWriter&) = delete;
  AttemptLogWriter& operator=(const AttemptLogWriter&) = delete;

  // Appends `data`, rotating whenever output.log reaches half the cap.
  // kUnavailable on the first write, rename or open error; from then on
  // everything is discarded (and Ok returned), so a full disk costs the
  // attempt its log, not its run.
  Status Append(std::string_view data);
  // Closes output.log. Idempotent; Append discards afterwards.
  void Close();

  const LogWindow& window() const { return window_; }
  bool failed() const { return failed_; }

 private:
  Status Rotate();

  AttemptLogFiles files_;
  int fd_;
  LogWindow window_;
  bool failed_ = false;
};

// What the files of an attempt log hold, read from disk.
struct LogLayout {
  uint64_t rotated_size = 0;  // output.log.1, 0 when absent
  uint64_t current_base = 0;
  uint64_t current_size = 0;
  uint64_t window_start() const { return current_base - rotated_size; }
  uint64_t end() const { return current_base + current_size; }
};

// One piece of a read: `length` bytes of a file from `file_offset`.
struct LogSegment {
  bool rotated = false;  // output.log.1, else output.log
  uint64_t file_offset = 0;
  uint64_t length = 0;
  friend bool operator==(const LogSegment&, const LogSegment&) = default;
};

struct LogReadPlan {
  uint64_t start = 0;  // stream offset of the first byte read
  std::vector<LogSegment> segments;
};

// Which bytes to read for "up to max_bytes from stream offset `offset`". An
// offset before the window starts at the window; one past the end reads
// nothing at the end. Pure.
LogReadPlan PlanLogRead(const LogLayout& layout, uint64_t offset, uint64_t max_bytes);

// The layout of the log in `log_dir`. kNotFound when neither output.log nor
// output.log.1 exists, kUnavailable on other errors (kCorruption for a base
// file that is not a number, or smaller than output.log.1).
Result<LogLayout> ReadLogLayout(const std::filesystem::path& log_dir);

struct LogChunk {
  uint64_t offset = 0;  // stream offset of data's first byte
  std::string data;
};

// Up to `max_bytes` of the log in `log_dir` from stream offset `offset`
// (PlanLogRead). Errors as ReadLogLayout; a file that vanished meanwhile
// (deleted under the disk budget) is kNotFound.
Result<LogChunk> ReadAttemptLog(const std::filesystem::path& log_dir, uint64_t offset,
                                uint64_t max_bytes);

// The last `max_bytes` of the stream kept in `log_dir`, across both files,
// trimmed to a UTF-8 character boundary when cut (TrimCutCharacter).
// Errors as ReadAttemptLog.
Result<std::string> ReadAttemptLogTail(const std::filesystem::path& log_dir, uint64_t max_bytes);

}  // namespace gantry::node
