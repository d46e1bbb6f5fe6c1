#include "node/executor.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

#include "gantry/check.h"
#include "node/attempt_log.h"
#include "node/attempt_log_pipe.h"
#include "node/sandbox_fs.h"
#include "protocol/types.h"

namespace gantry::node {

// An attempt's way through the executor:
//
//   Start ──spawned──> kRunning ──leader exited──> kReaping ──group empty──> kKilling
//     │                  Stop: SIGTERM to the group;  SIGKILL the group, reap;    worker thread:
//     │                  SIGKILL after the grace      poll until none is left     kill the cgroups
//     └──sandbox or spawn failed──────────────────────────────────────────────> (if any)
//                                                                                   │
//   kDraining: the output pipe's readable rest is logged, the pipe closed <─────────┘
//       │  (never waits for EOF: an escaped process may hold the pipe)
//       └──> kCleaning: worker thread: log tail, rm -r the scratch, rmdir the cgroups
//                 │
//   on_finished <── (handles closed) <── kClosing
struct Executor::Proc {
  enum class State : uint8_t { kStarting, kRunning, kReaping, kKilling, kDraining, kCleaning, kClosing };

  Executor* owner = nullptr;
  std::string attempt_id;
  SandboxPaths paths;
  FinishedFn on_finished;
  State state = State::kStarting;
  int pid = 0;
  uv_process_t process{};
  uv_timer_t timer{};  // the kill grace while running, the reap poll while reaping
  uv_work_t work{};
  bool process_open = false;
  int open_handles = 0;
  std::unique_ptr<AttemptLogPipe> log;  // null when the sandbox failed
  uint64_t reap_since_ms = 0;
  uint64_t reap_delay_ms = 1;
  bool reap_warned = false;
  // In kKilling and kCleaning the worker thread writes these and the loop
  // thread leaves them alone (Stop and Kill check the state first).
  Outcome outcome;
  Status tail_status;
  Status cleanup_status;
  std::optional<AttemptCgroup> cgroup;  // the worker thread owns it in kCleaning
  Status cgroup_kill_status;
  Status cgroup_remove_status;
  int64_t cgroup_teardown_us = 0;
};

namespace {
constexpr uint64_t kMaxReapDelayMs = 100;
constexpr uint64_t kReapWarnAfterMs = 5000;

// Joins each cgroup.procs given before "--", then execs what follows. $$ is
// the shell's pid, which exec keeps, so the job starts inside its cgroups.
// Every path and argument is a positional parameter: nothing is quoted.
constexpr const char* kJoinCgroupsShim =
    "while [ \"$1\" != -- ]; do "
    "echo $$ > \"$1\" || { echo \"gantry: cannot join cgroup $1\" >&2; exit 125; }; shift; "
    "done; shift; exec \"$@\"";

int64_t MicrosSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() -
                                                               start)
      .count();
}

// The error uv_spawn would give for `argv0`, which the shim would otherwise
// turn into exit code 127: looked up in `path` like execvp does.
std::string ExecutableError(const std::string& argv0, const std::vector<std::string>& env) {
  auto check = [](const std::string& file) -> int {
    if (::access(file.c_str(), X_OK) == 0) return 0;
    return errno;
  };
  if (argv0.find('/') != std::string::npos) {
    int err = check(argv0);
    return err == 0 ? "" : uv_strerror(uv_translate_sys_error(err));
  }
  std::string path(kDefaultPath);
  for (const auto& e : env) {
    if (e.starts_with("PATH=")) path = e.substr(5);
  }
  int first_err = ENOENT;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find(':', start);
    if (end == std::string::npos) end = path.size();
    std::string dir = path.substr(start, end - start);
    int err = check((dir.empty() ? std::string(".") : dir) + "/" + argv0);
    if (err == 0) return "";
    if (err == EACCES) first_err = EACCES;
    start = end + 1;
  }
  return uv_strerror(uv_translate_sys_error(first_err));
}
}  // namespace

Executor::Executor(uv_loop_t* loop, Logger log, ExecutorOptions options)
    : loop_(loop), log_(std::move(log)), options_(options) {
  // Orphans of a killed job tree are re-parented to us instead of init, so we
  // can reap them and know when the group is really gone.
  if (::prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) {
    log_->warn("cannot become child subreaper error={}", std::strerror(errno));
  }
  DetectCgroups();
}

