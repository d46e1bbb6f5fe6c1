// Every message gantry processes exchange over ZeroMQ, and its envelope.
//
// A message is the last frame of a ZeroMQ multipart message (a ROUTER adds the
// peer's routing id in front). The frame is a msgpack map:
//
//   envelope = map { "v": protocol version (uint), "t": type (uint),
//                    "id": request id (uint), "body": record }
//
// A reply carries the request's id. Type numbers are appended, never reused.
// Agents' messages are state reports carrying node id, boot id and a sequence
// number; nothing relies on ZeroMQ delivering a message exactly once.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/codec.h"
#include "protocol/types.h"

namespace gantry::protocol {

inline constexpr uint32_t kProtocolVersion = 1;
// Frames larger than this are refused at the socket (ZMQ_MAXMSGSIZE).
inline constexpr int64_t kMaxFrameBytes = 16 << 20;

enum class MessageType : uint16_t {
  kErrorReply = 1,
  // client -> coordinator, and replies
  kCreateComputeEnvironment = 10,
  kCreateComputeEnvironmentReply = 11,
  kCreateJobQueue = 12,
  kCreateJobQueueReply = 13,
  kRegisterJobDefinition = 14,
  kRegisterJobDefinitionReply = 15,
  kSubmitJob = 16,
  kSubmitJobReply = 17,
  kDescribeJobs = 18,
  kDescribeJobsReply = 19,
  kListJobs = 20,
  kListJobsReply = 21,
  kDescribeJobQueues = 22,
  kDescribeJobQueuesReply = 23,
  kDescribeComputeEnvironments = 24,
  kDescribeComputeEnvironmentsReply = 25,
  kDescribeJobDefinitions = 26,
  kDescribeJobDefinitionsReply = 27,
  kDescribeNodes = 28,
  kDescribeNodesReply = 29,
  // operator -> coordinator: the replicas' Raft membership
  kRaftListPeers = 30,
  kRaftPeersReply = 31,
  kRaftAddVoter = 32,
  kRaftRemovePeer = 33,
  kRaftTransferLeader = 34,
  // client -> coordinator: job control and the rest of AWS Batch's API
  kCancelJob = 35,
  kTerminateJob = 36,
  kDoneReply = 37,
  kDeregisterJobDefinition = 38,
  kUpdateJobQueue = 39,
  kUpdateComputeEnvironment = 40,
  kDeleteJobQueue = 41,
  kDeleteComputeEnvironment = 42,
  kCreateSchedulingPolicy = 43,
  kUpdateSchedulingPolicy = 44,
  kDeleteSchedulingPolicy = 45,
  kDescribeSchedulingPolicies = 46,
  kDescribeSchedulingPoliciesReply = 47,
  // client -> node agent's log server, and its reply
  kReadLog = 48,
  kReadLogReply = 49,
  // operator -> coordinator: cordon, uncordon, drain, reclaim a node
  kNodeControl = 50,
  // client -> coordinator: AWS's resource tags
  kTagResource = 51,
  kUntagResource = 52,
  kListTagsForResource = 53,
  kListTagsForResourceReply = 54,
  // agent <-> coordinator
  kNodeStatus = 100,
  kNodeStatusAck = 101,
  kLaunchAttempt = 102,
  kKillAttempt = 103,
  kAttemptStarted = 104,
  kAttemptEnded = 105,
  kAttemptReportAck = 106,
  kReclaimNode = 107,
};

const char* MessageTypeName(MessageType t);
bool IsKnownMessageType(uint16_t t);

// ---- generic -------------------------------------------------------------

struct ErrorReply {
  static constexpr MessageType kType = MessageType::kErrorReply;
  uint8_t code = 0;  // gantry::StatusCode
  std::string message;
  template <class S, class V>
  static void Fields(S& s, V& v) {
    v("code", s.code);
    v("message", s.message);
  }
};

// ---- client requests ------------------------------------------------------

struct CreateComputeEnvironmentRequest {
  static constexpr MessageType kType = MessageType::kCreateComputeEnvironment;
  ComputeEnvironment computeEnvironment;  // createdAt is ignored
  template <class S, class V>
  static void Fields(S& s, V& v) { v("computeEnvironment", s.computeEnvironment); }
};

struct CreateComputeEnvironmentReply {
  static constexpr MessageType kType = MessageType::kCreateComputeEnvironmentReply;
  std::string computeEnvironmentName;
  template <class S, class V>
  static void Fields(S& s, V& v) { v("computeEnvironmentName", s.computeEnvironmentName); }
};

struct CreateJobQueueRequest {
  static constexpr MessageType kType = MessageType::kCreateJobQueue;
  JobQueue jobQueue;
  template <class S, class V>
  static void Fields(S& s, V& v) { v("jobQueue", s.jobQueue); }
};

struct CreateJobQueueReply {
  static constexpr MessageType kType = MessageType::kCreateJobQueueReply;
  std::string jobQueueName;
  template <class S, class V>
  static void Fields(S& s, V& v) { v("jobQueueName", s.jobQueueName); }
};

struct RegisterJobDefinitionRequest {
  static constexpr MessageType kType = MessageType::kRegisterJobDefinition;
  JobDefinition jobDefinition;  // revision and createdAt are ignored
  template <class S, class V>
  static void Fields(S& s, V& v) { v("jobDefinition", s.jobDefinition); }
};

struct RegisterJobDefinitionReply {
  static constexpr MessageType kType = MessageType::kRegisterJobDefinitionReply;
  std::string jobDefinitionName;
  uint32_t revision = 0;
  template <class S, class V>
  static void Fields(S& s, V& v) {
    v("jobDefinitionName", s.jobDefinitionName);
    v("revision", s.revision);
  }
};

// Overrides on top of the job definition; absent means "as defined".
struct SubmitJobRequest {
  static constexpr MessageType kType = MessageType::kSubmitJob;
  std::string jobName;
  std::string jobQueue;
  std::string jobDefinition;  // "name" (latest revision) or "name:revision"
  std::optional<std::vector<std::string>> command;
  Environment environment;  // merged over the definition's
  std::optional<uint32_t> vcpus;
  std::optional<uint64_t> memoryMib;
  std::optional<uint64_t> diskMib;
  std::optional<std::string> clientToken;  // makes a retried submission idempotent
  Parameters parameters;  // over the definition's defaults
  std::optional<RetryStrategy> retryStrategy;
  std::optional<JobTimeout> timeout;
  std::optional<uint32_t> arraySize;  // arrayProperties.size: 2-10,000 children
  std::vector<JobDependency> dependsOn;  // at most 20
  std::optional<std::string> shareIdentifier;  // required by a fair-share queue
  std::optional<uint32_t> schedulingPriorityOverride;
  // Interruptions (reclaim, preemption, drain) the job survives; absent:
  // the queue's, else kDefaultPreemptionRetries.
  std::optional<uint32_t> preemptionRetries;
  std::optional<Tags> tags;
  // Set by the HTTP API to the name of the access key that signed the
  // request; recorded on the job as submittedBy.
  std::optional<std::string> submittedBy;

