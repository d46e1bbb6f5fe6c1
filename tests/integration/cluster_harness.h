// ClusterHarness: a real gantry cluster of separate processes on 127.0.0.1,
// for integration tests and end-to-end benchmarks. Each process runs the
// built `gantry` binary with its own data directory under a temporary root
// and logs to a file there (kept when the owner calls KeepFiles(), e.g. from
// a test's TearDown on failure, or when GANTRY_KEEP_FILES is set).
//
// The coordinator is a Raft group of `replicas` processes. Replica i has the
// Raft id i + 1, its own client and Raft ports, the data dir
// root/coordinator-i and the log root/coordinator-i.log. The initial replicas
// bootstrap with --peers naming all of them; AddReplica() starts one more
// with --join and an empty data dir. The single-coordinator calls
// (StartCoordinator, StopCoordinator, CoordinatorAlive) act on every replica.
//
// Thread-compatible: one thread drives the harness; other threads may make
// their own RpcClient from endpoints().
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
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
  // The coordinator's Raft group; the timings default to the binary's.
  int replicas = 1;
  unsigned election_timeout_ms = 300;
  unsigned heartbeat_ms = 30;
  unsigned snapshot_threshold = 4096;
  unsigned snapshot_trailing = 1024;
  // The budget of one rpc() call, failovers included.
  std::chrono::milliseconds rpc_timeout{5000};
  // More flags for every replica, e.g. {"--job-retention-seconds", "1"}.
  std::vector<std::string> coordinator_args;
  // More flags for every agent, e.g. {"--job-disk-quota", "none"}.
  std::vector<std::string> agent_args;
  // More flags for agent i only, after agent_args.
  std::map<int, std::vector<std::string>> agent_args_for;
  // Where each process ("coordinator-<i>", "agent-<i>") binds and is
  // reached: its IPv4 address (empty: 127.0.0.1) and the network namespace
  // it runs in (a name under /var/run/netns; empty: the harness's own).
  // The chaos suite gives each process a namespace of its own.
  std::function<std::string(const std::string& process)> host_of;
  std::function<std::string(const std::string& process)> netns_of;
  // More environment ("NAME=value") for one process, e.g. a preloaded
  // libfaketime for the chaos suite's clock skew.
  std::function<std::vector<std::string>(const std::string& process)> env_of;
  // The --coordinator list agent i is given instead of the replicas' own
  // endpoints (when not empty), e.g. delay proxies in front of them.
  std::function<std::string(int agent)> coordinators_for_agent;
  // Each replica also serves the AWS Batch HTTP API on a port of its own
  // (HttpUrl(i)), sending requests to its own endpoint first, then the
  // others'. http_args follow, e.g. {"--http-no-auth"} or {"--http-keys", f}.
  bool http = false;
  std::vector<std::string> http_args;
};

// Agent flags for the load tests of thousands of trivial jobs, which test
// the coordinator, not the sandbox: no scratch filesystem per attempt (the
// jobs must ask for no disk: coordinator --default-job-disk-mib 0) and, in a
// sanitizer build, no cgroups or namespaces either, since each attempt would
// start through the instrumented binary's sandbox-exec at about a second
// apiece. The sandbox has tests of its own.
inline std::vector<std::string> LoadTestAgentArgs() {
  std::vector<std::string> args = {"--job-disk-quota", "none"};
#ifdef GANTRY_SANITIZED_BUILD
  args.insert(args.end(), {"--isolation", "none", "--cgroups", "none"});
#endif
  return args;
}

class ClusterHarness {
 public:
  // `binary` is the path of the gantry executable. Picks every port.
  ClusterHarness(std::string binary, HarnessOptions options);
  // Stops every process (SIGTERM, SIGKILL after 10 s) and removes the root
  // directory unless KeepFiles() was called or GANTRY_KEEP_FILES is set.
  ~ClusterHarness();

  // Starts the replicas and the agents and waits until every node is READY.
  Status Start();
  // Starts every replica not running and waits until the group answers a
  // client request. kUnavailable if a replica exits or after 20 s.
  Status StartCoordinator();
  // Stops every replica: SIGTERM to all, then waits (a clean stop), or SIGKILL.
  void StopCoordinator(bool kill9 = false);
  // True while any replica has not exited.
  bool CoordinatorAlive();

  // One replica, 0 <= i < replica_count(). StartReplica spawns it with the
  // command it was first started with (the same flags restart it from its
  // data dir) and waits until it answers RaftListPeers; kUnavailable if it
  // exits or stays silent for 20 s.
  Status StartReplica(int i);
  void StopReplica(int i, bool kill9 = false);
  bool ReplicaAlive(int i);
  // Waits for replica i to exit by itself; its exit code (128 + signal if
  // killed), or kUnavailable if it still runs after `limit`.
  Result<int> WaitForReplicaExit(int i, std::chrono::milliseconds limit);
  // Starts one more replica (the next id, new ports, an empty data dir)
  // with --join naming the group's client endpoints, and returns its index
  // once it answers RaftListPeers. Being a voter comes later (see
  // WaitForVoter). rpc() and endpoints() include it from now on.
  Result<int> AddReplica();
  // Drops a replica removed from the group from endpoints() and rpc().
  void ForgetReplica(int i);

