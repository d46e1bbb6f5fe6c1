#include "client/dev/process_group.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

namespace gantry::dev {

ChildProcesses::~ChildProcesses() { StopAll(std::chrono::seconds(10)); }

Status ChildProcesses::Start(const std::string& name, const std::vector<std::string>& argv,
                             const std::string& log_path) {
  int log_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) return Status::Internal("open " + log_path + ": " + std::strerror(errno));
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(log_fd);
    return Status::Internal("fork: " + std::string(std::strerror(errno)));
  }
  if (pid == 0) {
    // Child: only async-signal-safe calls until exec.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, 0);
    ::dup2(log_fd, 1);
    ::dup2(log_fd, 2);
    ::execv(args[0], args.data());
    _exit(127);
  }
  ::close(log_fd);
  children_.push_back(Child{name, pid, false, 0});
  return Status::Ok();
}

std::vector<Child> ChildProcesses::Reap() {
  std::vector<Child> exited;
  for (auto& c : children_) {
    if (c.exited) continue;
    int status = 0;
    pid_t r = ::waitpid(c.pid, &status, WNOHANG);
    if (r == c.pid) {
      c.exited = true;
      c.wait_status = status;
      exited.push_back(c);
    }
  }
  return exited;
}

void ChildProcesses::StopAll(std::chrono::milliseconds grace) {
  // Agents first, so they can still report to the coordinator while their
  // jobs are stopped; the coordinator last.
  for (auto it = children_.rbegin(); it != children_.rend(); ++it) {
    if (!it->exited) ::kill(it->pid, SIGTERM);
  }
  auto deadline = std::chrono::steady_clock::now() + grace;
  while (std::chrono::steady_clock::now() < deadline) {
    Reap();
    bool all = true;
    for (const auto& c : children_) all = all && c.exited;
    if (all) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  for (auto& c : children_) {
    if (c.exited) continue;
    ::kill(c.pid, SIGKILL);
    int status = 0;
    ::waitpid(c.pid, &status, 0);
    c.exited = true;
    c.wait_status = status;
  }
}

std::string DescribeWaitStatus(int wait_status) {
  if (WIFEXITED(wait_status)) return "exited with status " + std::to_string(WEXITSTATUS(wait_status));
  if (WIFSIGNALED(wait_status)) return "killed by signal " + std::to_string(WTERMSIG(wait_status));
  return "stopped";
}

}  // namespace gantry::dev
