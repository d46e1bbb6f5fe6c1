#include "node/isolation_probe.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

namespace gantry::node {
namespace fs = std::filesystem;

Result<IsolationMode> ParseIsolationMode(std::string_view text) {
  if (text == "auto") return IsolationMode::kAuto;
  if (text == "none") return IsolationMode::kNone;
  return Status::InvalidArgument("--isolation: \"" + std::string(text.substr(0, 64)) +
                                 "\" is not auto or none");
}

Result<RunAsUser> ResolveRunAsUser(std::string_view spec) {
  if (spec.find(':') != std::string_view::npos) {
    Result<UserIds> ids = ParseUserIds(spec);
    if (!ids.ok()) return ids.status().WithContext("--run-as-user");
    return RunAsUser{*ids, std::string(spec)};
  }
  const std::string name(spec);
  if (name.empty()) return Status::InvalidArgument("--run-as-user: empty user name");
  passwd pw{};
  passwd* found = nullptr;
  std::vector<char> buf(16384);
  int rc;
  while ((rc = ::getpwnam_r(name.c_str(), &pw, buf.data(), buf.size(), &found)) == ERANGE &&
         buf.size() < (1u << 20)) {
    buf.resize(buf.size() * 2);
  }
  if (rc != 0) {
    return Status::InvalidArgument("--run-as-user: look up \"" + name.substr(0, 64) +
                                   "\": " + std::strerror(rc));
  }
  if (found == nullptr) {
    return Status::InvalidArgument("--run-as-user: no user \"" + name.substr(0, 64) + "\"");
  }
  return RunAsUser{UserIds{pw.pw_uid, pw.pw_gid}, name};
}

std::string DescribeIsolationUsed(const IsolationChoice& choice) {
  std::string out;
  auto add = [&](const char* what) { out += (out.empty() ? "" : ",") + std::string(what); };
  if (choice.use.pid_namespace) add("pid-namespace");
  if (choice.use.private_tmp) add("private-tmp");
  if (choice.use.user) add("run-as-user");
  return out.empty() ? "none" : out;
}

namespace {

// What the probe child reports: how far it got, and the errno there.
enum Stage : int { kMountNs, kPrivate, kBindTmp, kPidNs, kFork, kProc, kDone };
struct Report {
  int stage;
  int err;
};

std::string StageText(int stage) {
  switch (stage) {
    case kMountNs:
      return "unshare(CLONE_NEWNS)";
    case kPrivate:
      return "making / private";
    case kBindTmp:
      return "bind mount on /tmp";
    case kPidNs:
      return "unshare(CLONE_NEWPID)";
    case kFork:
      return "fork into the pid namespace";
    case kProc:
      return "mounting /proc in the pid namespace";
    default:
      return "probe";
  }
}

// Runs in the forked child: only system calls, then _exit.
[[noreturn]] void ProbeChild(int fd) {
  auto report = [fd](int stage, int err) {
    Report r{stage, err};
    [[maybe_unused]] ssize_t n = ::write(fd, &r, sizeof(r));
    ::_exit(0);
  };
  if (::unshare(CLONE_NEWNS) != 0) report(kMountNs, errno);
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) report(kPrivate, errno);
  if (::mount("/tmp", "/tmp", nullptr, MS_BIND, nullptr) != 0) report(kBindTmp, errno);
  if (::unshare(CLONE_NEWPID) != 0) report(kPidNs, errno);
  pid_t pid = ::fork();
  if (pid < 0) report(kFork, errno);
  if (pid == 0) {
    if (::mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0) {
      ::_exit(errno & 0xff);
    }
    ::_exit(0);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status)) report(kProc, EINTR);
  report(WEXITSTATUS(status) == 0 ? kDone : kProc, WEXITSTATUS(status));
  ::_exit(0);
}

Report RunProbeChild() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return {-1, errno};
  pid_t pid = ::fork();
  if (pid < 0) {
    int err = errno;
    ::close(fds[0]);
    ::close(fds[1]);
    return {-1, err};
  }
  if (pid == 0) {
    ::close(fds[0]);
    ProbeChild(fds[1]);
  }
  ::close(fds[1]);
  Report r{-1, EIO};
  ssize_t n;
  do {
    n = ::read(fds[0], &r, sizeof(r));
  } while (n < 0 && errno == EINTR);
  if (n != static_cast<ssize_t>(sizeof(r))) r = {-1, EIO};
  ::close(fds[0]);
  while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
  }
  return r;
}

bool UnderTmp(const fs::path& dir) {
  auto rel = dir.lexically_normal().lexically_relative("/tmp");
  return !rel.empty() && *rel.begin() != "..";
}

}  // namespace

IsolationChoice ProbeIsolation(IsolationMode mode, const fs::path& data_dir) {
  IsolationChoice choice;
  if (mode == IsolationMode::kNone) {
    choice.not_used = {"pid-namespace: off by --isolation none",
                       "private-tmp: off by --isolation none"};
    return choice;
  }
  Report r = RunProbeChild();
  auto failed = [&r] { return StageText(r.stage) + " failed: " + std::strerror(r.err); };
  if (r.stage < 0) {
    choice.not_used = {"pid-namespace: probe failed: " + std::string(std::strerror(r.err)),
                       "private-tmp: probe failed: " + std::string(std::strerror(r.err))};
    return choice;
  }
  if (r.stage <= kBindTmp) {
    choice.not_used = {"pid-namespace: needs a mount namespace for its /proc, and " + failed(),
                       "private-tmp: " + failed()};
    return choice;
  }
  if (r.stage == kDone) {
    choice.use.pid_namespace = true;
  } else {
    choice.not_used.push_back("pid-namespace: " + failed());
  }
  if (UnderTmp(data_dir)) {
    choice.not_used.push_back("private-tmp: --data-dir " + data_dir.string() +
                              " is under /tmp, which the job's private /tmp would hide");
  } else {
    choice.use.private_tmp = true;
  }
  return choice;
}

Result<std::string> ResolveSelfExecutable() {
  const std::string link(kSelfExecutable);
  std::error_code ec;
  fs::path target = fs::read_symlink(link, ec);
  if (ec) return Status::Unavailable("readlink " + link + ": " + ec.message());
  return target.string();
}

Status ProbeRunAsUser(const RunAsUser& user) {
  pid_t pid = ::fork();
  if (pid < 0) {
    return Status::Unavailable(std::string("--run-as-user: probe: fork: ") + std::strerror(errno));
  }
  if (pid == 0) {
    if (::setgroups(0, nullptr) != 0 || ::setgid(user.ids.gid) != 0 ||
        ::setuid(user.ids.uid) != 0) {
      ::_exit(errno & 0xff);
    }
    ::_exit(0);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return Status::Ok();
  int err = WIFEXITED(status) ? WEXITSTATUS(status) : EINTR;
  const std::string ids = FormatUserIds(user.ids);
  const std::string who = user.name == ids ? ids : user.name + " (" + ids + ")";
  return Status::InvalidArgument("--run-as-user: cannot switch to " + who + ": " +
                                 std::strerror(err) +
                                 "; the agent must run as root to run jobs as another user");
}

}  // namespace gantry::node
