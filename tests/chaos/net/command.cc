#include "tests/chaos/net/command.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sstream>

namespace gantry::chaos::net {
namespace {

std::string Errno(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

// Reads what is left on `fd` into `out`; false at EOF or error.
bool Drain(int fd, std::string& out) {
  char buf[4096];
  ssize_t n = ::read(fd, buf, sizeof buf);
  if (n > 0) {
    out.append(buf, static_cast<size_t>(n));
    return true;
  }
  return n < 0 && (errno == EINTR || errno == EAGAIN);
}

// `ip -batch` reports "Command failed -:N"; quote line N of the input.
std::string FailingBatchLine(const std::string& err, const std::string& input) {
  auto pos = err.find("Command failed -:");
  if (pos == std::string::npos) return "";
  int line = std::atoi(err.c_str() + pos + 17);
  std::istringstream in(input);
  std::string text;
  for (int i = 1; std::getline(in, text); ++i) {
    if (i == line) return " [line " + std::to_string(line) + ": " + text + "]";
  }
  return "";
}

// A child that exits before reading all its input makes write() raise
// SIGPIPE; this keeps it off the calling thread and discards it afterwards.
class SigpipeGuard {
 public:
  SigpipeGuard() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGPIPE);
    ::pthread_sigmask(SIG_BLOCK, &set_, &old_);
  }
  ~SigpipeGuard() {
    if (sigismember(&old_, SIGPIPE) == 1) return;
    timespec zero{0, 0};
    while (::sigtimedwait(&set_, nullptr, &zero) == SIGPIPE) {
    }
    ::pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  SigpipeGuard(const SigpipeGuard&) = delete;
  SigpipeGuard& operator=(const SigpipeGuard&) = delete;

 private:
  sigset_t set_, old_;
};

void KillAndReap(pid_t pid) {
  ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
}

}  // namespace

std::string CommandLine(const std::vector<std::string>& argv) {
  std::string s;
  for (const auto& a : argv) {
    if (!s.empty()) s += ' ';
    s += a;
  }
  return s;
}

Result<CommandOutput> RunCommand(const std::vector<std::string>& argv, const std::string& input,
                                 std::chrono::milliseconds timeout) {
  if (argv.empty()) return Status::InvalidArgument("RunCommand: empty argv");
  int in_pipe[2], out_pipe[2], err_pipe[2];
  if (::pipe2(in_pipe, O_CLOEXEC) != 0) return Status::Internal(Errno("pipe"));
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) {
    ::close(in_pipe[0]), ::close(in_pipe[1]);
    return Status::Internal(Errno("pipe"));
  }
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
    for (int fd : {in_pipe[0], in_pipe[1], out_pipe[0], out_pipe[1]}) ::close(fd);
    return Status::Internal(Errno("pipe"));
  }
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);

  pid_t pid = ::fork();
  if (pid < 0) {
    for (int fd : {in_pipe[0], in_pipe[1], out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]}) ::close(fd);
    return Status::Internal(Errno("fork"));
  }
  if (pid == 0) {
    // Child: async-signal-safe calls only until exec.
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGPIPE, SIG_DFL);
    ::dup2(in_pipe[0], 0);
    ::dup2(out_pipe[1], 1);
    ::dup2(err_pipe[1], 2);
    ::execvp(args[0], args.data());
    const char msg[] = "exec failed\n";
    (void)!::write(2, msg, sizeof msg - 1);
    ::_exit(127);
  }
  ::close(in_pipe[0]);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  int in_fd = in_pipe[1];
  if (input.empty()) {
    ::close(in_fd);
    in_fd = -1;
  } else {
    ::fcntl(in_fd, F_SETFL, O_NONBLOCK);
  }

  SigpipeGuard sigpipe_guard;
  CommandOutput result;
  size_t written = 0;
  bool out_open = true, err_open = true;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (out_open || err_open) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      if (in_fd >= 0) ::close(in_fd);
      ::close(out_pipe[0]);
      ::close(err_pipe[0]);
      KillAndReap(pid);
      return Status::Internal(CommandLine(argv) + " timed out after " + std::to_string(timeout.count()) + " ms");
    }
    pollfd fds[3] = {{out_open ? out_pipe[0] : -1, POLLIN, 0},
                     {err_open ? err_pipe[0] : -1, POLLIN, 0},
                     {in_fd, POLLOUT, 0}};
    int n = ::poll(fds, 3, static_cast<int>(left.count()));
    if (n < 0 && errno != EINTR) break;
    if (n <= 0) continue;
    if (fds[0].revents) out_open = Drain(out_pipe[0], result.out);
    if (fds[1].revents) err_open = Drain(err_pipe[0], result.err);
    if (in_fd >= 0 && fds[2].revents) {
      ssize_t w = (fds[2].revents & POLLOUT) ? ::write(in_fd, input.data() + written, input.size() - written) : -1;
      if (w > 0) written += static_cast<size_t>(w);
      // A child that exits without reading all its input is not an error here;
      // its exit code says what happened.
      if (w < 0 && errno == EAGAIN) continue;
      if (w < 0 || written == input.size()) {
        ::close(in_fd);
        in_fd = -1;
      }
    }
  }
  if (in_fd >= 0) ::close(in_fd);
  ::close(out_pipe[0]);
  ::close(err_pipe[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return Status::Internal(Errno("waitpid"));
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

Result<std::string> RunChecked(const std::vector<std::string>& argv, const std::string& input) {
  GANTRY_ASSIGN_OR_RETURN(CommandOutput r, RunCommand(argv, input));
  if (r.exit_code == 0) return r.out;
  std::string err = r.err;
  while (!err.empty() && (err.back() == '\n' || err.back() == ' ')) err.pop_back();
  return Status::Internal(CommandLine(argv) + " failed (exit " + std::to_string(r.exit_code) +
                          "): " + err + FailingBatchLine(r.err, input));
}

Result<std::string> FindTool(const std::string& tool) {
  std::vector<std::string> dirs;
  if (const char* path = std::getenv("PATH")) {
    std::istringstream in(path);
    std::string dir;
    while (std::getline(in, dir, ':')) {
      if (!dir.empty()) dirs.push_back(dir);
    }
  }
  for (const char* d : {"/usr/sbin", "/sbin", "/usr/bin", "/bin"}) dirs.push_back(d);
  for (const auto& d : dirs) {
    std::string p = d + "/" + tool;
    if (::access(p.c_str(), X_OK) == 0) return p;
  }
  std::string hint = tool == "nft" ? " (apt-get install -y nftables)" : tool == "ip" ? " (apt-get install -y iproute2)" : "";
  return Status::NotFound("tool " + tool + " not found in PATH or /usr/sbin, /sbin" + hint);
}

}  // namespace gantry::chaos::net
