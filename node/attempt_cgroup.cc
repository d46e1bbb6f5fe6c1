#include "node/attempt_cgroup.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

namespace gantry::node {
namespace {

namespace fs = std::filesystem;
constexpr auto kKillDeadline = std::chrono::seconds(5);
constexpr auto kReapDeadline = std::chrono::seconds(2);
constexpr int kRemoveTries = 5;
constexpr int64_t kDefaultCfsPeriodUs = 100'000;

std::string Errno(const std::string& what) { return what + ": " + std::strerror(errno); }

Result<std::string> ReadText(const fs::path& file) {
  std::ifstream in(file);
  if (!in) return Status::Unavailable(Errno("read " + file.string()));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// One write(2), as the kernel wants for cgroup control files. cgroup v1's
// memory.limit_in_bytes answers EINTR whenever a signal is pending for the
// writer (its resize loop checks before anything else), and an agent with
// many children exiting nearly always has a SIGCHLD pending: retried.
Status WriteText(const fs::path& file, const std::string& text) {
  int fd = ::open(file.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return Status::Unavailable(Errno("open " + file.string()));
  ssize_t n = -1;
  for (int tries = 0; tries < 100; ++tries) {
    n = ::write(fd, text.data(), text.size());
    if (n >= 0 || errno != EINTR) break;
  }
  int saved = errno;
  ::close(fd);
  if (n != static_cast<ssize_t>(text.size())) {
    errno = saved;
    return Status::Unavailable(Errno("write '" + text + "' to " + file.string()));
  }
  return Status::Ok();
}

// The number after `key` in a "key value" per line file; -1 if absent.
int64_t KeyedValue(const fs::path& file, std::string_view key) {
  Result<std::string> text = ReadText(file);
  if (!text.ok()) return -1;
  std::istringstream in(*text);
  std::string k;
  int64_t v = 0;
  while (in >> k >> v) {
    if (k == key) return v;
  }
  return -1;
}

std::vector<int> ReadPids(const fs::path& dir) {
  std::vector<int> pids;
  std::ifstream in(dir / "cgroup.procs");
  int pid = 0;
  while (in >> pid) pids.push_back(pid);
  return pids;
}

void Dedupe(std::vector<fs::path>& dirs) {
  std::vector<fs::path> unique;
  for (auto& d : dirs) {
    if (std::find(unique.begin(), unique.end(), d) == unique.end()) unique.push_back(d);
  }
  dirs = std::move(unique);
}

std::vector<fs::path> OwnDirs(const CgroupLayout& layout) {
  std::vector<fs::path> dirs;
  for (const auto* place : {&layout.memory, &layout.cpu, &layout.pids, &layout.freezer}) {
    if (*place) dirs.push_back((*place)->own_dir);
  }
  Dedupe(dirs);
  return dirs;
}

Status WriteLimits(const CgroupLayout& layout, const CgroupLimits& limits,
                   const fs::path& memory_dir, const fs::path& cpu_dir, const fs::path& pids_dir) {
  if (layout.memory && limits.memory_bytes > 0) {
    const std::string bytes = std::to_string(limits.memory_bytes);
    if (layout.memory->version == CgroupVersion::kV1) {
      GANTRY_RETURN_IF_ERROR(WriteText(memory_dir / "memory.limit_in_bytes", bytes));
      // Memory plus swap at the same limit: no swapping past it. Absent
      // without swap accounting, which is fine.
      if (fs::exists(memory_dir / "memory.memsw.limit_in_bytes")) {
        GANTRY_RETURN_IF_ERROR(WriteText(memory_dir / "memory.memsw.limit_in_bytes", bytes));
      }
    } else {
      GANTRY_RETURN_IF_ERROR(WriteText(memory_dir / "memory.max", bytes));
      if (fs::exists(memory_dir / "memory.swap.max")) {
        GANTRY_RETURN_IF_ERROR(WriteText(memory_dir / "memory.swap.max", "0"));
      }
    }
  }
  if (layout.cpu && limits.vcpus > 0) {
    if (layout.cpu->version == CgroupVersion::kV1) {
      int64_t period = 0;
      Result<std::string> text = ReadText(cpu_dir / "cpu.cfs_period_us");
      if (text.ok()) period = std::atoll(text->c_str());
      if (period <= 0) period = kDefaultCfsPeriodUs;
      GANTRY_RETURN_IF_ERROR(
          WriteText(cpu_dir / "cpu.cfs_quota_us", std::to_string(limits.vcpus * period)));
    } else {
      GANTRY_RETURN_IF_ERROR(WriteText(
          cpu_dir / "cpu.max", std::to_string(limits.vcpus * kDefaultCfsPeriodUs) + " " +
                                   std::to_string(kDefaultCfsPeriodUs)));
    }
  }
  if (layout.pids && limits.pids_max > 0) {
    GANTRY_RETURN_IF_ERROR(WriteText(pids_dir / "pids.max", std::to_string(limits.pids_max)));
  }
  return Status::Ok();
}

// v2 children get a controller only once the parent delegates it.
Status EnableV2Controllers(const CgroupLayout& layout, const CgroupFileWriter& write) {
  for (auto [place, controller] : {std::pair{&layout.memory, "memory"},
                                   std::pair{&layout.cpu, "cpu"}, std::pair{&layout.pids, "pids"}}) {
    if (!*place || (*place)->version != CgroupVersion::kV2) continue;
    GANTRY_RETURN_IF_ERROR(write((*place)->own_dir / "cgroup.subtree_control", std::string("+") + controller));
  }
  return Status::Ok();
}
Status EnableV2Controllers(const CgroupLayout& layout) { return EnableV2Controllers(layout, WriteText); }

// v1: freeze so nothing forks while we kill, SIGKILL every pid, thaw so the
// signals are delivered. Returns the pids signalled.
std::vector<int> KillRoundV1(const std::vector<fs::path>& dirs, const fs::path& freezer_dir) {
  std::set<int> pids;
  for (const auto& d : dirs) {
    for (int pid : ReadPids(d)) pids.insert(pid);
  }
  if (pids.empty()) return {};
  bool frozen = !freezer_dir.empty() && WriteText(freezer_dir / "freezer.state", "FROZEN").ok();
  if (frozen) {
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(200);
    while (std::chrono::steady_clock::now() < until) {
      Result<std::string> state = ReadText(freezer_dir / "freezer.state");
      if (!state.ok() || state->starts_with("FROZEN")) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    // Pids that joined while freezing.
    for (const auto& d : dirs) {
      for (int pid : ReadPids(d)) pids.insert(pid);
    }
  }
  for (int pid : pids) ::kill(pid, SIGKILL);
  if (frozen) (void)WriteText(freezer_dir / "freezer.state", "THAWED");  // next round retries
  return {pids.begin(), pids.end()};
}

}  // namespace

Result<CgroupLayout> DetectCgroupLayout() {
  Result<std::string> self = ReadText("/proc/self/cgroup");
  Result<std::string> mountinfo = ReadText("/proc/self/mountinfo");
  if (!self.ok()) return self.status();
  if (!mountinfo.ok()) return mountinfo.status();
  GANTRY_ASSIGN_OR_RETURN(auto entries, ParseProcCgroup(*self));
  GANTRY_ASSIGN_OR_RETURN(auto mounts, ParseCgroupMounts(*mountinfo));
  std::string v2_controllers;
  if (auto unified = UnifiedOwnDir(entries, mounts)) {
    Result<std::string> text = ReadText(*unified / "cgroup.controllers");
    if (text.ok()) v2_controllers = *text;
  }
  CgroupLayout layout = ResolveCgroupLayout(entries, mounts, v2_controllers);
  for (auto [place, controller] :
       {std::pair{&layout.memory, "memory"}, std::pair{&layout.cpu, "cpu"},
        std::pair{&layout.pids, "pids"}, std::pair{&layout.freezer, "freezer"}}) {
    if (*place && ::access((*place)->own_dir.c_str(), W_OK) != 0) {
      layout.unavailable.push_back(std::string(controller) + ": cannot write " +
                                   (*place)->own_dir.string() + " (" + std::strerror(errno) + ")");
      place->reset();
    }
  }
  return layout;
}

AttemptCgroup::AttemptCgroup(std::string name, const CgroupLayout& layout)
    : name_(std::move(name)), layout_(layout) {}

fs::path AttemptCgroup::DirFor(const std::optional<CgroupPlace>& place) const {
  return place ? place->own_dir / name_ : fs::path();
}

Result<AttemptCgroup> AttemptCgroup::Create(const CgroupLayout& layout, const std::string& name,
                                            const CgroupLimits& limits) {
  AttemptCgroup cg(name, layout);
  GANTRY_RETURN_IF_ERROR(EnableV2Controllers(layout));
  std::vector<fs::path> wanted;
  for (const auto& dir : OwnDirs(layout)) wanted.push_back(dir / name);
  for (const auto& dir : wanted) {
    if (::mkdir(dir.c_str(), 0755) != 0) {
      Status failed = errno == EEXIST ? Status::Conflict("cgroup exists: " + dir.string())
                                      : Status::Unavailable(Errno("mkdir " + dir.string()));
      (void)cg.Remove();  // what was made so far; its own failure is secondary
      return failed;
    }
    cg.dirs_.push_back(dir);
  }
  Status s = WriteLimits(layout, limits, cg.DirFor(layout.memory), cg.DirFor(layout.cpu),
                         cg.DirFor(layout.pids));
  if (!s.ok()) {
    (void)cg.Remove();
    return s;
  }
  return cg;
}

AttemptCgroup AttemptCgroup::Existing(const CgroupLayout& layout, const std::string& name) {
  AttemptCgroup cg(name, layout);
  for (const auto& dir : OwnDirs(layout)) {
    std::error_code ec;
    if (fs::is_directory(dir / name, ec)) cg.dirs_.push_back(dir / name);
  }
  return cg;
}

std::vector<std::string> AttemptCgroup::ProcsFiles() const {
  std::vector<std::string> files;
  for (const auto& dir : dirs_) files.push_back((dir / "cgroup.procs").string());
  return files;
}

Result<std::vector<int>> AttemptCgroup::KillAll() {
  std::set<int> signalled;
  const bool v2 = (layout_.memory && layout_.memory->version == CgroupVersion::kV2) ||
                  (layout_.pids && layout_.pids->version == CgroupVersion::kV2) ||
                  (layout_.cpu && layout_.cpu->version == CgroupVersion::kV2);
  fs::path freezer = DirFor(layout_.freezer);
  if (!freezer.empty() && std::find(dirs_.begin(), dirs_.end(), freezer) == dirs_.end()) {
    freezer.clear();
  }
  const auto until = std::chrono::steady_clock::now() + kKillDeadline;
  auto delay = std::chrono::microseconds(200);
  while (true) {
    std::vector<int> round;
    if (v2) {
      for (const auto& d : dirs_) {
        for (int pid : ReadPids(d)) round.push_back(pid);
        if (!round.empty()) (void)WriteText(d / "cgroup.kill", "1");  // polled below
      }
    }
    // v1 directories (all of them in a v1 or hybrid layout) by freezing.
    std::vector<int> v1_round = KillRoundV1(dirs_, freezer);
    round.insert(round.end(), v1_round.begin(), v1_round.end());
    if (round.empty()) break;
    signalled.insert(round.begin(), round.end());
    if (std::chrono::steady_clock::now() >= until) {
      return Status::Unavailable("processes left in cgroup " + name_ + " after SIGKILL");
    }
    std::this_thread::sleep_for(delay);
    delay = std::min(delay * 2, std::chrono::microseconds(20'000));
  }
  return std::vector<int>(signalled.begin(), signalled.end());
}

bool AttemptCgroup::OomKilled(bool sigkilled) const {
  if (!layout_.memory) return false;
  const fs::path dir = DirFor(layout_.memory);
  if (layout_.memory->version == CgroupVersion::kV2) {
    return KeyedValue(dir / "memory.events", "oom_kill") > 0;
  }
  int64_t kills = KeyedValue(dir / "memory.oom_control", "oom_kill");
  if (kills >= 0) return kills > 0;
  Result<std::string> failcnt = ReadText(dir / "memory.failcnt");
  return sigkilled && failcnt.ok() && std::atoll(failcnt->c_str()) > 0;
}

Status AttemptCgroup::Remove() {
  Status first;
  std::vector<fs::path> left;
  // Children before parents does not arise (one level), but v1 directories
  // may be busy for a moment after their last process died.
  for (const auto& dir : dirs_) {
    int err = 0;
    for (int i = 0; i < kRemoveTries; ++i) {
      if (::rmdir(dir.c_str()) == 0 || errno == ENOENT) {
        err = 0;
        break;
      }
      err = errno;
      std::this_thread::sleep_for(std::chrono::milliseconds(2 << i));
    }
    if (err != 0) {
      left.push_back(dir);
      if (first.ok()) first = Status::Unavailable("rmdir " + dir.string() + ": " + std::strerror(err));
    }
  }
  dirs_ = std::move(left);
  return first;
}

CgroupSweepResult SweepAttemptCgroups(const CgroupLayout& layout, std::string_view prefix) {
  CgroupSweepResult result;
  std::set<std::string> names;
  for (const auto& own : OwnDirs(layout)) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(own, ec)) {
      const std::string name = entry.path().filename().string();
      if (name.starts_with(prefix) && entry.is_directory(ec)) names.insert(name);
    }
    if (ec && result.status.ok()) {
      result.status = Status::Unavailable("list " + own.string() + ": " + ec.message());
    }
  }
  for (const auto& name : names) {
    AttemptCgroup cg = AttemptCgroup::Existing(layout, name);
    Result<std::vector<int>> killed = cg.KillAll();
    Status removed = killed.ok() ? cg.Remove() : killed.status();
    if (removed.ok()) {
      result.removed.push_back(name);
    } else if (result.status.ok()) {
      result.status = removed;
    }
  }
  return result;
}

void ReapKilled(const std::vector<int>& pids) {
  const auto until = std::chrono::steady_clock::now() + kReapDeadline;
  std::vector<int> waiting = pids;
  while (!waiting.empty()) {
    std::vector<int> still;
    for (int pid : waiting) {
      pid_t r = ::waitpid(pid, nullptr, WNOHANG);
      if (r == pid) continue;  // reaped
      // Not our child (yet): gone for good once no process has the pid.
      if (r < 0 && errno == ECHILD && ::kill(pid, 0) != 0 && errno == ESRCH) continue;
      still.push_back(pid);
    }
    waiting = std::move(still);
    if (waiting.empty() || std::chrono::steady_clock::now() >= until) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

Status WriteCgroupFile(const fs::path& file, const std::string& text) { return WriteText(file, text); }

Status DelegateV2Controllers(const CgroupLayout& layout, const std::string& leaf_name, int pid,
                             const CgroupFileWriter& write) {
  std::optional<fs::path> own;
  for (const auto* place : {&layout.memory, &layout.cpu, &layout.pids}) {
    if (*place && (*place)->version == CgroupVersion::kV2) own = (*place)->own_dir;
  }
  if (!own) return Status::Ok();
  if (EnableV2Controllers(layout, write).ok()) return Status::Ok();
  // Refused: most likely we sit in the cgroup ourselves. Step aside into a
  // leaf, so the own cgroup holds only children, and try once more.
  const fs::path leaf = *own / leaf_name;
  std::error_code ec;
  fs::create_directory(leaf, ec);
  if (ec) return Status::Unavailable("create cgroup " + leaf.string() + ": " + ec.message());
  GANTRY_RETURN_IF_ERROR(write(leaf / "cgroup.procs", std::to_string(pid)));
  Status again = EnableV2Controllers(layout, write);
  if (!again.ok()) {
    return Status::Unavailable("cgroup v2: " + own->string() +
                               " cannot delegate controllers to attempts even with the agent moved to " +
                               leaf.string() + " (other processes in it?): " + again.message());
  }
  return Status::Ok();
}

}  // namespace gantry::node
