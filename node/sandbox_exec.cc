#include "node/sandbox_exec.h"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "node/disk_quota.h"

namespace gantry::node {
namespace fs = std::filesystem;

std::vector<std::string> SandboxExecArgv(std::string_view gantry_binary,
                                         const SandboxExecSpec& spec) {
  std::vector<std::string> out = {std::string(gantry_binary), "sandbox-exec"};
  for (const auto& file : spec.cgroup_procs) {
    out.push_back("--cgroup-procs");
    out.push_back(file);
  }
  if (spec.pid_namespace) out.push_back("--pid-namespace");
  if (!spec.private_tmp.empty()) {
    out.push_back("--private-tmp");
    out.push_back(spec.private_tmp);
  }
  if (!spec.scratch.empty()) {
    out.push_back("--scratch");
    out.push_back(spec.scratch);
  }
  if (spec.user) {
    out.push_back("--user");
    out.push_back(FormatUserIds(*spec.user));
  }
  out.push_back("--");
  out.insert(out.end(), spec.argv.begin(), spec.argv.end());
  return out;
}

Result<UserIds> ParseUserIds(std::string_view text) {
  auto bad = [&] {
    return Status::InvalidArgument("\"" + std::string(text.substr(0, 64)) + "\" is not UID:GID");
  };
  size_t colon = text.find(':');
  if (colon == std::string_view::npos) return bad();
  auto number = [](std::string_view s, uint32_t* out) {
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
    // (uid_t)-1 means "leave unchanged" to the set*id calls: never an id.
    return !s.empty() && ec == std::errc() && end == s.data() + s.size() && *out != UINT32_MAX;
  };
  UserIds ids;
  if (!number(text.substr(0, colon), &ids.uid) || !number(text.substr(colon + 1), &ids.gid)) {
    return bad();
  }
  return ids;
}

std::string FormatUserIds(const UserIds& ids) {
  return std::to_string(ids.uid) + ":" + std::to_string(ids.gid);
}

namespace {

constexpr int kForwarded[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};

// The outer tells the init which signal to forward with a real-time signal
// carrying its number. Real-time signals queue; a standard one would merge
// with the copy of a group-wide kill(-pgid) the init gets itself, and be lost.
int ForwardSignal() { return SIGRTMIN; }

bool IsForwarded(int sig) {
  for (int f : kForwarded) {
    if (f == sig) return true;
  }
  return false;
}

void WriteStderr(const std::string& text) {
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(STDERR_FILENO, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += static_cast<size_t>(n);
  }
}

[[noreturn]] void Fail(const std::string& what, int err, int code = kSandboxExecSetupFailed) {
  std::string text = "gantry sandbox-exec: cannot " + what;
  if (err != 0) text += std::string(": ") + std::strerror(err);
  WriteStderr(text + "\n");
  ::_exit(code);
}

void JoinCgroups(const std::vector<std::string>& files) {
  const std::string pid = std::to_string(::getpid());
  for (const auto& file : files) {
    int fd = ::open(file.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) Fail("join cgroup " + file, errno);
    ssize_t n = ::write(fd, pid.data(), pid.size());
    int err = errno;
    ::close(fd);
    if (n != static_cast<ssize_t>(pid.size())) Fail("join cgroup " + file, n < 0 ? err : EIO);
  }
}

// Detaches, in this mount namespace, every mount below the parent of
// `scratch` but `scratch` and what is below it.
void DetachOtherScratches(const std::string& scratch) {
  std::error_code ec;
  const fs::path own = fs::weakly_canonical(scratch, ec);
  if (ec) Fail("resolve " + scratch, ec.value());
  const fs::path root = own.parent_path();
  std::string mountinfo;
  int fd = ::open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
  if (fd < 0) Fail("read /proc/self/mountinfo", errno);
  char buf[65536];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof(buf))) > 0) mountinfo.append(buf, static_cast<size_t>(n));
  ::close(fd);
  for (const auto& mount : MountPointsUnder(mountinfo, root)) {
    if (mount == root) continue;
    const fs::path rel = mount.lexically_relative(own);
    if (!rel.empty() && *rel.begin() != "..") continue;  // ours, or below ours
    // EINVAL: gone already, with a detached mount above it.
    if (::umount2(mount.c_str(), MNT_DETACH | UMOUNT_NOFOLLOW) != 0 && errno != EINVAL) {
      Fail("detach " + mount.string(), errno);
    }
  }
}

