#include "node/disk_quota_fs.h"

#include <fcntl.h>
#include <linux/loop.h>
#include <spawn.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <algorithm>
#include <fstream>
#include <sstream>
#include <system_error>
#include <thread>

#include "node/sandbox.h"

namespace gantry::node {
namespace fs = std::filesystem;

namespace {

constexpr uint64_t kMaxScratchMib = uint64_t{16} << 20;  // 16 TiB

Status Errno(std::string_view what, const fs::path& path, int err) {
  return Status::Unavailable(std::string(what) + " " + path.string() + ": " + std::strerror(err));
}

void KeepFirst(Status& first, Status s) {
  if (first.ok() && !s.ok()) first = std::move(s);
}

std::string ReadSmallFile(const fs::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

fs::path Canonical(const fs::path& path) {
  std::error_code ec;
  fs::path out = fs::weakly_canonical(fs::absolute(path), ec);
  return ec ? path.lexically_normal() : out;
}

// Closes a descriptor when it goes out of scope.
struct Fd {
  int fd = -1;
  explicit Fd(int f) : fd(f) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

// Runs mkfs.ext4 on `image` and waits for it. posix_spawn, not fork: the
// agent has threads. Lazy init keeps mkfs at a few ms; the kernel zeroes the
// inode tables in the background of a mounted filesystem.
Status RunMkfs(const fs::path& image) {
  const char* binary = "mkfs.ext4";
  for (const char* candidate : {"/usr/sbin/mkfs.ext4", "/sbin/mkfs.ext4"}) {
    if (::access(candidate, X_OK) == 0) {
      binary = candidate;
      break;
    }
  }
  std::string path = image.string();
  const char* argv[] = {"mkfs.ext4", "-q", "-F", "-m", "0", "-E",
                        "lazy_itable_init=1,lazy_journal_init=1", path.c_str(), nullptr};
  const char* envp[] = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", nullptr};
  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0) return Errno("pipe for mkfs.ext4", image, errno);
  Fd read_end(out[0]);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, out[1], 2);
  pid_t pid = 0;
  int rc = ::posix_spawnp(&pid, binary, &actions, nullptr, const_cast<char* const*>(argv),
                          const_cast<char* const*>(envp));
  posix_spawn_file_actions_destroy(&actions);
  ::close(out[1]);
  if (rc != 0) return Errno("run mkfs.ext4 (is e2fsprogs installed?) for", image, rc);
  std::string output;
  char buf[512];
  for (;;) {
    ssize_t n = ::read(read_end.fd, buf, sizeof(buf));
    if (n > 0 && output.size() < 4096) output.append(buf, static_cast<size_t>(n));
    if (n == 0 || (n < 0 && errno != EINTR)) break;
  }
  int wstatus = 0;
  while (::waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0) return Status::Ok();
  while (!output.empty() && output.back() == '\n') output.pop_back();
  return Status::Unavailable("mkfs.ext4 " + path + " failed (status " + std::to_string(wstatus) +
                             "): " + output.substr(0, 512));
}

// Binds a free loop device to `image` with LO_FLAGS_AUTOCLEAR and returns
// its open descriptor and name. The caller must mount it before closing the
// descriptor: autoclear detaches the device on its last close.
Status AttachLoop(const fs::path& image, int& loop_fd, std::string& device) {
  Fd backing(::open(image.c_str(), O_RDWR | O_CLOEXEC));
  if (backing.fd < 0) return Errno("open", image, errno);
  Fd control(::open("/dev/loop-control", O_RDWR | O_CLOEXEC));
  if (control.fd < 0) return Errno("open", "/dev/loop-control", errno);
  // Another process may take the free device between GET_FREE and
  // CONFIGURE (EBUSY): ask again.
  for (int attempt = 0; attempt < 16; ++attempt) {
    int n = ::ioctl(control.fd, LOOP_CTL_GET_FREE);
    if (n < 0) return Errno("LOOP_CTL_GET_FREE on", "/dev/loop-control", errno);
    device = "/dev/loop" + std::to_string(n);
    int fd = ::open(device.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) return Errno("open", device, errno);
    loop_config config{};
    config.fd = static_cast<uint32_t>(backing.fd);
    config.info.lo_flags = LO_FLAGS_AUTOCLEAR;
    std::strncpy(reinterpret_cast<char*>(config.info.lo_file_name), image.c_str(),
                 LO_NAME_SIZE - 1);
    int rc = ::ioctl(fd, LOOP_CONFIGURE, &config);
    if (rc != 0 && (errno == EINVAL || errno == ENOTTY)) {
      // Kernels before 5.8 lack LOOP_CONFIGURE.
      rc = ::ioctl(fd, LOOP_SET_FD, backing.fd);
      if (rc == 0 && ::ioctl(fd, LOOP_SET_STATUS64, &config.info) != 0) {
        int err = errno;
        (void)::ioctl(fd, LOOP_CLR_FD, 0);  // undo; the status error is what we report
        ::close(fd);
        return Errno("LOOP_SET_STATUS64 on", device, err);
      }
    }
    if (rc == 0) {
      loop_fd = fd;
      return Status::Ok();
    }
    int err = errno;
    ::close(fd);
    if (err != EBUSY) return Errno("LOOP_CONFIGURE on", device, err);
  }
  return Status::Unavailable("no free loop device for " + image.string() + " after 16 tries");
}

// Unmounts `mount_point`, lazily if a process still has it busy (the
// filesystem then goes once the last file in it is closed).
Status Unmount(const fs::path& mount_point) {
  if (::umount2(mount_point.c_str(), UMOUNT_NOFOLLOW) == 0) return Status::Ok();
  if (errno == EBUSY && ::umount2(mount_point.c_str(), MNT_DETACH | UMOUNT_NOFOLLOW) == 0) {
    return Status::Ok();
  }
  if (errno == EINVAL || errno == ENOENT) return Status::Ok();  // not mounted (any more)
  return Errno("unmount", mount_point, errno);
}

// Waits for autoclear to release the loop devices backed by `backing` (the
// kernel may do it from a work queue after the unmount); clears the ones
// still attached after a while, and reports those that stay.
Status DetachLoops(const fs::path& backing, std::vector<std::string>* detached) {
  using Clock = std::chrono::steady_clock;
  const auto start = Clock::now();
  const std::vector<std::string> initial = LoopDevicesBackedBy(backing);
  std::vector<std::string> left = initial;
  bool cleared = false;
  auto delay = std::chrono::milliseconds(1);
  while (!left.empty() && Clock::now() - start < std::chrono::seconds(1)) {
    if (!cleared && Clock::now() - start > std::chrono::milliseconds(100)) {
      for (const auto& device : left) {
        Fd fd(::open(device.c_str(), O_RDONLY | O_CLOEXEC));
        // Busy devices get autoclear instead; ENXIO means already free.
        if (fd.fd >= 0) (void)::ioctl(fd.fd, LOOP_CLR_FD, 0);
      }
      cleared = true;
    }
    std::this_thread::sleep_for(delay);
    delay = std::min(delay * 2, std::chrono::milliseconds(50));
    left = LoopDevicesBackedBy(backing);
  }
  if (detached != nullptr) {
    for (const auto& device : initial) {
      if (std::find(left.begin(), left.end(), device) == left.end()) detached->push_back(device);
    }
  }
  if (left.empty()) return Status::Ok();
  return Status::Unavailable("loop device " + left.front() + " still backed by " +
                             backing.string() +
                             " (a process still holds a file in its filesystem)");
}

}  // namespace

bool IsMountPoint(const fs::path& path) {
  const fs::path canonical = Canonical(path);
  for (const auto& mount : MountPointsUnder(ReadSmallFile("/proc/self/mountinfo"), canonical)) {
    if (mount == canonical) return true;
  }
  return false;
}

std::vector<std::string> LoopDevicesBackedBy(const fs::path& image) {
  const fs::path target = Canonical(image);
  std::vector<std::string> out;
  std::error_code ec;
  for (fs::directory_iterator it("/sys/block", ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (!name.starts_with("loop")) continue;
    std::error_code file_ec;
    const fs::path backing_file = it->path() / "loop" / "backing_file";
    if (!fs::exists(backing_file, file_ec)) continue;  // not attached
    const fs::path backing = ParseBackingFile(ReadSmallFile(backing_file));
    auto [root_end, rest] = std::mismatch(target.begin(), target.end(), backing.begin(),
                                          backing.end());
    (void)rest;
    if (!backing.empty() && root_end == target.end()) out.push_back("/dev/" + name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

Status CreateScratchFilesystem(const fs::path& image, const fs::path& mount_point,
                               uint64_t size_mib) {
  if (size_mib < 1 || size_mib > kMaxScratchMib) {
    return Status::InvalidArgument("scratch size " + std::to_string(size_mib) +
                                   " MiB is not within 1 MiB..16 TiB");
  }
  std::error_code ec;
  fs::create_directories(image.parent_path(), ec);
  if (ec) return Errno("create", image.parent_path(), ec.value());
  fs::create_directories(mount_point, ec);
  if (ec) return Errno("create", mount_point, ec.value());
  {
    Fd fd(::open(image.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    if (fd.fd < 0) return Errno("create", image, errno);
    if (::ftruncate(fd.fd, static_cast<off_t>(size_mib << 20)) != 0) {
      int err = errno;
      (void)RemoveScratchFilesystem(image, mount_point);  // reporting the cause instead
      return Errno("size", image, err);
    }
  }
  Status s = RunMkfs(image);
  int loop_fd = -1;
  std::string device;
  if (s.ok()) s = AttachLoop(image, loop_fd, device);
  if (s.ok()) {
    if (::mount(device.c_str(), mount_point.c_str(), "ext4", MS_NOSUID | MS_NODEV, nullptr) != 0) {
      s = Errno("mount " + device + " at", mount_point, errno);
    }
    ::close(loop_fd);  // mounted: the filesystem holds the device now; else autoclear frees it
  }
  if (!s.ok()) {
    (void)RemoveScratchFilesystem(image, mount_point);  // the cause is what the caller needs
    return s;
  }
  // The job's HOME should start empty.
  fs::remove(mount_point / "lost+found", ec);
  return Status::Ok();
}

Status RemoveScratchFilesystem(const fs::path& image, const fs::path& mount_point) {
  Status first;
  // Stacked mounts (a job cannot mount, but be thorough) come off one by one.
  for (int i = 0; i < 8 && IsMountPoint(mount_point); ++i) {
    Status s = Unmount(mount_point);
    if (!s.ok()) {
      KeepFirst(first, s);
      break;
    }
  }
  Status loops = DetachLoops(image, nullptr);
  KeepFirst(first, loops);
  // An image still attached stays, so the next retry or sweep finds it by
  // its backing file.
  std::error_code ec;
  // ENOTDIR: a path whose parent is not a directory holds no image either.
  if (loops.ok() && !fs::remove(image, ec) && ec && ec.value() != ENOTDIR) {
    KeepFirst(first, Errno("remove", image, ec.value()));
  }
  return first;
}

MountSweepResult SweepScratchMounts(const fs::path& data_dir) {
  MountSweepResult result;
  const fs::path root = Canonical(ScratchRoot(data_dir));
  for (const auto& mount : MountPointsUnder(ReadSmallFile("/proc/self/mountinfo"), root)) {
    if (mount == root) continue;  // an operator's own filesystem for DATA/scratch stays
    Status s = Unmount(mount);
    if (s.ok()) {
      result.unmounted.push_back(mount.string());
    } else {
      KeepFirst(result.status, s);
    }
  }
  const fs::path images = Canonical(ScratchImageRoot(data_dir));
  KeepFirst(result.status, DetachLoops(images, &result.detached));
  std::error_code ec;
  if (!fs::is_directory(images, ec)) return result;
  std::vector<fs::path> files;
  for (fs::directory_iterator it(images, ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    files.push_back(it->path());
  }
  if (ec) KeepFirst(result.status, Errno("list", images, ec.value()));
  for (const auto& file : files) {
    if (!LoopDevicesBackedBy(file).empty()) continue;  // reported by DetachLoops above
    std::error_code rm_ec;
    fs::remove_all(file, rm_ec);
    if (rm_ec) {
      KeepFirst(result.status, Errno("remove", file, rm_ec.value()));
    } else {
      result.removed.push_back(file.filename().string());
    }
  }
  return result;
}

}  // namespace gantry::node
