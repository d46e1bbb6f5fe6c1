// `gantry agent`: flags -> AgentConfig -> Agent::Run.
#include "node/agent_command.h"

#include <malloc.h>

#include <cstdlib>
#include <memory>

#include "common/logging.h"
#include "gantry/clock.h"
#include "node/agent.h"
#include "node/agent_config.h"
#include "protocol/types.h"

namespace gantry {

void AddAgentCommand(CLI::App& app) {
  auto flags = std::make_shared<node::AgentFlags>();
  CLI::App* cmd =
      app.add_subcommand("agent", "Run the node agent: run attempts the coordinator places here");
  cmd->add_option("--coordinator", flags->coordinators,
                  "Coordinator endpoints, comma-separated, one per replica: tcp://HOST:PORT")
      ->required();
  cmd->add_option("--data-dir", flags->data_dir,
                  "Directory for the node id, scratch space and logs (created if missing)")
      ->required();
  cmd->add_option("--node-id", flags->node_id,
                  "Node id (default: DATA/node_id, made from the hostname on first start)");
  cmd->add_option("--vcpus", flags->vcpus, "vCPUs to offer (default: CPUs this process may use)")
      ->check(CLI::Range(uint32_t{1}, protocol::kMaxVcpus));
  cmd->add_option("--memory", flags->memory_mib, "Memory to offer in MiB (default: MemTotal)")
      ->check(CLI::Range(uint64_t{1}, protocol::kMaxMemoryMib));
  cmd->add_option("--disk", flags->disk_mib,
                  "Disk to offer in MiB (default: free space under --data-dir)")
      ->check(CLI::Range(uint64_t{0}, protocol::kMaxDiskMib));
  cmd->add_option("--label", flags->labels, "Node label key=value (repeatable)");
  cmd->add_option("--heartbeat-ms", flags->heartbeat_ms, "NodeStatus interval in milliseconds")
      ->capture_default_str()
      ->check(CLI::Range(10u, 3'600'000u));
  cmd->add_option("--job-disk-quota", flags->job_disk_quota,
                  "How a job's disk request is enforced on its scratch: auto (the best that works here), "
                  "loop-ext4 (an ext4 image per attempt; refuse to start without it) or none")
      ->capture_default_str()
      ->check(CLI::IsMember({"auto", "loop-ext4", "none"}));
  cmd->add_option("--default-job-disk-mib", flags->default_job_disk_mib,
                  "Scratch size in MiB for jobs that ask for no disk")
      ->capture_default_str()
      ->check(CLI::Range(uint64_t{1}, protocol::kMaxDiskMib));
  cmd->add_option("--min-free-disk-mib", flags->min_free_disk_mib,
                  "Below this much free disk under --data-dir the node takes no new work")
      ->capture_default_str()
      ->check(CLI::Range(uint64_t{0}, protocol::kMaxDiskMib));
  cmd->add_option("--max-log-mib-per-attempt", flags->max_log_mib_per_attempt,
                  "Output (stdout and stderr) kept on the node per attempt in MiB; older output is "
                  "rotated away, the newest kept")
      ->capture_default_str()
      ->check(CLI::Range(uint64_t{1}, uint64_t{1} << 20));
  cmd->add_option("--log-budget-mib", flags->log_budget_mib,
                  "Disk in MiB all attempts' logs may take; past it, ended attempts' logs are "
                  "deleted, oldest first")
      ->capture_default_str()
      ->check(CLI::Range(uint64_t{0}, protocol::kMaxDiskMib));
  cmd->add_option("--log-listen", flags->log_listen,
                  "Endpoint of the log server `gantry logs` reads from, tcp://HOST:PORT (port 0: any "
                  "free port); empty: none")
      ->capture_default_str();
  cmd->add_option("--kill-grace-seconds", flags->kill_grace_seconds,
                  "Seconds between SIGTERM and SIGKILL when an attempt is killed")
      ->capture_default_str()
      ->check(CLI::Range(0u, 86'400u));
  cmd->add_option("--isolation", flags->isolation,
                  "Process isolation for attempts: auto (a pid namespace and a private /tmp, as far "
                  "as the kernel allows; the agent logs what it uses) or none")
      ->capture_default_str()
      ->check(CLI::IsMember({"auto", "none"}));
  cmd->add_option("--cgroups", flags->cgroups,
                  "Per-attempt cgroups (memory, CPU and pids limits): auto (where the host allows; the "
                  "agent logs what it enforces) or none (no limits: only for hosts where another layer "
                  "limits jobs)")
      ->capture_default_str()
      ->check(CLI::IsMember({"auto", "none"}));
  cmd->add_option("--run-as-user", flags->run_as_user,
                  "Run jobs as this user, NAME or UID:GID (default: the agent's own user); "
                  "needs an agent running as root, which refuses to start otherwise")
      ->type_name("USER");
  cmd->add_option("--capacity-type", flags->capacity_type,
                  "How this node is bought, given to the coordinator as the label capacity-type: spot "
                  "(may be reclaimed at short notice) or on-demand (default, unless a --label says)")
      ->check(CLI::IsMember({"spot", "on-demand"}));
  cmd->add_option("--reclaim-notice-file", flags->reclaim_notice_file,
                  "When this file appears the node is being reclaimed: it takes no new work, jobs get "
                  "SIGTERM and are killed when the grace is over. Its content may give the grace in "
                  "seconds (default 120); write it whole (rename into place). The reclaim lasts until "
                  "the agent stops; remove the file before starting it again. SIGUSR1 does the same "
                  "(default: DATA/reclaim-notice)")
      ->type_name("PATH");
  cmd->callback([flags] {
    // Each attempt's teardown (cgroup kill, unmount, loop detach, deletes)
    // blocks one libuv worker for milliseconds; libuv's default of 4 workers
    // would make ending attempts queue behind each other on a busy node. Set
    // before the first piece of work is queued; an operator's value wins.
    ::setenv("UV_THREADPOOL_SIZE", "16", /*overwrite=*/0);
    // glibc gives each thread that allocates its own arena; buffers freed on
    // another thread than the one that made them fragmented 16 of them, and
    // the agent's RSS grew ~9 KB per attempt with no sign of a plateau. Two
    // arenas keep it flat; the agent allocates too little to feel the lock.
    ::mallopt(M_ARENA_MAX, 2);
    SetLogRole("agent");
    Logger log = MakeLogger("agent");
    Result<node::AgentConfig> config = node::ResolveAgentConfig(*flags);
    if (!config.ok()) {
      log->error("agent cannot start error={}", config.status().message());
      throw CLI::RuntimeError(2);
    }
    // Attempts start through this binary's `sandbox-exec`: /proc/self/exe
    // is the running image, even after the file is replaced on disk.
    if (Result<std::string> self = node::ResolveSelfExecutable(); !self.ok()) {
      log->error("agent cannot start error={}", self.status().message());
      throw CLI::RuntimeError(2);
    }
    config->gantry_binary = node::kSelfExecutable;
    SystemClock clock;
    node::Agent agent(std::move(config).value(), log, MakeLogger("exec"), clock);
    Status s = agent.Run();
    if (!s.ok()) {
      log->error("agent failed error={}", s.message());
      throw CLI::RuntimeError(1);
    }
  });
}

}  // namespace gantry