// A mount namespace in which nothing propagates back to the host's, without
// the other attempts' scratch filesystems, with spec.private_tmp (when set)
// as /tmp.
void SetUpMounts(const SandboxExecSpec& spec) {
  if (::unshare(CLONE_NEWNS) != 0) Fail("create a mount namespace", errno);
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_SLAVE, nullptr) != 0) {
    Fail("make the mounts slaves", errno);
  }
  if (!spec.scratch.empty()) DetachOtherScratches(spec.scratch);
  const std::string& tmp = spec.private_tmp;
  const std::optional<UserIds>& user = spec.user;
  if (tmp.empty()) return;
  if (::mkdir(tmp.c_str(), 01777) != 0 && errno != EEXIST) Fail("create " + tmp, errno);
  struct stat st {};
  if (::lstat(tmp.c_str(), &st) != 0) Fail("stat " + tmp, errno);
  if (!S_ISDIR(st.st_mode)) Fail("use " + tmp + " as /tmp", ENOTDIR);
  // Sticky and open to all, as /tmp is; mkdir's mode went through the umask.
  if (::chmod(tmp.c_str(), 01777) != 0) Fail("chmod " + tmp, errno);
  if (user && ::chown(tmp.c_str(), user->uid, user->gid) != 0) Fail("chown " + tmp, errno);
  if (::mount(tmp.c_str(), "/tmp", nullptr, MS_BIND, nullptr) != 0) {
    Fail("bind-mount " + tmp + " on /tmp", errno);
  }
}

// Every signal back to its default and none blocked: exec keeps ignored
// signals ignored and the mask as it is, and the job must not inherit ours.
void ResetSignals() {
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig == SIGKILL || sig == SIGSTOP) continue;
    ::signal(sig, SIG_DFL);  // fails harmlessly for the C library's own signals
  }
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
}

[[noreturn]] void ExecJob(const SandboxExecSpec& spec) {
  ResetSignals();
  if (spec.user) {
    const std::string who = "switch to user " + FormatUserIds(*spec.user);
    if (::setgroups(0, nullptr) != 0) Fail(who + " (setgroups)", errno);
    if (::setgid(spec.user->gid) != 0) Fail(who + " (setgid)", errno);
    if (::setuid(spec.user->uid) != 0) Fail(who + " (setuid)", errno);
  }
  std::vector<char*> args;
  for (const auto& a : spec.argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  ::execvp(args[0], args.data());
  int err = errno;
  Fail("exec " + spec.argv[0], err, err == ENOENT ? 127 : 126);
}

// The exit code a shell would show for `status`.
int ShellCode(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return kSandboxExecSetupFailed;
}

// What the outer waits for: its child's end and the signals it forwards.
sigset_t OuterSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGCHLD);
  for (int sig : kForwarded) sigaddset(&set, sig);
  return set;
}

// What the init waits for: its children's ends and the outer's requests.
sigset_t InitSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGCHLD);
  sigaddset(&set, ForwardSignal());
  return set;
}

