// ClusterHarness: a real gantry cluster of separate processes on 127.0.0.1,
// for integration tests and end-to-end benchmarks. Each process runs the
// built `gantry` binary with its own data directory under a temporary root
// and logs to a file there (kept when a test fails, for reading).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "client/rpc_client.h"
#include "gantry/status.h"

namespace gantry::testing {

struct HarnessOptions {
  int agents = 2;
  uint32_t agent_vcpus = 4;
  uint64_t agent_memory_mib = 8192;
  int64_t node_ttl_ms = 3000;
};

class ClusterHarness {
 public:
  // `binary` is the path of the gantry executable.
  ClusterHarness(std::string binary, HarnessOptions options);
  ~ClusterHarness();  // kills every process and removes the root directory

  // Starts the coordinator and the agents and waits until every node is READY.
  Status Start();
  Status StartCoordinator();
  // SIGTERM and wait (a clean stop), or SIGKILL.
  void StopCoordinator(bool kill9 = false);
  Status StartAgent(int i);
  void StopAgent(int i, bool kill9 = false);
  // Waits until `n` nodes are READY.
  Status WaitForReadyNodes(int n, std::chrono::milliseconds limit);
  // Creates compute environment "ce", queue "q" and definition "d" (echo).
  Status CreateDefaults();

  client::RpcClient& rpc() { return *rpc_; }
  const std::string& endpoint() const { return endpoint_; }
  const std::string& root() const { return root_; }
  std::string AgentDataDir(int i) const;
  // True while the process has not exited.
  bool CoordinatorAlive();

  // Polls DescribeJobs until every job is SUCCEEDED or FAILED. Returns the
  // final jobs in the order of `ids`, or kUnavailable at the deadline.
  Result<std::vector<protocol::Job>> WaitForTerminal(const std::vector<std::string>& ids,
                                                     std::chrono::milliseconds limit);
  // Polls until the job has the given status.
  Status WaitForStatus(const std::string& id, protocol::JobStatus status, std::chrono::milliseconds limit);

 private:
  pid_t Spawn(const std::vector<std::string>& args, const std::string& log);

  std::string binary_;
  HarnessOptions options_;
  std::string root_;
  std::string endpoint_;
  pid_t coordinator_ = -1;
  std::vector<pid_t> agents_;
  std::unique_ptr<client::RpcClient> rpc_;
};

// A TCP port on 127.0.0.1 that was free a moment ago.
int FreePort();

}  // namespace gantry::testing
