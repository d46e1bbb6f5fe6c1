#include "node/attempt_log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <optional>

#include "gantry/check.h"
#include "node/log_tail.h"

namespace gantry::node {
namespace fs = std::filesystem;

namespace {

std::string ErrnoText(const char* op, const fs::path& path, int err) {
  return std::string(op) + " " + path.string() + ": " + std::strerror(err);
}

// ENOENT is kNotFound: the retention may delete a log between two reads.
Status FileError(const char* op, const fs::path& path, int err) {
  std::string text = ErrnoText(op, path, err);
  return err == ENOENT ? Status::NotFound(text) : Status::Unavailable(text);
}

Status WriteAll(int fd, std::string_view data, const fs::path& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return FileError("write", path, errno);
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

// Size of `path`, or nullopt when it does not exist.
Result<std::optional<uint64_t>> FileSize(const fs::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return std::optional<uint64_t>();
    return FileError("stat", path, errno);
  }
  return std::optional<uint64_t>(static_cast<uint64_t>(st.st_size));
}

Status ReadRange(const fs::path& path, uint64_t offset, uint64_t length, std::string& out) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return FileError("open", path, errno);
  const size_t at = out.size();
  out.resize(at + length);
  size_t got = 0;
  Status status;
  while (got < length) {
    ssize_t n = ::pread(fd, out.data() + at + got, length - got, static_cast<off_t>(offset + got));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      status = FileError("read", path, errno);
      break;
    }
    if (n == 0) break;  // shorter than its layout said: nothing else is there
    got += static_cast<size_t>(n);
  }
  ::close(fd);
  out.resize(at + got);
  return status;
}

}  // namespace

AttemptLogFiles AttemptLogFiles::In(const fs::path& log_dir) {
  return {log_dir / "output.log", log_dir / "output.log.1", log_dir / "output.log.offset"};
}

// ---- LogWindow ------------------------------------------------------------------

LogWindow::LogWindow(uint64_t cap_bytes) : half_(cap_bytes / 2) {
  GANTRY_CHECK_MSG(half_ >= 1, "attempt log cap must be at least 2 bytes");
}

void LogWindow::Wrote(uint64_t n) {
  GANTRY_CHECK(n <= RoomInCurrent());
  current_size_ += n;
}

void LogWindow::Rotated() {
  rotated_size_ = current_size_;
  current_base_ += current_size_;
  current_size_ = 0;
}

// ---- AttemptLogWriter -------------------------------------------------------------

AttemptLogWriter::AttemptLogWriter(fs::path log_dir, int fd, uint64_t cap_bytes)
    : files_(AttemptLogFiles::In(log_dir)), fd_(fd), window_(cap_bytes) {
  // output.log starts empty; a rotated half or base from an earlier run of
  // the same attempt would be read as this run's.
  std::error_code ec;
  fs::remove(files_.rotated, ec);
  fs::remove(files_.base, ec);
}

AttemptLogWriter::~AttemptLogWriter() { Close(); }

void AttemptLogWriter::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

Status AttemptLogWriter::Append(std::string_view data) {
  while (!data.empty() && !failed_ && fd_ >= 0) {
    const auto take = static_cast<size_t>(std::min<uint64_t>(data.size(), window_.RoomInCurrent()));
    Status s = WriteAll(fd_, data.substr(0, take), files_.current);
    if (s.ok()) {
      window_.Wrote(take);
      data.remove_prefix(take);
      if (window_.RoomInCurrent() == 0) s = Rotate();
    }
    if (!s.ok()) {
      failed_ = true;
      Close();
      return s;
    }
  }
  return Status::Ok();
}

// rename replaces the older half atomically; the base is written after it,
// through a temporary file, so a reader never sees a half-written number. A
// crash between the two leaves a base that is one half behind.
Status AttemptLogWriter::Rotate() {
  if (::rename(files_.current.c_str(), files_.rotated.c_str()) != 0) {
    return FileError("rename", files_.current, errno);
  }
  Close();
  fd_ = ::open(files_.current.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd_ < 0) return FileError("open", files_.current, errno);
  window_.Rotated();
  fs::path tmp = files_.base;
  tmp += ".tmp";
  int base_fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (base_fd < 0) return FileError("open", tmp, errno);
  Status s = WriteAll(base_fd, std::to_string(window_.current_base()), tmp);
  ::close(base_fd);
  GANTRY_RETURN_IF_ERROR(s);
  if (::rename(tmp.c_str(), files_.base.c_str()) != 0) return FileError("rename", tmp, errno);
  return Status::Ok();
}