// PID 1 of the new namespace. Comes with OuterSignals() blocked.
[[noreturn]] void RunInit(const SandboxExecSpec& spec, int status_fd, int alive_fd) {
  // Blocked before the fork, so that nothing sent meanwhile is lost. The
  // standard signals are now let through: with no handler, PID 1 discards
  // them (the kernel protects a namespace's init).
  const sigset_t waited = InitSignals();
  ::sigprocmask(SIG_SETMASK, &waited, nullptr);
  // The outer may have died before PR_SET_PDEATHSIG took hold; its end of
  // the alive pipe tells.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  pollfd alive{alive_fd, POLLIN, 0};
  if (::poll(&alive, 1, 0) > 0) ::_exit(kSandboxExecSetupFailed);
  // A /proc of this namespace, so the job's ps and /proc/self see it.
  if (::mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0) {
    Fail("mount /proc", errno);
  }
  pid_t job = ::fork();
  if (job < 0) Fail("fork", errno);
  if (job == 0) {
    ::close(status_fd);
    // Out of the executor's group: its kill(-pgid) reaches the job only
    // through the forwarding, so exactly once.
    ::setpgid(0, 0);
    ExecJob(spec);
  }
  while (true) {
    siginfo_t info{};
    int sig = ::sigwaitinfo(&waited, &info);
    if (sig < 0) continue;  // EINTR
    if (sig != SIGCHLD) {
      // Only from the outer, which is outside the namespace (si_pid 0 here).
      const int forward = info.si_value.sival_int;
      if (info.si_code == SI_QUEUE && info.si_pid == 0 && IsForwarded(forward)) {
        ::kill(-1, forward);  // every process of the namespace but this one
      }
      continue;
    }
    int status = 0;
    pid_t pid;
    while ((pid = ::waitpid(-1, &status, WNOHANG)) > 0) {
      if (pid != job) continue;
      // Best effort: without it the outer mirrors this process's exit code.
      [[maybe_unused]] ssize_t n = ::write(status_fd, &status, sizeof(status));
      // PID 1 exiting makes the kernel SIGKILL the rest of the namespace.
      ::_exit(ShellCode(status));
    }
  }
}

// Ends this process the way `status` says the job ended.
[[noreturn]] void Mirror(int status) {
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    // The job already dumped its core, if it did; this one would be noise.
    rlimit no_core{0, 0};
    ::setrlimit(RLIMIT_CORE, &no_core);
    ::signal(sig, SIG_DFL);
    sigset_t one;
    sigemptyset(&one);
    sigaddset(&one, sig);
    ::raise(sig);
    ::sigprocmask(SIG_UNBLOCK, &one, nullptr);
    // Still here: a signal whose default is not to end the process.
  }
  ::_exit(ShellCode(status));
}

[[noreturn]] void RunOuter(const SandboxExecSpec& spec) {
  const sigset_t waited = OuterSignals();
  sigset_t blocked = waited;
  sigaddset(&blocked, ForwardSignal());
  // Blocked from before the fork: nothing sent meanwhile is lost.
  ::sigprocmask(SIG_BLOCK, &blocked, nullptr);
  int status_pipe[2];
  int alive_pipe[2];
  if (::pipe2(status_pipe, O_CLOEXEC) != 0 || ::pipe2(alive_pipe, O_CLOEXEC) != 0) {
    Fail("create a pipe", errno);
  }
  if (::unshare(CLONE_NEWPID) != 0) Fail("create a pid namespace", errno);
  pid_t init = ::fork();
  if (init < 0) Fail("fork", errno);
  if (init == 0) {
    ::close(status_pipe[0]);
    ::close(alive_pipe[1]);
    RunInit(spec, status_pipe[1], alive_pipe[0]);
  }
  ::close(status_pipe[1]);
  ::close(alive_pipe[0]);
  int init_status = 0;
  while (true) {
    siginfo_t info{};
    int sig = ::sigwaitinfo(&waited, &info);
    if (sig < 0) continue;  // EINTR
    if (sig == SIGCHLD) {
      if (::waitpid(init, &init_status, WNOHANG) == init) break;
      continue;
    }
    sigval value{};
    value.sival_int = sig;
    ::sigqueue(init, ForwardSignal(), value);
  }
  int job_status = 0;
  ssize_t n;
  do {
    n = ::read(status_pipe[0], &job_status, sizeof(job_status));
  } while (n < 0 && errno == EINTR);
  Mirror(n == static_cast<ssize_t>(sizeof(job_status)) ? job_status : init_status);
}

}  // namespace

void RunSandboxExec(const SandboxExecSpec& spec) {
  if (spec.argv.empty()) Fail("run: no command given", 0);
  JoinCgroups(spec.cgroup_procs);
  // The pid namespace needs a mount namespace too, for its own /proc.
  if (spec.pid_namespace || !spec.private_tmp.empty()) SetUpMounts(spec);
  if (!spec.pid_namespace) ExecJob(spec);
  RunOuter(spec);
}

}  // namespace gantry::node