  // Polls RaftListPeers on the live replicas until one reports itself the
  // leader; returns its index. kUnavailable after `limit`.
  Result<int> LeaderIndex(std::chrono::milliseconds limit);
  // Polls RaftListPeers on replica `asked` until it lists replica `i` as a
  // voter. kUnavailable after `limit`.
  Status WaitForVoter(int asked, int i, std::chrono::milliseconds limit);
  // Asks the group (through rpc()) to move the leadership to replica i, and
  // retries until replica i reports itself the leader. kUnavailable after
  // `limit`.
  Status TransferLeadership(int i, std::chrono::milliseconds limit);

  int replica_count() const { return static_cast<int>(replicas_.size()); }
  uint64_t ReplicaId(int i) const { return replicas_[static_cast<size_t>(i)].id; }
  const std::string& ReplicaEndpoint(int i) const { return replicas_[static_cast<size_t>(i)].endpoint; }
  std::string ReplicaLog(int i) const;  // the log file's contents so far

  Status StartAgent(int i);
  void StopAgent(int i, bool kill9 = false);
  // False once agent i has exited (reaping it); *exit_code then holds its
  // exit code, 128 + signal if killed. False too if it was never started.
  bool AgentAlive(int i, int* exit_code = nullptr);
  // Replica i's exit code of its last run once reaped (ReplicaAlive false), else -1.
  int ReplicaExitCode(int i) const { return replicas_[static_cast<size_t>(i)].exit_code; }
  int agent_count() const { return static_cast<int>(agents_.size()); }
  // Sends `signum` to agent i (SIGSTOP, SIGCONT, ...) or replica i.
  void SignalAgent(int i, int signum);
  void SignalReplica(int i, int signum);
  std::string AgentLog(int i) const;  // the log file's contents so far
  // Waits until `n` nodes are READY.
  Status WaitForReadyNodes(int n, std::chrono::milliseconds limit);
  // Creates compute environment "ce", queue "q" and definition "d" (echo).
  Status CreateDefaults();

  // A client of the whole group (every known replica's endpoint). The
  // reference is valid until the next AddReplica or ForgetReplica.
  client::RpcClient& rpc() { return *rpc_; }
  // A client of replica i alone (1 s budget): it answers RaftListPeers
  // whatever its role, and other requests only while it leads.
  client::RpcClient& ReplicaRpc(int i);
  // Every known replica's client endpoint, in index order.
  std::vector<std::string> endpoints() const;
  // endpoints() joined with commas, as --coordinator and --join take them.
  std::string EndpointList() const;
  // Replica 0's endpoint.
  const std::string& endpoint() const { return replicas_[0].endpoint; }
  // "http://127.0.0.1:P": replica i's AWS Batch HTTP API (options.http).
  std::string HttpUrl(int i) const { return "http://" + replicas_[static_cast<size_t>(i)].http_address; }
  const std::string& root() const { return root_; }
  std::string AgentDataDir(int i) const;
  // Leaves the root directory (data and logs) in place after destruction.
  void KeepFiles() { keep_files_ = true; }

  // Polls DescribeJobs until every job is SUCCEEDED or FAILED. Returns the
  // final jobs in the order of `ids`, or kUnavailable at the deadline.
  Result<std::vector<protocol::Job>> WaitForTerminal(const std::vector<std::string>& ids,
                                                     std::chrono::milliseconds limit);
  // Polls until the job has the given status.
  Status WaitForStatus(const std::string& id, protocol::JobStatus status, std::chrono::milliseconds limit);

 private:
  struct Replica {
    uint64_t id = 0;
    std::string endpoint;      // tcp://127.0.0.1:P
    std::string raft_address;  // 127.0.0.1:R
    std::string http_address;  // 127.0.0.1:H when options.http
    std::string dir;
    std::string log;
    std::vector<std::string> args;  // after "coordinator"
    pid_t pid = -1;
    int exit_code = -1;  // of the last run, once reaped
    bool forgotten = false;
  };

  // Runs the binary with `args`, output to `log`, in the network namespace
  // netns_of(process) if set.
  pid_t Spawn(const std::vector<std::string>& args, const std::string& log, const std::string& process);
  std::string HostOf(const std::string& process) const;
  // A replica with the next id, new ports, and every flag but --peers/--join.
  Replica MakeReplica(uint64_t id);
  void Reap(Replica& r);  // waits for the signalled replica
  Status WaitForAnswer(int i, std::chrono::milliseconds limit);
  void ResetRpc();

  std::string binary_;
  HarnessOptions options_;
  std::string root_;
  bool keep_files_ = false;
  std::vector<Replica> replicas_;
  std::vector<pid_t> agents_;
  std::unique_ptr<client::RpcClient> rpc_;
  std::map<int, std::unique_ptr<client::RpcClient>> replica_rpc_;
};

// A TCP port on 127.0.0.1 that was free a moment ago, and not returned
// before by this process.
int FreePort();

}  // namespace gantry::testing
