#include "tests/chaos/net/netns_ops.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <set>
#include <thread>
#include <utility>

#include "tests/chaos/net/topology_plan.h"

namespace gantry::chaos::net {
namespace {

std::string Errno(const std::string& what) { return what + ": " + std::strerror(errno); }

bool IsNumber(const char* s) {
  if (*s == '\0') return false;
  for (; *s; ++s) {
    if (*s < '0' || *s > '9') return false;
  }
  return true;
}

using NsKey = std::pair<dev_t, ino_t>;

// Pids (not this process) whose network namespace is in `keys`.
std::vector<pid_t> PidsIn(const std::set<NsKey>& keys) {
  std::vector<pid_t> pids;
  DIR* proc = ::opendir("/proc");
  if (proc == nullptr) return pids;
  pid_t self = ::getpid();
  while (dirent* e = ::readdir(proc)) {
    if (!IsNumber(e->d_name)) continue;
    pid_t pid = static_cast<pid_t>(std::atoi(e->d_name));
    if (pid == self) continue;
    struct stat st;
    // Fails for zombies and for processes that exit meanwhile: not counted.
    std::string link = std::string("/proc/") + e->d_name + "/ns/net";
    if (::stat(link.c_str(), &st) != 0) continue;
    if (keys.count({st.st_dev, st.st_ino})) pids.push_back(pid);
  }
  ::closedir(proc);
  return pids;
}

}  // namespace

Result<std::vector<std::string>> ListNamespaces() {
  std::vector<std::string> names;
  DIR* dir = ::opendir(kNetnsDir);
  if (dir == nullptr) {
    if (errno == ENOENT) return names;
    return Status::Internal(Errno(std::string("opendir ") + kNetnsDir));
  }
  while (dirent* e = ::readdir(dir)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") names.push_back(n);
  }
  ::closedir(dir);
  std::sort(names.begin(), names.end());
  return names;
}

Result<int> KillProcessesIn(const std::vector<std::string>& namespaces, std::chrono::milliseconds wait) {
  std::set<NsKey> keys;
  for (const auto& ns : namespaces) {
    struct stat st;
    std::string path = std::string(kNetnsDir) + "/" + ns;
    if (::stat(path.c_str(), &st) == 0) keys.insert({st.st_dev, st.st_ino});
  }
  if (keys.empty()) return 0;
  std::vector<pid_t> pids = PidsIn(keys);
  for (pid_t pid : pids) ::kill(pid, SIGKILL);
  auto deadline = std::chrono::steady_clock::now() + wait;
  while (!PidsIn(keys).empty()) {
    if (std::chrono::steady_clock::now() >= deadline) {
      return Status::Unavailable("processes still running in the chaos namespaces after SIGKILL");
    }
    // Exit after SIGKILL takes microseconds to milliseconds; there is no
    // event to wait on for a process that is not our child.
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return static_cast<int>(pids.size());
}

Result<FileLock> FileLock::Acquire(const std::string& name, bool blocking) {
  if (::mkdir(kLockDir, 0755) != 0 && errno != EEXIST) return Status::Internal(Errno(std::string("mkdir ") + kLockDir));
  std::string path = std::string(kLockDir) + "/" + name;
  for (;;) {
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return Status::Internal(Errno("open " + path));
    int rc;
    while ((rc = ::flock(fd, LOCK_EX | (blocking ? 0 : LOCK_NB))) != 0 && errno == EINTR) {
    }
    if (rc != 0) {
      int err = errno;
      ::close(fd);
      if (err == EWOULDBLOCK) return Status::Conflict(path + " is held by another process");
      errno = err;
      return Status::Internal(Errno("flock " + path));
    }
    // The previous holder may have unlinked the file between our open and
    // our flock; a lock on an unlinked file excludes nobody, so retry.
    struct stat by_fd, by_path;
    if (::fstat(fd, &by_fd) == 0 && ::stat(path.c_str(), &by_path) == 0 && by_fd.st_ino == by_path.st_ino) {
      return FileLock(fd, path);
    }
    ::close(fd);
  }
}

bool FileLock::IsHeld(const std::string& name) {
  std::string path = std::string(kLockDir) + "/" + name;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool held = ::flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK;
  ::close(fd);
  return held;
}

FileLock::FileLock(FileLock&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), path_(std::move(other.path_)) {}

FileLock& FileLock::operator=(FileLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    path_ = std::move(other.path_);
  }
  return *this;
}

FileLock::~FileLock() {
  if (fd_ >= 0) ::close(fd_);
}

void FileLock::Release() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void FileLock::RemoveAndRelease() {
  if (fd_ < 0) return;
  ::unlink(path_.c_str());
  ::close(fd_);
  fd_ = -1;
}

}  // namespace gantry::chaos::net
