// The records gantry stores and sends: compute environments, job queues, job
// definitions, jobs with their attempts, and nodes.
//
// Field names on the wire follow AWS Batch's JSON names (camelCase), so the
// same record prints as AWS-shaped JSON with no renaming table. Times are
// epoch milliseconds chosen by the coordinator's leader. Validate() holds the
// rules every producer must respect; it runs on every decode.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "gantry/status.h"
#include "protocol/codec.h"

namespace gantry::protocol {

using Labels = std::map<std::string, std::string>;
using Environment = std::map<std::string, std::string>;

enum class JobStatus : uint8_t {
  kSubmitted, kPending, kRunnable, kStarting, kRunning, kSucceeded, kFailed
};
template <>
struct EnumNames<JobStatus> {
  static constexpr const char* kNames[] = {"SUBMITTED", "PENDING",   "RUNNABLE", "STARTING",
                                           "RUNNING",   "SUCCEEDED", "FAILED"};
};
inline bool IsTerminal(JobStatus s) { return s == JobStatus::kSucceeded || s == JobStatus::kFailed; }

enum class ResourceState : uint8_t { kEnabled, kDisabled };
template <>
struct EnumNames<ResourceState> {
  static constexpr const char* kNames[] = {"ENABLED", "DISABLED"};
};

enum class ComputeEnvironmentType : uint8_t { kManaged, kUnmanaged };
template <>
struct EnumNames<ComputeEnvironmentType> {
  static constexpr const char* kNames[] = {"MANAGED", "UNMANAGED"};
};

enum class ProvisioningModel : uint8_t { kOnDemand, kSpot };
template <>
struct EnumNames<ProvisioningModel> {
  static constexpr const char* kNames[] = {"ON_DEMAND", "SPOT"};
};

enum class NodeState : uint8_t { kReady, kLost };
template <>
struct EnumNames<NodeState> {
  static constexpr const char* kNames[] = {"READY", "LOST"};
};

// Limits on names and sizes, checked by Validate() everywhere.
inline constexpr size_t kMaxNameLength = 128;
inline constexpr size_t kMaxCommandArgs = 1024;
inline constexpr size_t kMaxCommandBytes = 128 * 1024;
inline constexpr size_t kMaxEnvironmentEntries = 512;
inline constexpr size_t kMaxLabels = 64;
inline constexpr uint32_t kMaxVcpus = 4096;
inline constexpr uint64_t kMaxMemoryMib = 64ull << 20;  // 64 TiB
inline constexpr uint64_t kMaxDiskMib = 1ull << 30;     // 1 EiB, i.e. "any"
inline constexpr size_t kMaxLogTailBytes = 64 * 1024;

// Names of queues, compute environments, definitions and jobs: 1-128 of
// [A-Za-z0-9_-], as AWS Batch allows.
Status ValidateName(std::string_view what, std::string_view name);
Status ValidateCommand(const std::vector<std::string>& command);
Status ValidateEnvironment(const Environment& env);
Status ValidateLabels(const Labels& labels);
// True if `labels` has every key=value of `selector` (an empty selector
// matches every node).
bool MatchesSelector(const Labels& labels, const Labels& selector);

// A compute environment: the nodes whose labels match `selector`.
struct ComputeEnvironment {
  std::string computeEnvironmentName;
  ComputeEnvironmentType type = ComputeEnvironmentType::kManaged;
  ResourceState state = ResourceState::kEnabled;
  Labels selector;  // every key=value must be on a node for it to belong here
  uint32_t minvCpus = 0;
  uint32_t maxvCpus = 256;
  uint32_t desiredvCpus = 0;
  ProvisioningModel provisioningModel = ProvisioningModel::kOnDemand;
  int64_t createdAt = 0;

  Status Validate() const;
  template <class S, class V>
  static void Fields(S& s, V& v) {
    v("computeEnvironmentName", s.computeEnvironmentName);
    v("type", s.type);
    v("state", s.state);
    v("selector", s.selector);
    v("minvCpus", s.minvCpus);
    v("maxvCpus", s.maxvCpus);
    v("desiredvCpus", s.desiredvCpus);
    v("provisioningModel", s.provisioningModel);
    v("createdAt", s.createdAt);
  }
};

struct ComputeEnvironmentOrder {
  uint32_t order = 1;
  std::string computeEnvironment;
  template <class S, class V>
  static void Fields(S& s, V& v) {
    v("order", s.order);
    v("computeEnvironment", s.computeEnvironment);
  }
};

struct JobQueue {
  std::string jobQueueName;
  ResourceState state = ResourceState::kEnabled;
  uint32_t priority = 1;  // higher runs first
  std::vector<ComputeEnvironmentOrder> computeEnvironmentOrder;
  int64_t createdAt = 0;