Executor::~Executor() {
  GANTRY_CHECK_MSG(procs_.empty(), "executor destroyed with attempts in flight");
}

Result<int> Executor::Start(LaunchSpec spec, FinishedFn on_finished) {
  GANTRY_CHECK_MSG(!procs_.contains(spec.attempt_id),
                   "attempt already in flight: " + spec.attempt_id);
  GANTRY_CHECK(!spec.argv.empty());
  auto owned = std::make_unique<Proc>();
  Proc& p = *owned;
  p.owner = this;
  p.attempt_id = spec.attempt_id;
  p.paths = spec.paths;
  p.on_finished = std::move(on_finished);
  uv_timer_init(loop_, &p.timer);
  p.timer.data = &p;
  p.open_handles = 1;
  procs_.emplace(p.attempt_id, std::move(owned));

  Result<int> log_fd = PrepareSandbox(p.paths);
  if (!log_fd.ok()) {
    p.outcome.start_failure = StartFailure::kSandbox;
    p.outcome.start_error = log_fd.status().message();
    StartCleanup(p);
    return log_fd.status();
  }
  if (layout_) {
    const auto begin = std::chrono::steady_clock::now();
    Result<AttemptCgroup> cg = AttemptCgroup::Create(
        *layout_, AttemptCgroupName(options_.cgroup_prefix, p.attempt_id),
        CgroupLimits{.memory_bytes = spec.memory_mib * 1024 * 1024,
                     .vcpus = spec.vcpus,
                     .pids_max = options_.pids_max});
    if (!cg.ok()) {
      ::close(*log_fd);
      p.outcome.start_failure = StartFailure::kSandbox;
      p.outcome.start_error = "cgroup: " + cg.status().message();
      StartCleanup(p);
      return Status::Unavailable(p.outcome.start_error);
    }
    p.cgroup = std::move(cg).value();
    log_->debug("attempt cgroup created attempt_id={} us={}", p.attempt_id, MicrosSince(begin));
  }
  Result<int> out_fd = OpenLog(p, *log_fd);
  if (!out_fd.ok()) {
    p.outcome.start_failure = StartFailure::kSandbox;
    p.outcome.start_error = out_fd.status().message();
    StartCleanup(p);
    return out_fd.status();
  }
  Spawn(p, spec, *out_fd);
  if (p.outcome.start_failure != StartFailure::kNone) {
    StartCleanup(p);
    return Status::Unavailable(p.outcome.start_error);
  }
  return p.pid;
}

// Takes `log_fd` (output.log); returns the write end of the pipe the loop
// reads into it, for Spawn.
Result<int> Executor::OpenLog(Proc& p, int log_fd) {
  auto writer = std::make_unique<AttemptLogWriter>(
      p.paths.log_dir, log_fd, std::max<uint64_t>(options_.max_log_bytes_per_attempt, 2));
  Result<std::unique_ptr<AttemptLogPipe>> pipe =
      AttemptLogPipe::Open(loop_, log_, p.attempt_id, std::move(writer));
  if (!pipe.ok()) return Status::Unavailable("output pipe: " + pipe.status().message());
  p.log = std::move(pipe).value();
  return p.log->TakeChildFd();
}

bool Executor::LogOpen(const std::filesystem::path& log_dir) const {
  for (const auto& [id, p] : procs_) {
    if (p->paths.log_dir == log_dir && p->log && p->log->open()) return true;
  }
  return false;
}

std::vector<std::filesystem::path> Executor::LogDirsInUse() const {
  std::vector<std::filesystem::path> dirs;
  for (const auto& [id, p] : procs_) dirs.push_back(p->paths.log_dir);
  return dirs;
}

