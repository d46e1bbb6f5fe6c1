// ChildProcesses: the processes `gantry dev` starts, and how it stops them.
//
// Children are started with fork+exec of this same binary; they inherit no
// blocked signals. Stopping sends SIGTERM to every child, waits for them,
// and only after a deadline sends SIGKILL: a clean stop lets each agent kill
// its jobs and delete their scratch space first.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

#include "gantry/status.h"

namespace gantry::dev {

struct Child {
  std::string name;  // "coordinator", "agent-1", ...
  pid_t pid = -1;
  bool exited = false;
  int wait_status = 0;
};

class ChildProcesses {
 public:
  ChildProcesses() = default;
  ChildProcesses(const ChildProcesses&) = delete;
  ChildProcesses& operator=(const ChildProcesses&) = delete;
  ~ChildProcesses();

  // Starts `argv` (argv[0] is the program path) with stdout and stderr
  // appended to `log_path`. kInternal if fork or the log file fails.
  Status Start(const std::string& name, const std::vector<std::string>& argv, const std::string& log_path);

  // Collects children that have exited, without blocking. Returns those that
  // exited since the last call.
  std::vector<Child> Reap();

  // SIGTERM to every live child, wait up to `grace`, then SIGKILL and wait.
  void StopAll(std::chrono::milliseconds grace);

  const std::vector<Child>& children() const { return children_; }

 private:
  std::vector<Child> children_;
};

// "exited with status 3", "killed by signal 9".
std::string DescribeWaitStatus(int wait_status);

}  // namespace gantry::dev
