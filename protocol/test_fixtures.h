// Fixture factories shared by the protocol tests.
//
// Every Make*() returns a value that passes Validate() and exercises the codec:
// optional fields set, nested vectors and maps, every enum, integers of several
// msgpack widths (negative ones too), UTF-8 and empty strings. Tests copy a
// fixture and change the one field they are about.
// Test-only code: header-only and not linked into any library.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "protocol/codec.h"
#include "protocol/messages.h"
#include "protocol/types.h"

namespace gantry::protocol::fixtures {

// ---- records --------------------------------------------------------------

// Tags with an empty value and a UTF-8 one, as AWS allows.
inline Tags MakeTags() {
  return {{"team", "render"}, {"cost-center", ""}, {"owner", "h\xc3\xa9l\xc3\xa8ne"}};
}

inline ComputeEnvironment MakeComputeEnvironment() {
  ComputeEnvironment ce;
  ce.computeEnvironmentName = "spot-ce_1";
  ce.type = ComputeEnvironmentType::kUnmanaged;
  ce.state = ResourceState::kDisabled;
  ce.selector = {{"gpu", "true"}, {"zone", "eu-west-1a"}, {"empty", ""}};
  ce.minvCpus = 2;
  ce.maxvCpus = 70'000;   // uint32 encoding
  ce.desiredvCpus = 300;  // uint16 encoding
  ce.provisioningModel = ProvisioningModel::kSpot;
  ce.createdAt = 1'700'000'000'123;
  ce.preemptible = true;
  ce.tags = MakeTags();
  return ce;
}

inline JobQueue MakeJobQueue() {
  JobQueue q;
  q.jobQueueName = "high-priority";
  q.state = ResourceState::kDisabled;
  q.priority = 900;
  q.computeEnvironmentOrder = {{1, "spot-ce_1"}, {2, "on-demand"}, {200, "fallback"}};
  q.schedulingPolicyArn = "arn:aws:batch:fleet-1:000000000000:scheduling-policy/fair";
  q.jobStateTimeLimitActions = {{.reason = "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT",
                                 .state = "RUNNABLE",
                                 .maxTimeSeconds = 600,
                                 .action = JobStateTimeLimitAction::kTerminate}};
  q.createdAt = 1'700'000'000'456;
  q.preemptionRetries = 0;
  q.tags = MakeTags();
  return q;
}

inline Resources MakeResources() {
  return Resources{.vcpus = 16, .memoryMib = 65'536, .diskMib = 1u << 20};
}

inline Environment MakeEnvironment() {
  return {{"MODE", "fast"},
          {"EMPTY", ""},
          {"UNICODE", "h\xc3\xa9llo \xe2\x9c\x93"},
          {"aws_batch_lowercase_is_fine", "1"}};
}

inline RetryStrategy MakeRetryStrategy() {
  RetryStrategy r;
  r.attempts = 10;
  r.evaluateOnExit = {{.onStatusReason = "Host EC2*", .action = RetryAction::kRetry},
                      {.onReason = "OutOfMemoryError*", .onExitCode = "13*", .action = RetryAction::kExit},
                      {.action = RetryAction::kRetry}};
  return r;
}

inline SchedulingPolicy MakeSchedulingPolicy() {
  SchedulingPolicy p;
  p.name = "fair";
  p.fairsharePolicy.shareDecaySeconds = 3600;
  p.fairsharePolicy.computeReservation = 99;
  p.fairsharePolicy.shareDistribution = {{"team-a", 0.125}, {"team*", 1.5}, {"*", 1}};
  p.createdAt = 1'700'000'000'789;
  p.tags = MakeTags();
  return p;
}

inline JobDefinition MakeJobDefinition() {
  JobDefinition d;
  d.jobDefinitionName = "render_frames";
  d.revision = 7;
  d.status = "INACTIVE";
  d.command = {"/bin/sh", "-c", "echo \"$MODE\" && exit 3", ""};
  d.resources = MakeResources();
  d.environment = MakeEnvironment();
  d.parameters = {{"frames", "1-100"}, {"empty", ""}};
  d.retryStrategy = MakeRetryStrategy();
  d.timeout = JobTimeout{.attemptDurationSeconds = 3600};
  d.schedulingPriority = 9999;
  d.createdAt = 1'600'000'000'000;
  d.tags = MakeTags();
  return d;
}

// An attempt that ended: every optional field is set.
inline Attempt MakeEndedAttempt() {
  Attempt a;
  a.attemptId = "job-1-1";
  a.attemptNumber = 1;
  a.node = "node-a";
  a.computeEnvironment = "spot-ce_1";
  a.fencingToken = std::numeric_limits<uint64_t>::max();
  a.placedAt = 1'700'000'001'000;
  a.startedAt = 1'700'000'002'000;
  a.stoppedAt = 1'700'000'003'000;
  a.exitCode = -9;
  a.reason = "Killed by signal 9";
  a.statusReason = "Essential container in task exited";
  a.logTail = "line 1\nline 2\n";
  a.interruption = Interruption{.kind = InterruptionKind::kReclaimed, .reason = "Node reclaimed: node-a"};
  return a;
}

// A live attempt: every optional field is unset.
inline Attempt MakeLiveAttempt() {
  Attempt a;
  a.attemptId = "job-1-2";
  a.attemptNumber = 2;
  a.node = "node-b";
  a.computeEnvironment = "on-demand";
  a.fencingToken = 1ull << 32;
  a.placedAt = -1;  // negative fixint
  return a;
}

inline Job MakeJob() {
  Job j;
  j.jobId = "5f1e2d3c-0000-4000-8000-000000000001";
  j.jobName = "nightly-render";
  j.jobQueue = "high-priority";
  j.jobDefinition = "render_frames:7";
  j.status = JobStatus::kRunning;
  j.statusReason = "";
  j.createdAt = std::numeric_limits<int64_t>::min();
  j.startedAt = 1'700'000'002'000;
  j.command = {"render", "--frames", "1-100"};
  j.environment = MakeEnvironment();
  j.resources = MakeResources();
  j.attempts = {MakeEndedAttempt(), MakeLiveAttempt()};
  j.sequence = std::numeric_limits<uint64_t>::max() - 1;
  j.parameters = {{"frames", "1-100"}};
  j.retryStrategy = MakeRetryStrategy();
  j.timeout = JobTimeout{.attemptDurationSeconds = 60};
  j.dependsOn = {{"5f1e2d3c-0000-4000-8000-000000000000", {}},
                 {"5f1e2d3c-0000-4000-8000-00000000000f:3", ArrayJobDependency::kNToN}};
  j.arrayProperties = ArrayProperties{.size = 10'000, .index = 9'999, .statusSummary = {}};
  j.shareIdentifier = "team-a";
  j.schedulingPriority = 42;
  j.isTerminated = true;
  j.terminationReason = "stopped by the user";
  j.runnableAt = 1'700'000'001'500;
  j.tags = MakeTags();
  j.submittedBy = "ci-key";
  return j;
}

// A job that finished, with stoppedAt set and no attempts.
inline Job MakeFailedJob() {
  Job j = MakeJob();
  j.jobId = "5f1e2d3c-0000-4000-8000-000000000002";
  j.status = JobStatus::kFailed;
  j.statusReason = "Job attempt duration exceeded timeout";
  j.stoppedAt = 1'700'000'009'000;
  j.attempts.clear();
  j.environment.clear();
  j.arrayProperties = ArrayProperties{.size = 2, .index = {}, .statusSummary = {{"SUCCEEDED", 1}, {"FAILED", 1}}};
  j.dependsOn.clear();
  j.isCancelled = true;
  j.isTerminated = false;
  j.terminationReason.reset();
  j.tags = Tags{};  // an empty map, not absent
  j.submittedBy.reset();
  return j;
}

inline Node MakeNode() {
  Node n;
  n.nodeId = "node-a";
  n.bootId = "0b7c2c5e-6a0f-4b1e-9d3a-7f00d1e5b001";
  n.capacity = NodeCapacity{.vcpus = 96, .memoryMib = 786'432, .diskMib = 4'000'000};
  n.labels = {{"gpu", "true"}, {"zone", "eu-west-1a"}};
  n.logAddress = "tcp://10.0.0.5:7002";
  n.registeredAt = 1'700'000'000'000;
  n.diskQuota = "loop-ext4";
  return n;
}

// ---- messages ---------------------------------------------------------------

inline ErrorReply MakeErrorReply() {
  return ErrorReply{.code = static_cast<uint8_t>(StatusCode::kNotFound),
                    .message = "job queue q1 not found"};
}
inline CreateComputeEnvironmentRequest MakeCreateComputeEnvironmentRequest() {
  return {.computeEnvironment = MakeComputeEnvironment()};
}
inline CreateComputeEnvironmentReply MakeCreateComputeEnvironmentReply() {
  return {.computeEnvironmentName = "spot-ce_1"};
}
inline CreateJobQueueRequest MakeCreateJobQueueRequest() { return {.jobQueue = MakeJobQueue()}; }
inline CreateJobQueueReply MakeCreateJobQueueReply() { return {.jobQueueName = "high-priority"}; }
inline RegisterJobDefinitionRequest MakeRegisterJobDefinitionRequest() {
  return {.jobDefinition = MakeJobDefinition()};
}
inline RegisterJobDefinitionReply MakeRegisterJobDefinitionReply() {
  return {.jobDefinitionName = "render_frames", .revision = 65'536};
}

// Every override set.
inline SubmitJobRequest MakeSubmitJobRequest() {
  SubmitJobRequest r;
  r.jobName = "nightly-render";
  r.jobQueue = "high-priority";
  r.jobDefinition = "render_frames:7";
  r.command = std::vector<std::string>{"render", "--frames", "1-100"};
  r.environment = MakeEnvironment();
  r.vcpus = 8;
  r.memoryMib = 16'384;
  r.diskMib = 0;
  r.clientToken = "token-123";
  r.parameters = {{"frames", "7"}};
  r.retryStrategy = RetryStrategy{.attempts = 3, .evaluateOnExit = {{.onExitCode = "3", .action = RetryAction::kExit}}};
  r.timeout = JobTimeout{.attemptDurationSeconds = 60};
  r.arraySize = 10'000;
  r.dependsOn = {{"5f1e2d3c-0000-4000-8000-000000000000", ArrayJobDependency::kNToN},
                 {"", ArrayJobDependency::kSequential}};
  r.shareIdentifier = "team-a";
  r.schedulingPriorityOverride = 9999;
  r.preemptionRetries = 100;
  r.tags = MakeTags();
  r.submittedBy = "ci-key";
  return r;
}

// No override set: the job runs as defined.
inline SubmitJobRequest MakeMinimalSubmitJobRequest() {
  SubmitJobRequest r;
  r.jobName = "j";
  r.jobQueue = "q";
  r.jobDefinition = "render_frames";
  return r;
}

inline SubmitJobReply MakeSubmitJobReply() {
  return {.jobId = "5f1e2d3c-0000-4000-8000-000000000001", .jobName = "nightly-render"};
}
inline DescribeJobsRequest MakeDescribeJobsRequest() {
  return {.jobs = {"5f1e2d3c-0000-4000-8000-000000000001", "unknown-id", ""}};
}
inline DescribeJobsReply MakeDescribeJobsReply() { return {.jobs = {MakeJob(), MakeFailedJob()}}; }

inline ListJobsRequest MakeListJobsRequest() {
  return {.jobQueue = "high-priority",
          .jobStatus = JobStatus::kSucceeded,
          .maxResults = 1000,
          .nextToken = "opaque-token",
          .filters = {{.name = "JOB_NAME", .values = {"nightly*"}}}};
}
inline ListJobsRequest MakeMinimalListJobsRequest() { return {.jobQueue = "high-priority"}; }
inline ListJobsReply MakeListJobsReply() {
  return {.jobSummaryList = {MakeFailedJob(), MakeJob()}, .nextToken = "next"};
}
inline ListJobsReply MakeLastPageListJobsReply() { return {.jobSummaryList = {}, .nextToken = {}}; }

inline DescribeJobQueuesRequest MakeDescribeJobQueuesRequest() {
  return {.jobQueues = {"high-priority", "low"}};
}
inline DescribeJobQueuesReply MakeDescribeJobQueuesReply() {
  JobQueue low = MakeJobQueue();
  low.jobQueueName = "low";
  low.state = ResourceState::kEnabled;
  low.priority = 0;
  low.computeEnvironmentOrder = {{1, "on-demand"}};
  return {.jobQueues = {MakeJobQueue(), low}};
}
inline DescribeComputeEnvironmentsRequest MakeDescribeComputeEnvironmentsRequest() {
  return {.computeEnvironments = {}};
}
inline DescribeComputeEnvironmentsReply MakeDescribeComputeEnvironmentsReply() {
  ComputeEnvironment managed = MakeComputeEnvironment();
  managed.computeEnvironmentName = "on-demand";
  managed.type = ComputeEnvironmentType::kManaged;
  managed.state = ResourceState::kEnabled;
  managed.provisioningModel = ProvisioningModel::kOnDemand;
  managed.selector.clear();
  return {.computeEnvironments = {{MakeComputeEnvironment(), 12, 3}, {managed, 0, 0}}};
}
inline DescribeJobDefinitionsRequest MakeDescribeJobDefinitionsRequest() {
  return {.jobDefinitions = {"render_frames", "render_frames:6"}};
}
inline DescribeJobDefinitionsReply MakeDescribeJobDefinitionsReply() {
  JobDefinition active = MakeJobDefinition();
  active.revision = 8;
  active.status = "ACTIVE";
  active.command.clear();
  return {.jobDefinitions = {MakeJobDefinition(), active}};
}
inline RaftListPeersRequest MakeRaftListPeersRequest() { return {.withDigest = true}; }
inline RaftPeersReply MakeRaftPeersReply() {
  return {.replicaId = 2,
          .peers = {{1, "10.0.0.1:7420", "voter", false},
                    {2, "10.0.0.2:7420", "voter", true},
                    {4, "10.0.0.4:7420", "spare", false}},
          .appliedIndex = 1ull << 40,
          .stateDigest = "9f86d081884c7d65"};
}
inline RaftAddVoterRequest MakeRaftAddVoterRequest() { return {.id = 4, .address = "10.0.0.4:7420"}; }
inline RaftRemovePeerRequest MakeRaftRemovePeerRequest() { return {.id = 3}; }
inline RaftTransferLeaderRequest MakeRaftTransferLeaderRequest() { return {.id = 4}; }
inline DescribeNodesRequest MakeDescribeNodesRequest() { return {}; }
inline DescribeNodesReply MakeDescribeNodesReply() {
  NodeView ready{.node = MakeNode(),
                 .state = NodeState::kReady,
                 .stateReason = "",
                 .free = NodeCapacity{.vcpus = 80, .memoryMib = 700'000, .diskMib = 3'000'000},
                 .runningAttempts = {"job-1-2", "job-7#1"},
                 .lastSeenAgoMs = 250};
  ready.node.control = NodeControl{.state = NodeControlState::kDraining,
                                   .reason = "drained by operator",
                                   .requestedAt = 1'700'000'000'000,
                                   .deadlineAt = 1'700'000'600'000};
  ready.state = NodeState::kDraining;
  NodeView lost = ready;
  lost.node.nodeId = "node-b";
  lost.state = NodeState::kLost;
  lost.stateReason = "no heartbeat for 30s";
  lost.runningAttempts.clear();
  lost.lastSeenAgoMs = 30'000'000'000;
  NodeView full = ready;
  full.node.nodeId = "node-c";
  full.node.diskQuota.reset();
  full.state = NodeState::kUnschedulable;
  full.stateReason = "free disk 800 MiB is below the 1024 MiB threshold";
  full.cleanupPending = "1 scratch cleanup pending, 1024 MiB held: unmount: busy";
  return {.nodes = {ready, lost, full}};
}

inline NodeStatus MakeNodeStatus() {
  return {.node = MakeNode(),
          .sequence = 4'294'967'296,
          .runningAttempts = {"job-1-2", "job-7#1"},
          .unschedulableReason = "free disk 800 MiB is below the 1024 MiB threshold",
          .cleanupPending = "1 scratch cleanup pending, 1024 MiB held: unmount: busy",
          .reclaim = ReclaimNotice{.graceLeftMs = 119'500, .source = "notice file /var/lib/gantry/reclaim"}};
}
inline NodeStatusAck MakeNodeStatusAck() {
  return {.sequence = 4'294'967'296, .currentAttempts = {"job-1-2"}};
}
inline LaunchAttempt MakeLaunchAttempt() {
  return {.attemptId = "job-1-2",
          .jobId = "5f1e2d3c-0000-4000-8000-000000000001",
          .attemptNumber = 2,
          .fencingToken = 1ull << 40,
          .command = {"render", "--frames", "1-100"},
          .environment = MakeEnvironment(),
          .resources = MakeResources(),
          .jobQueue = "high-priority",
          .computeEnvironment = "spot-ce_1",
          .arrayIndex = 0,
          .arraySize = 10'000,
          .timeoutSeconds = 60};
}
inline KillAttempt MakeKillAttempt() {
  return {.attemptId = "job-1-2", .reason = "TerminateJob by user"};
}
inline AttemptStarted MakeAttemptStarted() {
  return {.nodeId = "node-a",
          .bootId = "0b7c2c5e-6a0f-4b1e-9d3a-7f00d1e5b001",
          .attemptId = "job-1-2",
          .fencingToken = 1ull << 32};
}
// Exited on its own: exitCode set, signal unset.
inline AttemptEnded MakeAttemptEnded() {
  return {.nodeId = "node-a",
          .bootId = "0b7c2c5e-6a0f-4b1e-9d3a-7f00d1e5b001",
          .attemptId = "job-1-2",
          .exitCode = std::numeric_limits<int32_t>::min(),
          .signal = {},
          .reason = "Essential container in task exited",
          .logTail = "done\n"};
}
// Killed: signal set, exitCode unset.
inline AttemptEnded MakeKilledAttemptEnded() {
  AttemptEnded e = MakeAttemptEnded();
  e.exitCode.reset();
  e.signal = 9;
  e.reason = "Killed by signal 9";
  e.statusReason = "Node reclaimed: node-a";
  e.fencingToken = std::numeric_limits<uint64_t>::max();
  e.interruption = InterruptionKind::kReclaimed;
  e.logTail = "";
  e.statusReason = "Job attempt duration exceeded timeout";
  return e;
}
inline AttemptReportAck MakeAttemptReportAck() {
  return {.attemptId = "job-1-2",
          .reportType = static_cast<uint16_t>(MessageType::kAttemptStarted)};
}

inline CancelJobRequest MakeCancelJobRequest() {
  return {.jobId = "5f1e2d3c-0000-4000-8000-000000000001", .reason = "not needed any more"};
}
inline TerminateJobRequest MakeTerminateJobRequest() {
  return {.jobId = "5f1e2d3c-0000-4000-8000-000000000001:17", .reason = "wrong input"};
}
inline DoneReply MakeDoneReply() { return {.name = "high-priority"}; }
inline DeregisterJobDefinitionRequest MakeDeregisterJobDefinitionRequest() {
  return {.jobDefinition = "render_frames:7"};
}
inline UpdateJobQueueRequest MakeUpdateJobQueueRequest() {
  return {.jobQueue = "high-priority",
          .state = ResourceState::kDisabled,
          .priority = 0,
          .computeEnvironmentOrder = std::vector<ComputeEnvironmentOrder>{{1, "on-demand"}},
          .schedulingPolicyArn = "fair",
          .jobStateTimeLimitActions = std::vector<JobStateTimeLimit>{},
          .preemptionRetries = 7};
}
inline UpdateComputeEnvironmentRequest MakeUpdateComputeEnvironmentRequest() {
  return {.computeEnvironment = "spot-ce_1",
          .state = ResourceState::kEnabled,
          .minvCpus = 0,
          .maxvCpus = 4096,
          .desiredvCpus = 16,
          .preemptible = false};
}
inline DeleteJobQueueRequest MakeDeleteJobQueueRequest() { return {.jobQueue = "low"}; }
inline DeleteComputeEnvironmentRequest MakeDeleteComputeEnvironmentRequest() {
  return {.computeEnvironment = "spot-ce_1"};
}
inline CreateSchedulingPolicyRequest MakeCreateSchedulingPolicyRequest() {
  return {.schedulingPolicy = MakeSchedulingPolicy()};
}
inline UpdateSchedulingPolicyRequest MakeUpdateSchedulingPolicyRequest() {
  return {.arn = "arn:aws:batch:fleet-1:000000000000:scheduling-policy/fair",
          .fairsharePolicy = MakeSchedulingPolicy().fairsharePolicy};
}
inline DeleteSchedulingPolicyRequest MakeDeleteSchedulingPolicyRequest() { return {.arn = "fair"}; }
inline DescribeSchedulingPoliciesRequest MakeDescribeSchedulingPoliciesRequest() {
  return {.arns = {"fair", "arn:aws:batch:fleet-1:000000000000:scheduling-policy/other"}};
}
inline DescribeSchedulingPoliciesReply MakeDescribeSchedulingPoliciesReply() {
  return {.schedulingPolicies = {MakeSchedulingPolicy()}};
}

inline ReadLogRequest MakeReadLogRequest() {
  return {.jobId = "5f1e2d3c-0000-4000-8000-000000000001:17", .attemptNumber = 2, .offset = 4'294'967'296,
          .maxBytes = kMaxReadLogBytes};
}
inline ReadLogReply MakeReadLogReply() {
  return {.data = std::string("line 1\n\xff\x00 binary\n", 17), .offset = 4'294'967'300,
          .nextOffset = 4'294'967'317, .ended = true};
}

inline NodeControlRequest MakeNodeControlRequest() {
  return {.nodeId = "node-a", .action = NodeAction::kDrain, .deadlineSeconds = 600, .reason = "kernel upgrade"};
}
inline ReclaimNode MakeReclaimNode() { return {.graceMs = 120'000, .reason = "gantry node reclaim"}; }

inline TagResourceRequest MakeTagResourceRequest() {
  return {.resource = {.kind = ResourceKind::kJobDefinition, .id = "render_frames:7"}, .tags = MakeTags()};
}
inline UntagResourceRequest MakeUntagResourceRequest() {
  return {.resource = {.kind = ResourceKind::kJob, .id = "5f1e2d3c-0000-4000-8000-000000000001:17"},
          .tagKeys = {"team", "never-set"}};
}
inline ListTagsForResourceRequest MakeListTagsForResourceRequest() {
  return {.resource = {.kind = ResourceKind::kSchedulingPolicy, .id = "fair"}};
}
inline ListTagsForResourceReply MakeListTagsForResourceReply() { return {.tags = MakeTags()}; }

}  // namespace gantry::protocol::fixtures