void Executor::Spawn(Proc& p, LaunchSpec& spec, int log_fd) {
  int dev_null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (dev_null < 0) {
    p.outcome.start_failure = StartFailure::kSandbox;
    p.outcome.start_error = std::string("open /dev/null: ") + std::strerror(errno);
    ::close(log_fd);
    return;
  }
  if (p.cgroup || options_.isolation.any()) {
    const IsolationOptions& iso = options_.isolation;
    auto fail = [&](StartFailure why, std::string error) {
      p.outcome.start_failure = why;
      p.outcome.start_error = std::move(error);
      ::close(dev_null);
      ::close(log_fd);
    };
    // The shim and sandbox-exec report a missing command as exit 127; say
    // it the way uv_spawn would instead.
    std::string error = ExecutableError(spec.argv[0], spec.env);
    if (!error.empty()) return fail(StartFailure::kSpawn, error);
    if (iso.any() && options_.gantry_binary.empty()) {
      return fail(StartFailure::kSandbox, "isolation needs the gantry binary, none configured");
    }
    // The job's cwd and HOME: its user must own it (also when it is the
    // root of a fresh ext4 scratch filesystem).
    if (iso.user && ::chown(p.paths.scratch_dir.c_str(), iso.user->uid, iso.user->gid) != 0) {
      return fail(StartFailure::kSandbox,
                  "chown " + p.paths.scratch_dir.string() + ": " + std::strerror(errno));
    }
    if (!options_.gantry_binary.empty()) {
      SandboxExecSpec sandbox;
      if (p.cgroup) sandbox.cgroup_procs = p.cgroup->ProcsFiles();
      sandbox.pid_namespace = iso.pid_namespace;
      if (iso.private_tmp) {
        sandbox.private_tmp = (p.paths.scratch_dir / kPrivateTmpDirName).string();
      }
      if (iso.private_tmp || iso.pid_namespace) sandbox.scratch = p.paths.scratch_dir.string();
      sandbox.user = iso.user;
      sandbox.argv = std::move(spec.argv);
      spec.argv = SandboxExecArgv(options_.gantry_binary, sandbox);
    } else {
      std::vector<std::string> shim = {"/bin/sh", "-c", kJoinCgroupsShim, "gantry-join-cgroups"};
      for (auto& file : p.cgroup->ProcsFiles()) shim.push_back(std::move(file));
      shim.push_back("--");
      shim.insert(shim.end(), spec.argv.begin(), spec.argv.end());
      spec.argv = std::move(shim);
    }
  }
  std::vector<char*> args;
  for (auto& a : spec.argv) args.push_back(a.data());
  args.push_back(nullptr);
  std::vector<char*> envp;
  for (auto& e : spec.env) envp.push_back(e.data());
  envp.push_back(nullptr);
  const std::string cwd = p.paths.scratch_dir.string();

  // One descriptor for stdout and stderr, the output pipe's write end, so
  // the two streams interleave in write order, as with 2>&1.
  uv_stdio_container_t stdio[3];
  stdio[0].flags = UV_INHERIT_FD;
  stdio[0].data.fd = dev_null;
  stdio[1].flags = UV_INHERIT_FD;
  stdio[1].data.fd = log_fd;
  stdio[2] = stdio[1];
  uv_process_options_t options{};
  options.exit_cb = [](uv_process_t* h, int64_t exit_status, int term_signal) {
    auto* proc = static_cast<Proc*>(h->data);
    proc->owner->OnExit(*proc, exit_status, term_signal);
  };
  options.file = args[0];
  options.args = args.data();
  options.env = envp.data();
  options.cwd = cwd.c_str();
  // setsid() in the child: a new session and process group, led by the child.
  options.flags = UV_PROCESS_DETACHED;
  options.stdio_count = 3;
  options.stdio = stdio;
  int rc = uv_spawn(loop_, &p.process, &options);
  // uv_spawn initialises the handle even when it fails; it must be closed.
  p.process.data = &p;
  p.process_open = true;
  ++p.open_handles;
  ::close(dev_null);
  ::close(log_fd);
  if (rc != 0) {
    p.outcome.start_failure = StartFailure::kSpawn;
    p.outcome.start_error = uv_strerror(rc);
    return;
  }
  p.pid = p.process.pid;
  p.state = Proc::State::kRunning;
}

void Executor::Stop(const std::string& attempt_id) {
  auto it = procs_.find(attempt_id);
  if (it == procs_.end()) return;
  Proc& p = *it->second;
  if (p.state != Proc::State::kRunning || p.outcome.stopped) return;
  p.outcome.stopped = true;
  log_->info("attempt stopping attempt_id={} pid={} grace_ms={}", p.attempt_id, p.pid,
             options_.kill_grace_ms);
  Signal(p, SIGTERM);
  uv_timer_start(
      &p.timer,
      [](uv_timer_t* t) {
        auto* proc = static_cast<Proc*>(t->data);
        proc->owner->log_->info("attempt grace expired attempt_id={} pid={}", proc->attempt_id,
                                proc->pid);
        proc->owner->Signal(*proc, SIGKILL);
      },
      static_cast<uint64_t>(std::max<int64_t>(options_.kill_grace_ms, 0)), 0);
}

