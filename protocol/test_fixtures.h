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
  return ce;
}

inline JobQueue MakeJobQueue() {
  JobQueue q;
  q.jobQueueName = "high-priority";
  q.state = ResourceState::kDisabled;
  q.priority = 900;
  q.computeEnvironmentOrder = {{1, "spot-ce_1"}, {2, "on-demand"}, {200, "fallback"}};
  q.createdAt = 1'700'000'000'456;
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

inline JobDefinition MakeJobDefinition() {
  JobDefinition d;
  d.jobDefinitionName = "render_frames";
  d.revision = 7;
  d.status = "INACTIVE";
  d.command = {"/bin/sh", "-c", "echo \"$MODE\" && exit 3", ""};
  d.resources = MakeResources();
  d.environment = MakeEnvironment();
  d.createdAt = 1'600'000'000'000;
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
          .nextToken = "opaque-token"};
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
inline RaftListPeersRequest MakeRaftListPeersRequest() { return {}; }
inline RaftPeersReply MakeRaftPeersReply() {
  return {.replicaId = 2,
          .peers = {{1, "10.0.0.1:7420", "voter", false},
                    {2, "10.0.0.2:7420", "voter", true},
                    {4, "10.0.0.4:7420", "spare", false}}};
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
  NodeView lost = ready;
  lost.node.nodeId = "node-b";
  lost.state = NodeState::kLost;
  lost.stateReason = "no heartbeat for 30s";
  lost.runningAttempts.clear();
  lost.lastSeenAgoMs = 30'000'000'000;
  return {.nodes = {ready, lost}};
}

inline NodeStatus MakeNodeStatus() {
  return {.node = MakeNode(), .sequence = 4'294'967'296, .runningAttempts = {"job-1-2", "job-7#1"}};
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
          .computeEnvironment = "spot-ce_1"};
}
inline KillAttempt MakeKillAttempt() {
  return {.attemptId = "job-1-2", .reason = "TerminateJob by user"};
}
inline AttemptStarted MakeAttemptStarted() {
  return {
      .nodeId = "node-a", .bootId = "0b7c2c5e-6a0f-4b1e-9d3a-7f00d1e5b001", .attemptId = "job-1-2"};
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
  e.logTail = "";
  return e;
}
inline AttemptReportAck MakeAttemptReportAck() {
  return {.attemptId = "job-1-2",
          .reportType = static_cast<uint16_t>(MessageType::kAttemptStarted)};
}

}  // namespace gantry::protocol::fixtures
