// Test support for net_test: the helper binary's path, a root/netns probe,
// and a child process whose stdout is read line by line with a deadline.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

#include "tests/chaos/net/command.h"
#include "tests/chaos/net/topology_plan.h"

namespace gantry::chaos::net::testing {

inline const char* HelperBinary() { return CHAOS_NET_HELPER; }

// Empty if namespaces can be made here, else why not (for GTEST_SKIP).
inline std::string WhyNoNetns() {
  if (::geteuid() != 0) return "needs root (network namespaces, veth, nft)";
  auto ip = FindTool("ip");
  if (!ip.ok()) return ip.status().ToString();
  std::string probe = std::string("gxprobe") + std::to_string(::getpid());
  auto add = RunChecked({*ip, "netns", "add", probe});
  if (!add.ok()) return "ip netns add fails here: " + add.status().message();
  auto del = RunChecked({*ip, "netns", "del", probe});
  if (!del.ok()) return "ip netns del fails here: " + del.status().message();
  return "";
}

inline std::string WhyNoNft() {
  auto nft = FindTool("nft");
  return nft.ok() ? "" : nft.status().ToString();
}

// A spawned process with its stdout on a pipe. Killed and reaped on
// destruction unless already waited for.
class Child {
 public:
  explicit Child(const std::vector<std::string>& argv) {
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) return;
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_ = ::fork();
    if (pid_ == 0) {
      sigset_t none;
      sigemptyset(&none);
      ::sigprocmask(SIG_SETMASK, &none, nullptr);
      ::dup2(p[1], 1);
      ::execvp(args[0], args.data());
      ::_exit(127);
    }
    ::close(p[1]);
    out_ = p[0];
  }
  ~Child() {
    if (pid_ > 0 && !reaped_) {
      ::kill(pid_, SIGKILL);
      Wait();
    }
    if (out_ >= 0) ::close(out_);
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  pid_t pid() const { return pid_; }

  // The next stdout line without '\n'; "" at EOF or after `timeout`.
  std::string ReadLine(std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      auto nl = buf_.find('\n');
      if (nl != std::string::npos) {
        std::string line = buf_.substr(0, nl);
        buf_.erase(0, nl + 1);
        return line;
      }
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      pollfd p{out_, POLLIN, 0};
      if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) return "";
      char b[512];
      ssize_t n = ::read(out_, b, sizeof b);
      if (n <= 0) return "";
      buf_.append(b, static_cast<size_t>(n));
    }
  }

  // Blocks until exit; returns the wait status.
  int Wait() {
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    reaped_ = true;
    return status;
  }

 private:
  pid_t pid_ = -1;
  int out_ = -1;
  bool reaped_ = false;
  std::string buf_;
};

// Namespaces `ip netns list` shows that start with `prefix`.
inline std::vector<std::string> NamespacesStartingWith(const std::string& prefix) {
  std::vector<std::string> out;
  auto ip = FindTool("ip");
  if (!ip.ok()) return out;
  auto list = RunChecked({*ip, "netns", "list"});
  if (!list.ok()) return out;
  size_t pos = 0;
  while (pos < list->size()) {
    auto nl = list->find('\n', pos);
    std::string line = list->substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
    std::string name = line.substr(0, line.find(' '));  // "name (id: 3)"
    if (!name.empty() && name.rfind(prefix, 0) == 0) out.push_back(name);
    pos = nl == std::string::npos ? list->size() : nl + 1;
  }
  return out;
}

}  // namespace gantry::chaos::net::testing