void Executor::Terminate(const std::string& attempt_id) {
  auto it = procs_.find(attempt_id);
  if (it == procs_.end()) return;
  Proc& p = *it->second;
  if (p.state != Proc::State::kRunning || p.outcome.stopped) return;
  p.outcome.stopped = true;
  log_->info("attempt terminating attempt_id={} pid={}", p.attempt_id, p.pid);
  Signal(p, SIGTERM);
}

bool Executor::ProcessRunning(const std::string& attempt_id) const {
  auto it = procs_.find(attempt_id);
  return it != procs_.end() && it->second->state == Proc::State::kRunning;
}

void Executor::Kill(const std::string& attempt_id) {
  auto it = procs_.find(attempt_id);
  if (it == procs_.end()) return;
  Proc& p = *it->second;
  if (p.state != Proc::State::kRunning) return;
  p.outcome.stopped = true;
  uv_timer_stop(&p.timer);
  log_->info("attempt killing attempt_id={} pid={}", p.attempt_id, p.pid);
  Signal(p, SIGKILL);
}

void Executor::Signal(Proc& p, int signal) {
  if (::kill(-p.pid, signal) != 0 && errno != ESRCH) {
    log_->warn("signal failed attempt_id={} pgid={} signal={} error={}", p.attempt_id, p.pid,
               signal, std::strerror(errno));
  }
}

void Executor::OnExit(Proc& p, int64_t exit_status, int term_signal) {
  if (term_signal != 0) {
    p.outcome.signal = term_signal;
  } else {
    p.outcome.exit_code = static_cast<int32_t>(exit_status);
  }
  uv_timer_stop(&p.timer);
  log_->debug("attempt process exited attempt_id={} pid={} exit_status={} signal={}", p.attempt_id,
              p.pid, exit_status, term_signal);
  p.state = Proc::State::kReaping;
  p.reap_since_ms = uv_now(loop_);
  ReapGroup(p);
}

// The leader is reaped (by libuv); what else is left of its group dies now.
// Killed members become zombies until reaped: ours (as subreaper) by the
// waitpid below, so kill(-pgid, 0) reports ESRCH only once all are gone. The
// poll backs off from 1 ms; SIGKILLed processes normally go within a few.
void Executor::ReapGroup(Proc& p) {
  ::kill(-p.pid, SIGKILL);  // errors show as the group outliving the poll below
  while (::waitpid(-p.pid, nullptr, WNOHANG) > 0) {
  }
  if (::kill(-p.pid, 0) != 0 && errno == ESRCH) {
    StartCleanup(p);
    return;
  }
  uint64_t waited = uv_now(loop_) - p.reap_since_ms;
  if (!p.reap_warned && waited >= kReapWarnAfterMs) {
    p.reap_warned = true;
    log_->warn("attempt processes outlive SIGKILL attempt_id={} pgid={} waited_ms={}", p.attempt_id,
               p.pid, waited);
  }
  uv_timer_start(
      &p.timer,
      [](uv_timer_t* t) {
        auto* proc = static_cast<Proc*>(t->data);
        proc->owner->ReapGroup(*proc);
      },
      p.reap_delay_ms, 0);
  p.reap_delay_ms = std::min(p.reap_delay_ms * 2, kMaxReapDelayMs);
}

