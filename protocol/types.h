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
// AWS's resource tags: free-form key/value metadata on compute environments,
// queues, job definitions (per revision), scheduling policies and jobs.
using Tags = std::map<std::string, std::string>;

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

enum class RetryAction : uint8_t { kRetry, kExit };
template <>
struct EnumNames<RetryAction> {
  static constexpr const char* kNames[] = {"RETRY", "EXIT"};
};

enum class ArrayJobDependency : uint8_t { kNToN, kSequential };
template <>
struct EnumNames<ArrayJobDependency> {
  static constexpr const char* kNames[] = {"N_TO_N", "SEQUENTIAL"};
};

enum class JobStateTimeLimitAction : uint8_t { kCancel, kTerminate };
template <>
struct EnumNames<JobStateTimeLimitAction> {
  static constexpr const char* kNames[] = {"CANCEL", "TERMINATE"};
};

// READY: takes new work. LOST: silent past its TTL. UNSCHEDULABLE: alive,
// but its agent asks for no new work (e.g. free disk below its threshold).
// CORDONED, DRAINING, RECLAIMING: an operator's (or, for RECLAIMING, the
// node's own interruption notice) NodeControl; no new work either.
enum class NodeState : uint8_t { kReady, kLost, kUnschedulable, kCordoned, kDraining, kReclaiming };
template <>
struct EnumNames<NodeState> {
  static constexpr const char* kNames[] = {"READY",    "LOST",     "UNSCHEDULABLE",
                                           "CORDONED", "DRAINING", "RECLAIMING"};
};

// What an operator (or the node's interruption notice) asked of a node.
// ACTIVE: nothing. CORDONED: no new work. DRAINING: no new work, and what
// still runs at the deadline is stopped and requeued. RECLAIMING: the
// machine is going away (a spot reclaim): every job is told at once and
// killed at the deadline.
enum class NodeControlState : uint8_t { kActive, kCordoned, kDraining, kReclaiming };
template <>
struct EnumNames<NodeControlState> {
  static constexpr const char* kNames[] = {"ACTIVE", "CORDONED", "DRAINING", "RECLAIMING"};
};

// Why an attempt was stopped from outside, through no fault of the job. An
// interrupted attempt is requeued without spending one of the job's
// retryStrategy attempts, up to its preemptionRetries.
enum class InterruptionKind : uint8_t { kReclaimed, kPreempted, kDrained };
template <>
struct EnumNames<InterruptionKind> {
  static constexpr const char* kNames[] = {"RECLAIMED", "PREEMPTED", "DRAINED"};
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
// AWS Batch's envelope, accepted as is.
inline constexpr uint32_t kMinArraySize = 2;
inline constexpr uint32_t kMaxArraySize = 10'000;
inline constexpr size_t kMaxDependencies = 20;
inline constexpr uint32_t kMaxRetryAttempts = 10;
inline constexpr size_t kMaxEvaluateOnExit = 5;
inline constexpr size_t kMaxPatternLength = 512;
inline constexpr size_t kMaxParameters = 100;
inline constexpr uint32_t kMaxSchedulingPriority = 9999;
inline constexpr size_t kMaxShareDistribution = 500;
// gantry accepts timeouts from 1 s (AWS's minimum is 60 s) up to 30 days.
inline constexpr uint32_t kMaxAttemptDurationSeconds = 30 * 24 * 3600;
// Interruptions (reclaim, preemption, drain) a job survives unless its
// submission or queue says otherwise, and the most either may say.
inline constexpr uint32_t kDefaultPreemptionRetries = 5;
inline constexpr uint32_t kMaxPreemptionRetries = 100;
// A reclaim's grace when none is given: a cloud's spot notice is 120 s.
inline constexpr uint32_t kDefaultReclaimGraceSeconds = 120;
inline constexpr uint32_t kMaxControlDeadlineSeconds = 7 * 24 * 3600;
// The node label that says how a node is bought: "spot" or "on-demand"
// (absent: on-demand). A SPOT compute environment takes only spot nodes, an
// ON_DEMAND one only the others.
inline constexpr const char* kCapacityTypeLabel = "capacity-type";
// AWS's tag limits: 50 per resource, keys 1-128 and values 0-256 bytes, and
// keys starting with "aws:" are reserved.
inline constexpr size_t kMaxTags = 50;
inline constexpr size_t kMaxTagKeyLength = 128;
inline constexpr size_t kMaxTagValueLength = 256;

// Names of queues, compute environments, definitions and jobs: 1-128 of
// [A-Za-z0-9_-], as AWS Batch allows.
Status ValidateName(std::string_view what, std::string_view name);
Status ValidateCommand(const std::vector<std::string>& command);
Status ValidateEnvironment(const Environment& env);
Status ValidateLabels(const Labels& labels);
Status ValidateTags(const Tags& tags);
// The keys of an UntagResource: 1-50 of them, each a valid tag key.
Status ValidateTagKeys(const std::vector<std::string>& keys);
// True if `labels` has every key=value of `selector` (an empty selector
// matches every node).
bool MatchesSelector(const Labels& labels, const Labels& selector);
// True if `labels` say the node is a spot node (kCapacityTypeLabel=spot).
bool IsSpotNode(const Labels& labels);
struct Node;
struct ComputeEnvironment;
// The node is in the compute environment: it matches the selector, and it
// is a spot node exactly when the environment's provisioning model is SPOT.
bool BelongsTo(const Node& node, const ComputeEnvironment& ce);

// Job ids are the leader's UUIDs; an array child's is "<parentId>:<index>".
Status ValidateJobId(std::string_view what, std::string_view id);
// Ref::name placeholders: names and values.
Status ValidateParameters(const std::map<std::string, std::string>& parameters);
// A glob as evaluateOnExit takes it: at most 512 characters, `*` only at the end.
bool GlobMatches(std::string_view pattern, std::string_view text);

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
  // gantry's own: jobs running here may be preempted by RUNNABLE jobs of
  // strictly higher-priority queues. Absent: false.
  std::optional<bool> preemptible;
  std::optional<Tags> tags;  // absent: none

