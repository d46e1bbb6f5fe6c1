// AgentConfig: everything `gantry agent` runs with, and how its flags become
// one.
//
// Parse* and NodeIdFromHostname are pure; LoadOrCreateNodeId and
// ResolveAgentConfig touch the data directory and fingerprint the machine,
// and run once at start-up. Thread-compatible.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gantry/status.h"
#include "node/disk_quota.h"
#include "node/isolation_probe.h"
#include "protocol/types.h"

namespace gantry::node {

// The flags as given; absent optionals mean "fingerprint it".
struct AgentFlags {
  std::string coordinators;  // "tcp://HOST:PORT[,tcp://HOST:PORT...]"
  std::string data_dir;
  std::string node_id;  // empty: DATA/node_id
  std::optional<uint32_t> vcpus;
  std::optional<uint64_t> memory_mib;
  std::optional<uint64_t> disk_mib;
  std::vector<std::string> labels;  // "key=value"
  uint32_t heartbeat_ms = 1000;
  uint32_t kill_grace_seconds = 10;
  std::string job_disk_quota = "auto";  // --job-disk-quota: auto, none, loop-ext4
  uint64_t default_job_disk_mib = 1024;  // --default-job-disk-mib: for jobs asking for 0
  uint64_t min_free_disk_mib = 1024;     // --min-free-disk-mib: below it, take no new work
  uint64_t max_log_mib_per_attempt = 64;  // --max-log-mib-per-attempt: output kept per attempt
  uint64_t log_budget_mib = 2048;         // --log-budget-mib: all attempts' logs together
  std::string log_listen = "tcp://127.0.0.1:0";  // --log-listen: the log server; empty: none
  std::string isolation = "auto";        // --isolation: auto, none
  std::string cgroups = "auto";          // --cgroups: auto (when the host allows), none
  std::string run_as_user;               // --run-as-user NAME or UID:GID; empty: the agent's
  // --capacity-type: spot or on-demand; absent: a --label capacity-type=...,
  // else on-demand.
  std::optional<std::string> capacity_type;
  std::string reclaim_notice_file;  // --reclaim-notice-file; empty: DATA/reclaim-notice
};

struct AgentConfig {
  std::vector<std::string> coordinators;  // ZeroMQ endpoints, at least one
  std::filesystem::path data_dir;         // absolute, exists
  std::string node_id;                    // valid per protocol::ValidateName
  protocol::NodeCapacity capacity;
  protocol::Labels labels;
  int64_t heartbeat_ms = 1000;
  int64_t kill_grace_ms = 10'000;
  // How each attempt's scratch space is limited, probed at start; `reason`
  // says why, and why the other methods were not chosen.
  DiskQuotaChoice disk_quota;
  uint64_t default_job_disk_mib = 1024;
  uint64_t min_free_disk_mib = 1024;  // see CheckFreeDisk
  // Output kept per attempt (rotated, newest kept), and what all attempts'
  // logs may take before ended ones are deleted, oldest first.
  uint64_t max_log_bytes_per_attempt = uint64_t{64} << 20;
  uint64_t log_budget_bytes = uint64_t{2048} << 20;
  // Where the log server binds (port 0: ephemeral); empty: no log server.
  std::string log_listen = "tcp://127.0.0.1:0";
  // Process isolation for attempts, probed at start (isolation_probe.h);
  // not_used says why the rest is off. Default: none.
  IsolationChoice isolation;
  // Per-attempt cgroups with memory, CPU and pids limits where the host
  // allows them (--cgroups auto); false only by configuration.
  bool cgroups = true;
  // What the executor spawns as `gantry sandbox-exec`; empty: no isolation,
  // cgroups joined through a shell shim. The agent command sets it.
  std::string gantry_binary;
  // The file whose appearance starts a reclaim (reclaim.h), checked every
  // heartbeat; its content may give the grace in seconds. Empty: none.
  std::filesystem::path reclaim_notice_file;
};

// Splits a comma-separated endpoint list. kInvalidArgument if it is empty,
// an entry is not tcp://HOST:PORT or ipc://PATH, or an entry is repeated.
Result<std::vector<std::string>> ParseEndpoints(std::string_view list);

// Parses "key=value" labels. kInvalidArgument for a missing '=', an empty
// key, a key given twice, or labels breaking protocol::ValidateLabels.
Result<protocol::Labels> ParseLabels(const std::vector<std::string>& labels);

// Puts protocol::kCapacityTypeLabel into `labels`: `flag` when given, else
// the value a --label gave, else "on-demand". kInvalidArgument, naming
// --capacity-type, for a value other than "spot" or "on-demand" (from the
// flag or the label) and for a label that contradicts the flag.
Status ApplyCapacityType(const std::optional<std::string>& flag, protocol::Labels& labels);

// "<hostname>-<suffix>", with every character of the hostname that a name may
// not hold replaced by '-', cut so the whole is at most kMaxNameLength.
// An empty hostname reads "node".
std::string NodeIdFromHostname(std::string_view hostname, std::string_view suffix);

// `bytes` random bytes as lowercase hex (std::random_device).
std::string RandomHex(size_t bytes);

// The node id stored in DATA/node_id; on first start, one made from the
// hostname and a random suffix is written there (atomically, by rename).
// kInvalidArgument if the stored id is not a valid name; kUnavailable on I/O
// errors.
Result<std::string> LoadOrCreateNodeId(const std::filesystem::path& data_dir);

// Validates the flags, creates the data directory, settles the node id,
// fingerprints what the flags leave open and probes the disk quota method
// (ChooseDiskQuota: with "auto" or "loop-ext4" it mounts a 16 MiB scratch
// for a moment; needs root, else "auto" settles on none) and process isolation
// (ProbeIsolation; a --run-as-user the agent cannot switch to is
// kInvalidArgument). kInvalidArgument for bad flags,
// kUnavailable for I/O errors; the message names the flag or path.
Result<AgentConfig> ResolveAgentConfig(const AgentFlags& flags);

}  // namespace gantry::node