// Every process of the attempt dies before its output pipe is drained and
// before its scratch goes: with cgroups, also those that left the group.
void Executor::StartCleanup(Proc& p) {
  if (!p.cgroup) return DrainLog(p);
  p.state = Proc::State::kKilling;
  p.work.data = &p;
  int rc = uv_queue_work(
      loop_, &p.work,
      [](uv_work_t* w) {
        // Worker thread: killing and reaping a cgroup takes a few ms.
        auto* proc = static_cast<Proc*>(w->data);
        const auto begin = std::chrono::steady_clock::now();
        Result<std::vector<int>> killed = proc->cgroup->KillAll();
        if (killed.ok()) {
          ReapKilled(*killed);
        } else {
          proc->cgroup_kill_status = killed.status();
        }
        proc->outcome.oom_killed =
            proc->cgroup->OomKilled(proc->outcome.signal == std::optional<int32_t>(SIGKILL));
        proc->cgroup_teardown_us = MicrosSince(begin);
      },
      [](uv_work_t* w, int) {
        auto* proc = static_cast<Proc*>(w->data);
        proc->owner->DrainLog(*proc);
      });
  GANTRY_CHECK_MSG(rc == 0, std::string("uv_queue_work: ") + uv_strerror(rc));
}

void Executor::DrainLog(Proc& p) {
  p.state = Proc::State::kDraining;
  if (!p.log) return RemoveSandbox(p);
  p.log->DrainAndClose([&p] { p.owner->RemoveSandbox(p); });
}

void Executor::RemoveSandbox(Proc& p) {
  p.state = Proc::State::kCleaning;
  p.work.data = &p;
  int rc = uv_queue_work(
      loop_, &p.work,
      [](uv_work_t* w) {
        // Worker thread. Scratch trees can be big; never delete them on the loop.
        auto* proc = static_cast<Proc*>(w->data);
        Result<std::string> tail = ReadAttemptLogTail(proc->paths.log_dir, protocol::kMaxLogTailBytes);
        if (tail.ok()) {
          proc->outcome.log_tail = std::move(tail).value();
        } else if (tail.status().code() != StatusCode::kNotFound) {
          proc->tail_status = tail.status();
        }
        proc->cleanup_status = RemoveScratch(proc->paths);
        if (proc->cgroup && proc->cgroup_kill_status.ok()) {
          const auto begin = std::chrono::steady_clock::now();
          proc->cgroup_remove_status = proc->cgroup->Remove();
          proc->cgroup_teardown_us += MicrosSince(begin);
        }
      },
      [](uv_work_t* w, int) {
        auto* proc = static_cast<Proc*>(w->data);
        proc->owner->AfterCleanup(*proc);
      });
  GANTRY_CHECK_MSG(rc == 0, std::string("uv_queue_work: ") + uv_strerror(rc));
}

void Executor::AfterCleanup(Proc& p) {
  if (!p.tail_status.ok()) {
    log_->warn("log tail unreadable attempt_id={} error={}", p.attempt_id, p.tail_status.message());
  }
  if (!p.cleanup_status.ok()) {
    log_->error("scratch cleanup failed attempt_id={} error={}", p.attempt_id,
                p.cleanup_status.message());
  }
  if (p.cgroup) {
    if (!p.cgroup_kill_status.ok()) {
      log_->error("attempt cgroup kill failed attempt_id={} error={}", p.attempt_id,
                  p.cgroup_kill_status.message());
    } else if (!p.cgroup_remove_status.ok()) {
      log_->error("attempt cgroup not removed, will retry attempt_id={} error={}", p.attempt_id,
                  p.cgroup_remove_status.message());
    }
    if (!p.cgroup->dirs().empty()) stale_cgroups_.push_back(std::move(*p.cgroup));
    log_->debug("attempt cgroup torn down attempt_id={} us={} oom_killed={}", p.attempt_id,
                p.cgroup_teardown_us, p.outcome.oom_killed);
  }
  RetryStaleCgroups();
  p.state = Proc::State::kClosing;
  auto on_close = [](uv_handle_t* h) {
    auto* proc = static_cast<Proc*>(h->data);
    proc->owner->OnHandleClosed(*proc);
  };
  uv_close(reinterpret_cast<uv_handle_t*>(&p.timer), on_close);
  if (p.process_open) uv_close(reinterpret_cast<uv_handle_t*>(&p.process), on_close);
}

void Executor::OnHandleClosed(Proc& p) {
  if (--p.open_handles > 0) return;
  auto it = procs_.find(p.attempt_id);
  GANTRY_CHECK(it != procs_.end());
  std::unique_ptr<Proc> owned = std::move(it->second);
  procs_.erase(it);
  FinishedFn done = std::move(owned->on_finished);
  done(std::move(owned->outcome));
}

}  // namespace gantry::node