  bool IsPreemptible() const { return preemptible.value_or(false); }
  Status Validate() const;
  template <class S, class V>
  static void Fields(S& s, V& v) {
    v("preemptible", s.preemptible);
    v("tags", s.tags);
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

// AWS's jobStateTimeLimitActions: a job RUNNABLE for maxTimeSeconds whose
// waiting reason starts with `reason` is cancelled (or terminated) with
// statusReason "<reason>: RUNNABLE for more than N s". gantry's reason codes:
//   MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT  no node in any of the queue's
//                                              compute environments could ever fit it
//   MISCONFIGURATION:COMPUTE_ENVIRONMENT_MAX_RESOURCE  it needs more vCPUs than maxvCpus
//   CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY    it fits, but nothing is free now
struct JobStateTimeLimit {
  std::string reason;
  std::string state = "RUNNABLE";
  uint32_t maxTimeSeconds = 600;
  JobStateTimeLimitAction action = JobStateTimeLimitAction::kCancel;
  Status Validate() const;
  template <class S, class V>
  static void Fields(S& s, V& v) {
    v("reason", s.reason);
    v("state", s.state);
    v("maxTimeSeconds", s.maxTimeSeconds);
    v("action", s.action);
  }
  friend bool operator==(const JobStateTimeLimit&, const JobStateTimeLimit&) = default;
};

struct JobQueue {
  std::string jobQueueName;
  ResourceState state = ResourceState::kEnabled;
  uint32_t priority = 1;  // higher runs first
  std::vector<ComputeEnvironmentOrder> computeEnvironmentOrder;
  // The name (or ARN, ".../scheduling-policy/<name>") of a scheduling
  // policy: the queue then orders its jobs by fair share.
  std::optional<std::string> schedulingPolicyArn;
  std::vector<JobStateTimeLimit> jobStateTimeLimitActions;
  int64_t createdAt = 0;
  // Interruptions a job of this queue survives when its submission does not
  // say (absent: kDefaultPreemptionRetries).
  std::optional<uint32_t> preemptionRetries;
  std::optional<Tags> tags;  // absent: none

  Status Validate() const;
  template <class S, class V>
  static void Fields(S& s, V& v) {
    v("preemptionRetries", s.preemptionRetries);
    v("tags", s.tags);
    v("jobQueueName", s.jobQueueName);
    v("state", s.state);
    v("priority", s.priority);
    v("computeEnvironmentOrder", s.computeEnvironmentOrder);
    v("schedulingPolicyArn", s.schedulingPolicyArn);
    v("jobStateTimeLimitActions", s.jobStateTimeLimitActions);
    v("createdAt", s.createdAt);
  }
};

// The name part of a scheduling policy reference: "name" or an ARN ending
// in "scheduling-policy/name".
std::string SchedulingPolicyName(std::string_view ref);

struct ShareAttributes {
  std::string shareIdentifier;  // exact, or a prefix ending in '*'
  double weightFactor = 1.0;    // lower gets more: 0.125 gets 8 times 1.0's share
  template <class S, class V>
  static void Fields(S& s, V& v) {
    v("shareIdentifier", s.shareIdentifier);
    v("weightFactor", s.weightFactor);
  }
  friend bool operator==(const ShareAttributes&, const ShareAttributes&) = default;
};

struct FairsharePolicy {
  uint32_t shareDecaySeconds = 0;   // 0: only current usage counts
  uint32_t computeReservation = 0;  // 0-99; see the scheduler
  std::vector<ShareAttributes> shareDistribution;
  template <class S, class V>
  static void Fields(S& s, V& v) {
    v("shareDecaySeconds", s.shareDecaySeconds);
    v("computeReservation", s.computeReservation);
    v("shareDistribution", s.shareDistribution);
  }
  friend bool operator==(const FairsharePolicy&, const FairsharePolicy&) = default;
};

struct SchedulingPolicy {
  std::string name;
  FairsharePolicy fairsharePolicy;
  int64_t createdAt = 0;
  std::optional<Tags> tags;  // absent: none
  Status Validate() const;
  template <class S, class V>
  static void Fields(S& s, V& v) {
    v("name", s.name);
    v("fairsharePolicy", s.fairsharePolicy);
    v("createdAt", s.createdAt);
    v("tags", s.tags);
  }
};

// The weight of `share` under `policy`: an exact shareIdentifier first,
// then the longest matching prefix, else 1.0.
double ShareWeight(const FairsharePolicy& policy, std::string_view share);

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

// One evaluateOnExit rule. Every condition given must match (globs with an
// optional trailing '*'); a rule with none matches every attempt.
struct EvaluateOnExit {
  std::optional<std::string> onStatusReason;
  std::optional<std::string> onReason;
  std::optional<std::string> onExitCode;  // digits, optionally ending in '*'
  RetryAction action = RetryAction::kRetry;
  Status Validate() const;
  template <class S, class V>
  static void Fields(S& s, V& v) {
    v("onStatusReason", s.onStatusReason);
    v("onReason", s.onReason);
    v("onExitCode", s.onExitCode);
    v("action", s.action);
  }
  friend bool operator==(const EvaluateOnExit&, const EvaluateOnExit&) = default;
};

struct RetryStrategy {
  uint32_t attempts = 1;  // 1-10, the first attempt included
  std::vector<EvaluateOnExit> evaluateOnExit;  // at most 5, first match wins
  Status Validate() const;
  template <class S, class V>
  static void Fields(S& s, V& v) {
    v("attempts", s.attempts);
    v("evaluateOnExit", s.evaluateOnExit);
  }
  friend bool operator==(const RetryStrategy&, const RetryStrategy&) = default;
};

struct JobTimeout {
  std::optional<uint32_t> attemptDurationSeconds;  // from the attempt's start
  Status Validate() const;
  template <class S, class V>
  static void Fields(S& s, V& v) { v("attemptDurationSeconds", s.attemptDurationSeconds); }
  friend bool operator==(const JobTimeout&, const JobTimeout&) = default;
};

using Parameters = std::map<std::string, std::string>;

struct JobDefinition {
  std::string jobDefinitionName;
  uint32_t revision = 0;  // assigned by the coordinator, from 1
  std::string status = "ACTIVE";
  std::vector<std::string> command;
  Resources resources;
  Environment environment;
  Parameters parameters;  // defaults for Ref::name placeholders in `command`
  std::optional<RetryStrategy> retryStrategy;
  std::optional<JobTimeout> timeout;
  std::optional<uint32_t> schedulingPriority;  // 0-9999, higher first in a fair-share queue
  int64_t createdAt = 0;
  std::optional<Tags> tags;  // this revision's; absent: none

  Status Validate() const;
  template <class S, class V>
  static void Fields(S& s, V& v) {
    v("jobDefinitionName", s.jobDefinitionName);
    v("revision", s.revision);
    v("status", s.status);
    v("command", s.command);
    v("resources", s.resources);
    v("environment", s.environment);
    v("parameters", s.parameters);
    v("retryStrategy", s.retryStrategy);
    v("timeout", s.timeout);
    v("schedulingPriority", s.schedulingPriority);
    v("createdAt", s.createdAt);
    v("tags", s.tags);
  }
};

// One try of a job on one node.
// An attempt stopped from outside (reclaim, preemption, drain), and why, e.g.
// "Node reclaimed: node-3". Recorded when the stop is decided, so the end
// report, whatever exit it brings, is read as an interruption.
struct Interruption {
  InterruptionKind kind = InterruptionKind::kPreempted;
  std::string reason;
  template <class S, class V>
  static void Fields(S& s, V& v) {
    v("kind", s.kind);
    v("reason", s.reason);
  }
  friend bool operator==(const Interruption&, const Interruption&) = default;
};

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
  std::optional<Interruption> interruption;

  template <class S, class V>
  static void Fields(S& s, V& v) {
    v("interruption", s.interruption);
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

struct JobDependency {
  std::string jobId;  // empty only with type SEQUENTIAL
  std::optional<ArrayJobDependency> type;
  template <class S, class V>
  static void Fields(S& s, V& v) {
    v("jobId", s.jobId);
    v("type", s.type);
  }
  friend bool operator==(const JobDependency&, const JobDependency&) = default;
};

// On an array parent: size, and statusSummary (counts of its children per
// status, filled in when the job is read). On a child: size and index.
struct ArrayProperties {
  uint32_t size = 0;
  std::optional<uint32_t> index;
  std::map<std::string, uint32_t> statusSummary;
  template <class S, class V>
  static void Fields(S& s, V& v) {
    v("size", s.size);
    v("index", s.index);
    v("statusSummary", s.statusSummary);
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
  Parameters parameters;          // as substituted into `command`
  RetryStrategy retryStrategy;
  std::optional<JobTimeout> timeout;
  // As submitted on a parent or a single job. A child lists what it waits
  // on itself: N_TO_N and SEQUENTIAL resolved to sibling ids.
  std::vector<JobDependency> dependsOn;
  std::optional<ArrayProperties> arrayProperties;
  std::optional<std::string> shareIdentifier;
  uint32_t schedulingPriority = 0;
  bool isCancelled = false;
  bool isTerminated = false;
  // A terminate-job on a STARTING or RUNNING job: the reason the job ends
  // FAILED with once its attempt is gone.
  std::optional<std::string> terminationReason;
  std::optional<int64_t> runnableAt;  // when it last became RUNNABLE
  // As submitted; absent: the queue's, else kDefaultPreemptionRetries.
  std::optional<uint32_t> preemptionRetries;
  std::optional<Tags> tags;  // absent: none
  // Who submitted it: the name of the access key that signed an HTTP API
  // submission. Absent for the ZeroMQ API, which does not authenticate.
  std::optional<std::string> submittedBy;

  template <class S, class V>
  static void Fields(S& s, V& v) {
    v("preemptionRetries", s.preemptionRetries);
    v("tags", s.tags);
    v("submittedBy", s.submittedBy);
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
    v("parameters", s.parameters);
    v("retryStrategy", s.retryStrategy);
    v("timeout", s.timeout);
    v("dependsOn", s.dependsOn);
    v("arrayProperties", s.arrayProperties);
    v("shareIdentifier", s.shareIdentifier);
    v("schedulingPriority", s.schedulingPriority);
    v("isCancelled", s.isCancelled);
    v("isTerminated", s.isTerminated);
    v("terminationReason", s.terminationReason);
    v("runnableAt", s.runnableAt);
  }
  bool IsArrayParent() const { return arrayProperties && !arrayProperties->index; }
  bool IsArrayChild() const { return arrayProperties && arrayProperties->index.has_value(); }
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

struct NodeControl {
  NodeControlState state = NodeControlState::kActive;
  std::string reason;  // e.g. "drained by operator", "spot interruption notice"
  int64_t requestedAt = 0;  // epoch ms, the leader's clock
  // DRAINING: when what still runs is stopped; RECLAIMING: when the agent
  // kills what is left (epoch ms). Absent: no deadline.
  std::optional<int64_t> deadlineAt;
  template <class S, class V>
  static void Fields(S& s, V& v) {
    v("state", s.state);
    v("reason", s.reason);
    v("requestedAt", s.requestedAt);
    v("deadlineAt", s.deadlineAt);
  }
  friend bool operator==(const NodeControl&, const NodeControl&) = default;
};

struct Node {
  std::string nodeId;
  std::string bootId;
  NodeCapacity capacity;
  Labels labels;
  std::string logAddress;  // where the node's log server listens, may be empty
  int64_t registeredAt = 0;
  // How the agent enforces a job's disk request: "loop-ext4" (an ext4 image
  // per attempt), "watch: <why no filesystem quota>" (usage polled, the
  // attempt stopped past its request), or "none: <why>" where it cannot.
  std::optional<std::string> diskQuota;
  // Set by the coordinator, never by the agent: what an operator (or the
  // node's own reclaim notice) asked of it. Kept across re-registrations.
  std::optional<NodeControl> control;

  NodeControlState ControlState() const { return control ? control->state : NodeControlState::kActive; }
  Status Validate() const;
  template <class S, class V>
  static void Fields(S& s, V& v) {
    v("control", s.control);
    v("nodeId", s.nodeId);
    v("bootId", s.bootId);
    v("capacity", s.capacity);
    v("labels", s.labels);
    v("logAddress", s.logAddress);
    v("registeredAt", s.registeredAt);
    v("diskQuota", s.diskQuota);
  }
};

// False when the node's agent says it cannot hold a job to its disk request
// (diskQuota "none..."). An agent that says nothing (absent) is taken to
// enforce it, as agents that predate the field cannot say otherwise.
bool EnforcesDiskQuota(const Node& node);

}  // namespace gantry::protocol