// ---- reading ------------------------------------------------------------------------

LogReadPlan PlanLogRead(const LogLayout& layout, uint64_t offset, uint64_t max_bytes) {
  LogReadPlan plan;
  plan.start = std::clamp(offset, layout.window_start(), layout.end());
  uint64_t left = std::min(max_bytes, layout.end() - plan.start);
  uint64_t at = plan.start;
  if (left > 0 && at < layout.current_base) {
    const uint64_t from = at - layout.window_start();
    const uint64_t n = std::min(left, layout.current_base - at);
    plan.segments.push_back({true, from, n});
    at += n;
    left -= n;
  }
  if (left > 0) plan.segments.push_back({false, at - layout.current_base, left});
  return plan;
}

Result<LogLayout> ReadLogLayout(const fs::path& log_dir) {
  const AttemptLogFiles files = AttemptLogFiles::In(log_dir);
  GANTRY_ASSIGN_OR_RETURN(std::optional<uint64_t> current, FileSize(files.current));
  GANTRY_ASSIGN_OR_RETURN(std::optional<uint64_t> rotated, FileSize(files.rotated));
  if (!current && !rotated) return Status::NotFound("no log in " + log_dir.string());
  LogLayout layout;
  layout.current_size = current.value_or(0);
  layout.rotated_size = rotated.value_or(0);
  int fd = ::open(files.base.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 && errno != ENOENT) return FileError("open", files.base, errno);
  if (fd >= 0) {
    char buf[32] = {};
    ssize_t n = ::read(fd, buf, sizeof(buf) - 1);
    ::close(fd);
    if (n < 0) return FileError("read", files.base, errno);
    auto [end, ec] = std::from_chars(buf, buf + n, layout.current_base);
    if (ec != std::errc() || end != buf + n) {
      return Status::Corruption("log base " + files.base.string(), "not a number");
    }
  }
  if (layout.current_base < layout.rotated_size) {
    return Status::Corruption("log base " + files.base.string(), "smaller than output.log.1");
  }
  return layout;
}

namespace {

Result<LogChunk> ReadWithLayout(const fs::path& log_dir, const LogLayout& layout, uint64_t offset,
                                uint64_t max_bytes) {
  const LogReadPlan plan = PlanLogRead(layout, offset, max_bytes);
  const AttemptLogFiles files = AttemptLogFiles::In(log_dir);
  LogChunk chunk{plan.start, {}};
  for (const LogSegment& seg : plan.segments) {
    const size_t before = chunk.data.size();
    GANTRY_RETURN_IF_ERROR(ReadRange(seg.rotated ? files.rotated : files.current, seg.file_offset,
                                     seg.length, chunk.data));
    // A short read (a file changed since the layout was read) must not
    // leave a gap: stop at the first one.
    if (chunk.data.size() - before < seg.length) break;
  }
  return chunk;
}

}  // namespace

Result<LogChunk> ReadAttemptLog(const fs::path& log_dir, uint64_t offset, uint64_t max_bytes) {
  GANTRY_ASSIGN_OR_RETURN(LogLayout layout, ReadLogLayout(log_dir));
  return ReadWithLayout(log_dir, layout, offset, max_bytes);
}

Result<std::string> ReadAttemptLogTail(const fs::path& log_dir, uint64_t max_bytes) {
  GANTRY_ASSIGN_OR_RETURN(LogLayout layout, ReadLogLayout(log_dir));
  const uint64_t from = layout.end() > max_bytes ? layout.end() - max_bytes : 0;
  GANTRY_ASSIGN_OR_RETURN(LogChunk chunk, ReadWithLayout(log_dir, layout, from, max_bytes));
  // The stream's first byte starts a character; any other may not.
  if (chunk.offset > 0) return std::string(TrimCutCharacter(chunk.data));
  return std::move(chunk.data);
}

}  // namespace gantry::node