  Status Validate() const;
  template <class S, class V>
  static void Fields(S& s, V& v) {
    v("jobQueueName", s.jobQueueName);
    v("state", s.state);
    v("priority", s.priority);
    v("computeEnvironmentOrder", s.computeEnvironmentOrder);
    v("createdAt", s.createdAt);
  }
};

// What a job asks of a node.
struct Resources {
  uint32_t vcpus = 1;
  uint64_t memoryMib = 128;
  uint64_t diskMib = 0;

  Status Validate() const;
  template <class S, class V>
  static void Fields(S& s, V& v) {
    v("vcpus", s.vcpus);
    v("memoryMib", s.memoryMib);
    v("diskMib", s.diskMib);
  }
  friend bool operator==(const Resources&, const Resources&) = default;
};

struct JobDefinition {
  std::string jobDefinitionName;
  uint32_t revision = 0;  // assigned by the coordinator, from 1
  std::string status = "ACTIVE";
  std::vector<std::string> command;
  Resources resources;
  Environment environment;
  int64_t createdAt = 0;

  Status Validate() const;
  template <class S, class V>
  static void Fields(S& s, V& v) {
    v("jobDefinitionName", s.jobDefinitionName);
    v("revision", s.revision);
    v("status", s.status);
    v("command", s.command);
    v("resources", s.resources);
    v("environment", s.environment);
    v("createdAt", s.createdAt);
  }
};

// One try of a job on one node.
struct Attempt {
  std::string attemptId;
  uint32_t attemptNumber = 1;  // AWS_BATCH_JOB_ATTEMPT, from 1
  std::string node;
  std::string computeEnvironment;
  uint64_t fencingToken = 0;
  int64_t placedAt = 0;
  std::optional<int64_t> startedAt;
  std::optional<int64_t> stoppedAt;
  std::optional<int32_t> exitCode;
  std::optional<std::string> reason;  // container.reason, e.g. "Killed by signal 9"
  std::optional<std::string> statusReason;
  std::optional<std::string> logTail;  // last bytes of stdout+stderr

  template <class S, class V>
  static void Fields(S& s, V& v) {
    v("attemptId", s.attemptId);
    v("attemptNumber", s.attemptNumber);
    v("node", s.node);
    v("computeEnvironment", s.computeEnvironment);
    v("fencingToken", s.fencingToken);
    v("placedAt", s.placedAt);
    v("startedAt", s.startedAt);
    v("stoppedAt", s.stoppedAt);
    v("exitCode", s.exitCode);
    v("reason", s.reason);
    v("statusReason", s.statusReason);
    v("logTail", s.logTail);
  }
};

struct Job {
  std::string jobId;
  std::string jobName;
  std::string jobQueue;
  std::string jobDefinition;  // "name:revision"
  JobStatus status = JobStatus::kSubmitted;
  std::string statusReason;
  int64_t createdAt = 0;
  std::optional<int64_t> startedAt;
  std::optional<int64_t> stoppedAt;
  std::vector<std::string> command;
  Environment environment;
  Resources resources;
  std::vector<Attempt> attempts;  // in order; the last may be live
  uint64_t sequence = 0;          // submission order, for FIFO within a queue

  template <class S, class V>
  static void Fields(S& s, V& v) {
    v("jobId", s.jobId);
    v("jobName", s.jobName);
    v("jobQueue", s.jobQueue);
    v("jobDefinition", s.jobDefinition);
    v("status", s.status);
    v("statusReason", s.statusReason);
    v("createdAt", s.createdAt);
    v("startedAt", s.startedAt);
    v("stoppedAt", s.stoppedAt);
    v("command", s.command);
    v("environment", s.environment);
    v("resources", s.resources);
    v("attempts", s.attempts);
    v("sequence", s.sequence);
  }
};

// What an agent advertises about its node.
struct NodeCapacity {
  uint32_t vcpus = 0;
  uint64_t memoryMib = 0;
  uint64_t diskMib = 0;
  template <class S, class V>
  static void Fields(S& s, V& v) {
    v("vcpus", s.vcpus);
    v("memoryMib", s.memoryMib);
    v("diskMib", s.diskMib);
  }
  friend bool operator==(const NodeCapacity&, const NodeCapacity&) = default;
};

struct Node {
  std::string nodeId;
  std::string bootId;
  NodeCapacity capacity;
  Labels labels;
  std::string logAddress;  // where the node's log server listens, may be empty
  int64_t registeredAt = 0;

  Status Validate() const;
  template <class S, class V>
  static void Fields(S& s, V& v) {
    v("nodeId", s.nodeId);
    v("bootId", s.bootId);
    v("capacity", s.capacity);
    v("labels", s.labels);
    v("logAddress", s.logAddress);
    v("registeredAt", s.registeredAt);
  }
};

}  // namespace gantry::protocol