  Status Validate() const;
  template <class S, class V>
  static void Fields(S& s, V& v) {
    v("preemptionRetries", s.preemptionRetries);
    v("tags", s.tags);
    v("submittedBy", s.submittedBy);
    v("jobName", s.jobName);
    v("jobQueue", s.jobQueue);
    v("jobDefinition", s.jobDefinition);
    v("command", s.command);
    v("environment", s.environment);
    v("vcpus", s.vcpus);
    v("memoryMib", s.memoryMib);
    v("diskMib", s.diskMib);
    v("clientToken", s.clientToken);
    v("parameters", s.parameters);
    v("retryStrategy", s.retryStrategy);
    v("timeout", s.timeout);
    v("arraySize", s.arraySize);
    v("dependsOn", s.dependsOn);
    v("shareIdentifier", s.shareIdentifier);
    v("schedulingPriorityOverride", s.schedulingPriorityOverride);
  }
};

struct SubmitJobReply {
  static constexpr MessageType kType = MessageType::kSubmitJobReply;
  std::string jobId;
  std::string jobName;
  template <class S, class V>
  static void Fields(S& s, V& v) {
    v("jobId", s.jobId);
    v("jobName", s.jobName);
  }
};

// As AWS Batch: at most 100 ids per DescribeJobs. Each job carries its log
// tails, so this also keeps a reply well under kMaxFrameBytes.
inline constexpr size_t kMaxDescribeJobs = 100;

struct DescribeJobsRequest {
  static constexpr MessageType kType = MessageType::kDescribeJobs;
  std::vector<std::string> jobs;
  Status Validate() const;
  template <class S, class V>
  static void Fields(S& s, V& v) { v("jobs", s.jobs); }
};

struct DescribeJobsReply {
  static constexpr MessageType kType = MessageType::kDescribeJobsReply;
  std::vector<Job> jobs;  // unknown ids are omitted, as AWS does
  template <class S, class V>
  static void Fields(S& s, V& v) { v("jobs", s.jobs); }
};

inline constexpr uint32_t kDefaultListJobsResults = 1000;

// ListJobs' filters, as AWS names them: JOB_NAME (case-insensitive, a
// trailing '*' matches a prefix), JOB_DEFINITION ("name" or "name:rev"),
// BEFORE_CREATED_AT / AFTER_CREATED_AT (epoch ms), SHARE_IDENTIFIER.
struct KeyValuesPair {
  std::string name;
  std::vector<std::string> values;
  template <class S, class V>
  static void Fields(S& s, V& v) {
    v("name", s.name);
    v("values", s.values);
  }
};

// Exactly one of jobQueue (top-level jobs of a queue) and arrayJobId (the
// children of an array) is given. Results are in submission order (children
// by index), so a nextToken always advances.
struct ListJobsRequest {
  static constexpr MessageType kType = MessageType::kListJobs;
  std::string jobQueue;
  std::optional<std::string> arrayJobId;
  std::optional<JobStatus> jobStatus;  // absent: every status
  std::optional<uint32_t> maxResults;  // 1..kDefaultListJobsResults
  std::optional<std::string> nextToken;
  std::vector<KeyValuesPair> filters;  // at most one, as AWS
  Status Validate() const;
  template <class S, class V>
  static void Fields(S& s, V& v) {
    v("jobQueue", s.jobQueue);
    v("arrayJobId", s.arrayJobId);
    v("jobStatus", s.jobStatus);
    v("maxResults", s.maxResults);
    v("nextToken", s.nextToken);
    v("filters", s.filters);
  }
};

struct ListJobsReply {
  static constexpr MessageType kType = MessageType::kListJobsReply;
  std::vector<Job> jobSummaryList;  // attempts' log tails are left out
  std::optional<std::string> nextToken;
  template <class S, class V>
  static void Fields(S& s, V& v) {
    v("jobSummaryList", s.jobSummaryList);
    v("nextToken", s.nextToken);
  }
};

// For the three describe-* calls: empty names means all.
struct DescribeJobQueuesRequest {
  static constexpr MessageType kType = MessageType::kDescribeJobQueues;
  std::vector<std::string> jobQueues;
  template <class S, class V>
  static void Fields(S& s, V& v) { v("jobQueues", s.jobQueues); }
};

struct DescribeJobQueuesReply {
  static constexpr MessageType kType = MessageType::kDescribeJobQueuesReply;
  std::vector<JobQueue> jobQueues;
  template <class S, class V>
  static void Fields(S& s, V& v) { v("jobQueues", s.jobQueues); }
};

struct DescribeComputeEnvironmentsRequest {
  static constexpr MessageType kType = MessageType::kDescribeComputeEnvironments;
  std::vector<std::string> computeEnvironments;
  template <class S, class V>
  static void Fields(S& s, V& v) { v("computeEnvironments", s.computeEnvironments); }
};

// A compute environment with the vCPUs its running jobs hold now.
struct ComputeEnvironmentView {
  ComputeEnvironment computeEnvironment;
  uint32_t usedvCpus = 0;
  uint32_t nodes = 0;  // ready nodes matching the selector
  template <class S, class V>
  static void Fields(S& s, V& v) {
    v("computeEnvironment", s.computeEnvironment);
    v("usedvCpus", s.usedvCpus);
    v("nodes", s.nodes);
  }
};

struct DescribeComputeEnvironmentsReply {
  static constexpr MessageType kType = MessageType::kDescribeComputeEnvironmentsReply;
  std::vector<ComputeEnvironmentView> computeEnvironments;
  template <class S, class V>
  static void Fields(S& s, V& v) { v("computeEnvironments", s.computeEnvironments); }
};

struct DescribeJobDefinitionsRequest {
  static constexpr MessageType kType = MessageType::kDescribeJobDefinitions;
  std::vector<std::string> jobDefinitions;  // "name" (all revisions) or "name:rev"
  template <class S, class V>
  static void Fields(S& s, V& v) { v("jobDefinitions", s.jobDefinitions); }
};

struct DescribeJobDefinitionsReply {
  static constexpr MessageType kType = MessageType::kDescribeJobDefinitionsReply;
  std::vector<JobDefinition> jobDefinitions;
  template <class S, class V>
  static void Fields(S& s, V& v) { v("jobDefinitions", s.jobDefinitions); }
};

struct DescribeNodesRequest {
  static constexpr MessageType kType = MessageType::kDescribeNodes;
  template <class S, class V>
  static void Fields(S&, V&) {}
};

struct NodeView {
  Node node;
  NodeState state = NodeState::kReady;
  std::string stateReason;
  NodeCapacity free;  // capacity minus reservations
  std::vector<std::string> runningAttempts;  // "jobId#attemptNumber"
  int64_t lastSeenAgoMs = 0;
  std::optional<std::string> cleanupPending;  // as the node last reported it
  template <class S, class V>
  static void Fields(S& s, V& v) {
    v("node", s.node);
    v("state", s.state);
    v("stateReason", s.stateReason);
    v("free", s.free);
    v("runningAttempts", s.runningAttempts);
    v("lastSeenAgoMs", s.lastSeenAgoMs);
    v("cleanupPending", s.cleanupPending);
  }
};

struct DescribeNodesReply {
  static constexpr MessageType kType = MessageType::kDescribeNodesReply;
  std::vector<NodeView> nodes;
  template <class S, class V>
  static void Fields(S& s, V& v) { v("nodes", s.nodes); }
};

// ---- job control and resource updates --------------------------------------

// cancel-job and terminate-job. On an array parent they apply to every child.
struct CancelJobRequest {
  static constexpr MessageType kType = MessageType::kCancelJob;
  std::string jobId;
  std::string reason;
  Status Validate() const;
  template <class S, class V>
  static void Fields(S& s, V& v) {
    v("jobId", s.jobId);
    v("reason", s.reason);
  }
};

struct TerminateJobRequest {
  static constexpr MessageType kType = MessageType::kTerminateJob;
  std::string jobId;
  std::string reason;
  Status Validate() const;
  template <class S, class V>
  static void Fields(S& s, V& v) {
    v("jobId", s.jobId);
    v("reason", s.reason);
  }
};

// The reply to requests that return nothing but success: the name of what
// changed (a job id, a queue, ...).
struct DoneReply {
  static constexpr MessageType kType = MessageType::kDoneReply;
  std::string name;
  template <class S, class V>
  static void Fields(S& s, V& v) { v("name", s.name); }
};

// "name:revision": that revision becomes INACTIVE. Jobs using it keep running.
struct DeregisterJobDefinitionRequest {
  static constexpr MessageType kType = MessageType::kDeregisterJobDefinition;
  std::string jobDefinition;
  template <class S, class V>
  static void Fields(S& s, V& v) { v("jobDefinition", s.jobDefinition); }
};

// Absent fields stay as they are.
struct UpdateJobQueueRequest {
  static constexpr MessageType kType = MessageType::kUpdateJobQueue;
  std::string jobQueue;
  std::optional<ResourceState> state;
  std::optional<uint32_t> priority;
  std::optional<std::vector<ComputeEnvironmentOrder>> computeEnvironmentOrder;
  std::optional<std::string> schedulingPolicyArn;
  std::optional<std::vector<JobStateTimeLimit>> jobStateTimeLimitActions;
  std::optional<uint32_t> preemptionRetries;
  template <class S, class V>
  static void Fields(S& s, V& v) {
    v("preemptionRetries", s.preemptionRetries);
    v("jobQueue", s.jobQueue);
    v("state", s.state);
    v("priority", s.priority);
    v("computeEnvironmentOrder", s.computeEnvironmentOrder);
    v("schedulingPolicyArn", s.schedulingPolicyArn);
    v("jobStateTimeLimitActions", s.jobStateTimeLimitActions);
  }
};

struct UpdateComputeEnvironmentRequest {
  static constexpr MessageType kType = MessageType::kUpdateComputeEnvironment;
  std::string computeEnvironment;
  std::optional<ResourceState> state;
  std::optional<uint32_t> minvCpus;
  std::optional<uint32_t> maxvCpus;
  std::optional<uint32_t> desiredvCpus;
  std::optional<bool> preemptible;
  template <class S, class V>
  static void Fields(S& s, V& v) {
    v("preemptible", s.preemptible);
    v("computeEnvironment", s.computeEnvironment);
    v("state", s.state);
    v("minvCpus", s.minvCpus);
    v("maxvCpus", s.maxvCpus);
    v("desiredvCpus", s.desiredvCpus);
  }
};

// As AWS: a queue must be DISABLED and hold no job that is not finished; a
// compute environment must be DISABLED and named by no queue.
struct DeleteJobQueueRequest {
  static constexpr MessageType kType = MessageType::kDeleteJobQueue;
  std::string jobQueue;
  template <class S, class V>
  static void Fields(S& s, V& v) { v("jobQueue", s.jobQueue); }
};

struct DeleteComputeEnvironmentRequest {
  static constexpr MessageType kType = MessageType::kDeleteComputeEnvironment;
  std::string computeEnvironment;
  template <class S, class V>
  static void Fields(S& s, V& v) { v("computeEnvironment", s.computeEnvironment); }
};

struct CreateSchedulingPolicyRequest {
  static constexpr MessageType kType = MessageType::kCreateSchedulingPolicy;
  SchedulingPolicy schedulingPolicy;  // createdAt is ignored
  template <class S, class V>
  static void Fields(S& s, V& v) { v("schedulingPolicy", s.schedulingPolicy); }
};

// Replaces the policy's fairsharePolicy; `arn` is a name or an ARN.
struct UpdateSchedulingPolicyRequest {
  static constexpr MessageType kType = MessageType::kUpdateSchedulingPolicy;
  std::string arn;
  FairsharePolicy fairsharePolicy;
  template <class S, class V>
  static void Fields(S& s, V& v) {
    v("arn", s.arn);
    v("fairsharePolicy", s.fairsharePolicy);
  }
};

// Refused while a queue names the policy.
struct DeleteSchedulingPolicyRequest {
  static constexpr MessageType kType = MessageType::kDeleteSchedulingPolicy;
  std::string arn;
  template <class S, class V>
  static void Fields(S& s, V& v) { v("arn", s.arn); }
};

// Empty: every policy.
struct DescribeSchedulingPoliciesRequest {
  static constexpr MessageType kType = MessageType::kDescribeSchedulingPolicies;
  std::vector<std::string> arns;
  template <class S, class V>
  static void Fields(S& s, V& v) { v("arns", s.arns); }
};

struct DescribeSchedulingPoliciesReply {
  static constexpr MessageType kType = MessageType::kDescribeSchedulingPoliciesReply;
  std::vector<SchedulingPolicy> schedulingPolicies;
  template <class S, class V>
  static void Fields(S& s, V& v) { v("schedulingPolicies", s.schedulingPolicies); }
};

// ---- client: AWS's resource tags ---------------------------------------------

// The kinds of resource that carry tags, spelt as in their ARNs
// ("arn:aws:batch:<region>:<account>:job-queue/<name>").
enum class ResourceKind : uint8_t { kComputeEnvironment, kJobQueue, kJobDefinition, kJob, kSchedulingPolicy };
template <>
struct EnumNames<ResourceKind> {
  static constexpr const char* kNames[] = {"compute-environment", "job-queue", "job-definition", "job",
                                           "scheduling-policy"};
};

// One tagged resource: a name for compute environments, queues and
// scheduling policies, "name:revision" for a job definition, a job id.
struct ResourceRef {
  ResourceKind kind = ResourceKind::kJob;
  std::string id;
  Status Validate() const;
  template <class S, class V>
  static void Fields(S& s, V& v) {
    v("kind", s.kind);
    v("id", s.id);
  }
  friend bool operator==(const ResourceRef&, const ResourceRef&) = default;
};

// Adds or replaces these tags (the result may hold at most kMaxTags).
// Answered with DoneReply{resource id}.
struct TagResourceRequest {
  static constexpr MessageType kType = MessageType::kTagResource;
  ResourceRef resource;
  Tags tags;
  Status Validate() const;
  template <class S, class V>
  static void Fields(S& s, V& v) {
    v("resource", s.resource);
    v("tags", s.tags);
  }
};

// Removes these keys; keys the resource does not have are no error, as AWS.
// Answered with DoneReply{resource id}.
struct UntagResourceRequest {
  static constexpr MessageType kType = MessageType::kUntagResource;
  ResourceRef resource;
  std::vector<std::string> tagKeys;
  Status Validate() const;
  template <class S, class V>
  static void Fields(S& s, V& v) {
    v("resource", s.resource);
    v("tagKeys", s.tagKeys);
  }
};

struct ListTagsForResourceRequest {
  static constexpr MessageType kType = MessageType::kListTagsForResource;
  ResourceRef resource;
  template <class S, class V>
  static void Fields(S& s, V& v) { v("resource", s.resource); }
};

struct ListTagsForResourceReply {
  static constexpr MessageType kType = MessageType::kListTagsForResourceReply;
  Tags tags;
  template <class S, class V>
  static void Fields(S& s, V& v) { v("tags", s.tags); }
};

// ---- operator: a node's scheduling -------------------------------------------

// CORDON: no new work. UNCORDON: back to ACTIVE (also ends a drain, or a
// reclaim the node's own notice did not start). DRAIN: no new work; what still
// runs `deadlineSeconds` from now is stopped and requeued elsewhere (absent:
// no deadline, jobs finish). RECLAIM: the machine is going away: jobs get
// SIGTERM and GANTRY_RECLAIM_DEADLINE now and SIGKILL after `deadlineSeconds`
// (absent: kDefaultReclaimGraceSeconds). Answered with DoneReply{nodeId}.
enum class NodeAction : uint8_t { kCordon, kUncordon, kDrain, kReclaim };
template <>
struct EnumNames<NodeAction> {
  static constexpr const char* kNames[] = {"CORDON", "UNCORDON", "DRAIN", "RECLAIM"};
};

struct NodeControlRequest {
  static constexpr MessageType kType = MessageType::kNodeControl;
  std::string nodeId;
  NodeAction action = NodeAction::kCordon;
  std::optional<uint32_t> deadlineSeconds;  // DRAIN and RECLAIM only
  std::optional<std::string> reason;        // shown in gantry nodes
  Status Validate() const;
  template <class S, class V>
  static void Fields(S& s, V& v) {
    v("nodeId", s.nodeId);
    v("action", s.action);
    v("deadlineSeconds", s.deadlineSeconds);
    v("reason", s.reason);
  }
};

// ---- client -> node agent: an attempt's output ------------------------------
// Served by each agent's log server (its Node.logAddress), not the
// coordinator. Offsets count bytes of the attempt's whole output stream
// (stdout and stderr interleaved); the agent keeps only a window of it.

// The most a ReadLogReply carries; a larger maxBytes is served as this.
inline constexpr uint32_t kMaxReadLogBytes = 1 << 20;

// Answered with ErrorReply kNotFound when the agent has no log of that
// attempt (never ran there, or deleted under its disk budget).
struct ReadLogRequest {
  static constexpr MessageType kType = MessageType::kReadLog;
  std::string jobId;
  uint32_t attemptNumber = 1;
  uint64_t offset = 0;    // stream offset to read from
  uint32_t maxBytes = 0;  // 0: only the offsets and `ended`
  Status Validate() const;
  template <class S, class V>
  static void Fields(S& s, V& v) {
    v("jobId", s.jobId);
    v("attemptNumber", s.attemptNumber);
    v("offset", s.offset);
    v("maxBytes", s.maxBytes);
  }
};

struct ReadLogReply {
  static constexpr MessageType kType = MessageType::kReadLogReply;
  std::string data;         // raw output bytes, at most kMaxReadLogBytes
  uint64_t offset = 0;      // where `data` starts: past the request's offset
                            // when that part was rotated away
  uint64_t nextOffset = 0;  // offset + data size: where the next read starts
  bool ended = false;       // no more output will come (the attempt ended)
  Status Validate() const;
  template <class S, class V>
  static void Fields(S& s, V& v) {
    v("data", s.data);
    v("offset", s.offset);
    v("nextOffset", s.nextOffset);
    v("ended", s.ended);
  }
};

// ---- operator: Raft membership ---------------------------------------------
// Answered by the leader; a follower answers kUnavailable naming the leader.

struct RaftPeerInfo {
  uint64_t id = 0;
  std::string address;  // the replica's Raft address, "a.b.c.d:port"
  std::string role;     // "voter", "standby" or "spare"
  bool leader = false;
  template <class S, class V>
  static void Fields(S& s, V& v) {
    v("id", s.id);
    v("address", s.address);
    v("role", s.role);
    v("leader", s.leader);
  }
  friend bool operator==(const RaftPeerInfo&, const RaftPeerInfo&) = default;
};

struct RaftListPeersRequest {
  static constexpr MessageType kType = MessageType::kRaftListPeers;
  // Also the replica's applied index and a digest of its whole state, to
  // compare replicas (the chaos suite does). Costs a pass over the state.
  std::optional<bool> withDigest;
  template <class S, class V>
  static void Fields(S& s, V& v) { v("withDigest", s.withDigest); }
};

// The reply to every Raft operator request: the membership after it.
struct RaftPeersReply {
  static constexpr MessageType kType = MessageType::kRaftPeersReply;
  uint64_t replicaId = 0;  // the replica that answered
  std::vector<RaftPeerInfo> peers;
  // With RaftListPeersRequest.withDigest: the answering replica's applied
  // command index and its state's digest (equal states, equal digests).
  std::optional<uint64_t> appliedIndex;
  std::optional<std::string> stateDigest;
  template <class S, class V>
  static void Fields(S& s, V& v) {
    v("replicaId", s.replicaId);
    v("peers", s.peers);
    v("appliedIndex", s.appliedIndex);
    v("stateDigest", s.stateDigest);
  }
};

// Adds a replica started with an empty data dir and no --peers; it becomes a
// voter once it has caught up.
struct RaftAddVoterRequest {
  static constexpr MessageType kType = MessageType::kRaftAddVoter;
  uint64_t id = 0;
  std::string address;
  template <class S, class V>
  static void Fields(S& s, V& v) {
    v("id", s.id);
    v("address", s.address);
  }
  Status Validate() const;
};

struct RaftRemovePeerRequest {
  static constexpr MessageType kType = MessageType::kRaftRemovePeer;
  uint64_t id = 0;
  template <class S, class V>
  static void Fields(S& s, V& v) { v("id", s.id); }
  Status Validate() const;
};

// id 0: the most up-to-date other voter.
struct RaftTransferLeaderRequest {
  static constexpr MessageType kType = MessageType::kRaftTransferLeader;
  uint64_t id = 0;
  template <class S, class V>
  static void Fields(S& s, V& v) { v("id", s.id); }
};

// ---- agent <-> coordinator ------------------------------------------------

struct ReclaimNotice {
  int64_t graceLeftMs = 0;  // until the agent kills what still runs; >= 0
  std::string source;       // e.g. "gantry node reclaim", "notice file /var/lib/..."
  template <class S, class V>
  static void Fields(S& s, V& v) {
    v("graceLeftMs", s.graceLeftMs);
    v("source", s.source);
  }
};

// Sent by the agent every heartbeat interval and right after every (re)connect.
// It is a full report: the coordinator needs no earlier message to act on it.
struct NodeStatus {
  static constexpr MessageType kType = MessageType::kNodeStatus;
  Node node;
  uint64_t sequence = 0;  // increases per boot
  std::vector<std::string> runningAttempts;  // attempt ids the agent runs now
  // Set while the node should get no new work, and why (e.g. "free disk
  // 800 MiB is below the 1024 MiB threshold"). Its running jobs go on.
  std::optional<std::string> unschedulableReason;
  // Set while cleanups of ended attempts failed and are being retried (e.g.
  // "1 scratch cleanup pending, 1024 MiB held: unmount ...: busy"). The
  // disk they hold is left out of node.capacity until they succeed.
  std::optional<std::string> cleanupPending;
  // Set while the node is being reclaimed (ReclaimNode, or the node's own
  // notice): how long until what still runs is killed, and who said so.
  std::optional<ReclaimNotice> reclaim;
  Status Validate() const;
  template <class S, class V>
  static void Fields(S& s, V& v) {
    v("reclaim", s.reclaim);
    v("node", s.node);
    v("sequence", s.sequence);
    v("runningAttempts", s.runningAttempts);
    v("unschedulableReason", s.unschedulableReason);
    v("cleanupPending", s.cleanupPending);
  }
};

struct NodeStatusAck {
  static constexpr MessageType kType = MessageType::kNodeStatusAck;
  uint64_t sequence = 0;
  // Attempts the coordinator holds live on this node. The agent stops any
  // attempt it runs that is not listed here and not newer than this ack.
  std::vector<std::string> currentAttempts;
  template <class S, class V>
  static void Fields(S& s, V& v) {
    v("sequence", s.sequence);
    v("currentAttempts", s.currentAttempts);
  }
};

// Idempotent: an agent that already runs or ran `attemptId` ignores it.
struct LaunchAttempt {
  static constexpr MessageType kType = MessageType::kLaunchAttempt;
  std::string attemptId;
  std::string jobId;
  uint32_t attemptNumber = 1;
  uint64_t fencingToken = 0;
  std::vector<std::string> command;
  Environment environment;  // the job's; the agent adds AWS_BATCH_* variables
  Resources resources;
  std::string jobQueue;
  std::string computeEnvironment;
  // An array child: AWS_BATCH_JOB_ARRAY_INDEX and AWS_BATCH_JOB_ARRAY_SIZE.
  std::optional<uint32_t> arrayIndex;
  std::optional<uint32_t> arraySize;
  // timeout.attemptDurationSeconds: the agent stops the attempt this long
  // after it started (SIGTERM, then SIGKILL after its grace) and reports
  // statusReason "Job attempt duration exceeded timeout".
  std::optional<uint32_t> timeoutSeconds;
  Status Validate() const;
  template <class S, class V>
  static void Fields(S& s, V& v) {
    v("arrayIndex", s.arrayIndex);
    v("arraySize", s.arraySize);
    v("timeoutSeconds", s.timeoutSeconds);
    v("attemptId", s.attemptId);
    v("jobId", s.jobId);
    v("attemptNumber", s.attemptNumber);
    v("fencingToken", s.fencingToken);
    v("command", s.command);
    v("environment", s.environment);
    v("resources", s.resources);
    v("jobQueue", s.jobQueue);
    v("computeEnvironment", s.computeEnvironment);
  }
};

// coordinator -> agent: the node is reclaimed. The agent takes no new work,
// tells every running job (SIGTERM, and GANTRY_RECLAIM_DEADLINE in a file in
// its scratch dir), kills what still runs when the grace is over, and ends
// each attempt with statusReason "Node reclaimed: <node>". Idempotent: a
// repeat never moves the deadline it already has.
struct ReclaimNode {
  static constexpr MessageType kType = MessageType::kReclaimNode;
  int64_t graceMs = 0;  // from receipt
  std::string reason;
  Status Validate() const;
  template <class S, class V>
  static void Fields(S& s, V& v) {
    v("graceMs", s.graceMs);
    v("reason", s.reason);
  }
};

// Idempotent: killing an attempt that is not running does nothing.
struct KillAttempt {
  static constexpr MessageType kType = MessageType::kKillAttempt;
  std::string attemptId;
  std::string reason;
  template <class S, class V>
  static void Fields(S& s, V& v) {
    v("attemptId", s.attemptId);
    v("reason", s.reason);
  }
};

// The agent resends this until it gets an AttemptReportAck.
struct AttemptStarted {
  static constexpr MessageType kType = MessageType::kAttemptStarted;
  std::string nodeId;
  std::string bootId;
  std::string attemptId;
  // The LaunchAttempt's; a report whose token is not the live attempt's is
  // stale and ignored. Absent from agents that predate it.
  std::optional<uint64_t> fencingToken;
  template <class S, class V>
  static void Fields(S& s, V& v) {
    v("fencingToken", s.fencingToken);
    v("nodeId", s.nodeId);
    v("bootId", s.bootId);
    v("attemptId", s.attemptId);
  }
};

// The agent resends this until it gets an AttemptReportAck. It is sent only
// after the attempt's processes are gone and its scratch space is deleted.
struct AttemptEnded {
  static constexpr MessageType kType = MessageType::kAttemptEnded;
  std::string nodeId;
  std::string bootId;
  std::string attemptId;
  std::optional<int32_t> exitCode;  // absent when killed by a signal
  std::optional<int32_t> signal;
  std::string reason;  // e.g. "Essential container in task exited"
  std::string logTail;  // at most kMaxLogTailBytes
  // Set when the agent itself ended the attempt for a reason the job's
  // retry rules may match, e.g. "Job attempt duration exceeded timeout".
  std::optional<std::string> statusReason;
  std::optional<uint64_t> fencingToken;  // as in AttemptStarted
  // Set when the agent stopped the attempt because its node is reclaimed
  // (statusReason then says "Node reclaimed: <node>").
  std::optional<InterruptionKind> interruption;
  Status Validate() const;
  template <class S, class V>
  static void Fields(S& s, V& v) {
    v("fencingToken", s.fencingToken);
    v("interruption", s.interruption);
    v("statusReason", s.statusReason);
    v("nodeId", s.nodeId);
    v("bootId", s.bootId);
    v("attemptId", s.attemptId);
    v("exitCode", s.exitCode);
    v("signal", s.signal);
    v("reason", s.reason);
    v("logTail", s.logTail);
  }
};

struct AttemptReportAck {
  static constexpr MessageType kType = MessageType::kAttemptReportAck;
  std::string attemptId;
  uint16_t reportType = static_cast<uint16_t>(MessageType::kAttemptEnded);
  template <class S, class V>
  static void Fields(S& s, V& v) {
    v("attemptId", s.attemptId);
    v("reportType", s.reportType);
  }
};

// ---- envelope -------------------------------------------------------------

// A decoded envelope. The body stays as msgpack until DecodeBody<T> checks
// that it is the expected type; `handle` owns the memory `body` points into.
struct Envelope {
  uint32_t version = 0;
  MessageType type = MessageType::kErrorReply;
  uint64_t requestId = 0;
  msgpack::object_handle handle;
  msgpack::object body;
};

// Encodes `body` in an envelope: the bytes of one ZeroMQ frame.
template <class T>
std::string EncodeMessage(uint64_t request_id, const T& body) {
  msgpack::sbuffer buf;
  Packer pk(buf);
  pk.pack_map(4);
  pk.pack(std::string_view("v"));
  pk.pack(kProtocolVersion);
  pk.pack(std::string_view("t"));
  pk.pack(static_cast<uint16_t>(T::kType));
  pk.pack(std::string_view("id"));
  pk.pack(request_id);
  pk.pack(std::string_view("body"));
  Pack(pk, body);
  return std::string(buf.data(), buf.size());
}

// Decodes the envelope of a frame. kInvalidArgument for malformed, oversized
// or wrong-version frames and for unknown message types.
Result<Envelope> DecodeEnvelope(std::string_view frame);

// Decodes the envelope's body as T; kInvalidArgument if the envelope holds
// another type or the body breaks T's rules.
template <class T>
Result<T> DecodeBody(const Envelope& env) {
  if (env.type != T::kType) {
    return Status::InvalidArgument(std::string("expected message ") + MessageTypeName(T::kType) +
                                   ", got " + MessageTypeName(env.type));
  }
  DecodePath path;
  path.Push(MessageTypeName(T::kType));
  T out{};
  GANTRY_RETURN_IF_ERROR(Unpack(env.body, out, path));
  return out;
}

}  // namespace gantry::protocol
