#include "node/log_tail.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace gantry::node {

std::string_view TrimCutCharacter(std::string_view tail) {
  size_t skip = 0;
  // 10xxxxxx is a continuation byte: its character began before the cut.
  while (skip < 3 && skip < tail.size() &&
         (static_cast<unsigned char>(tail[skip]) & 0xC0) == 0x80) {
    ++skip;
  }
  return tail.substr(skip);
}

Result<std::string> ReadLogTail(const std::filesystem::path& file, size_t max_bytes) {
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    std::string text = "open " + file.string() + ": " + std::strerror(err);
    return err == ENOENT ? Status::NotFound(text) : Status::Unavailable(text);
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    std::string text = "stat " + file.string() + ": " + std::strerror(errno);
    ::close(fd);
    return Status::Unavailable(text);
  }
  const auto size = static_cast<uint64_t>(st.st_size);
  const uint64_t offset = size > max_bytes ? size - max_bytes : 0;
  std::string buf(static_cast<size_t>(size - offset), '\0');
  size_t got = 0;
  while (got < buf.size()) {
    ssize_t n = ::pread(fd, buf.data() + got, buf.size() - got, static_cast<off_t>(offset + got));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      std::string text = "read " + file.string() + ": " + std::strerror(errno);
      ::close(fd);
      return Status::Unavailable(text);
    }
    if (n == 0) break;  // the file shrank meanwhile
    got += static_cast<size_t>(n);
  }
  ::close(fd);
  buf.resize(got);
  if (offset > 0) return std::string(TrimCutCharacter(buf));
  return buf;
}

}  // namespace gantry::node
