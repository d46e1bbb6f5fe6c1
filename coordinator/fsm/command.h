// Commands: every change to the coordinator's replicated state.
//
// The leader fixes everything non-deterministic (ids, times, the plan) before
// a command is proposed, so applying the same commands in the same order
// gives the same state on every replica. A command is encoded with the
// protocol codec and stored in the replicated log.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "protocol/messages.h"
#include "protocol/types.h"

namespace gantry::coordinator {

enum class CommandType : uint8_t {
  kCreateComputeEnvironment,
  kCreateJobQueue,
  kRegisterJobDefinition,
  kSubmitJob,
  kUpsertNode,
  kApplyPlan,
  kAttemptStarted,
  kAttemptEnded,
  kCancelJob,
  kTerminateJob,
  kDeregisterJobDefinition,
  kUpdateJobQueue,
  kUpdateComputeEnvironment,
  kDeleteJobQueue,
  kDeleteComputeEnvironment,
  kCreateSchedulingPolicy,
  kUpdateSchedulingPolicy,
  kDeleteSchedulingPolicy,
  kPurgeJobs,
  kNodeLost,
  kControlNode,
  kInterruptAttempts,
  kTagResource,
  kUntagResource,
};

}  // namespace gantry::coordinator

namespace gantry::protocol {
template <>
struct EnumNames<coordinator::CommandType> {
  static constexpr const char* kNames[] = {
      "CreateComputeEnvironment", "CreateJobQueue", "RegisterJobDefinition", "SubmitJob",
      "UpsertNode",               "ApplyPlan",      "AttemptStarted",        "AttemptEnded",
      "CancelJob",                "TerminateJob",   "DeregisterJobDefinition", "UpdateJobQueue",
      "UpdateComputeEnvironment", "DeleteJobQueue", "DeleteComputeEnvironment", "CreateSchedulingPolicy",
      "UpdateSchedulingPolicy",   "DeleteSchedulingPolicy", "PurgeJobs",
      "NodeLost",                 "ControlNode",    "InterruptAttempts",     "TagResource",
      "UntagResource"};
};
}  // namespace gantry::protocol

namespace gantry::coordinator {

struct SubmitJobCommand {
  protocol::SubmitJobRequest request;
  std::string jobId;  // chosen by the leader
  // The leader's --default-job-disk-mib: the disk of a job whose definition
  // and submission give none. In the command, so every replica agrees;
  // absent in commands logged before it existed (no default then).
  std::optional<uint64_t> defaultDiskMib;
  template <class S, class V>
  static void Fields(S& s, V& v) {
    v("request", s.request);
    v("jobId", s.jobId);
    v("defaultDiskMib", s.defaultDiskMib);
  }
};

struct PlannedPlacement {
  std::string jobId;
  std::string nodeId;
  std::string computeEnvironment;
  template <class S, class V>
  static void Fields(S& s, V& v) {
    v("jobId", s.jobId);
    v("nodeId", s.nodeId);
    v("computeEnvironment", s.computeEnvironment);
  }
};

// A scheduler plan's placements. Applying it re-checks each against the
// state at that point, so a plan made from a slightly older view never
// overcommits. Waiting reasons are not in it: the leader keeps those in
// memory (they change with every free vCPU).
struct ApplyPlanCommand {
  std::vector<PlannedPlacement> placements;
  template <class S, class V>
  static void Fields(S& s, V& v) { v("placements", s.placements); }
};

struct AttemptStartedCommand {
  std::string nodeId;
  std::string attemptId;
  std::optional<uint64_t> fencingToken;  // the agent's, when it sent one
  template <class S, class V>
  static void Fields(S& s, V& v) {
    v("nodeId", s.nodeId);
    v("attemptId", s.attemptId);
    v("fencingToken", s.fencingToken);
  }
};

// cancel-job or terminate-job (the command's type says which).
struct StopJobCommand {
  std::string jobId;
  std::string reason;
  template <class S, class V>
  static void Fields(S& s, V& v) {
    v("jobId", s.jobId);
    v("reason", s.reason);
  }
};

// Finished jobs past their retention, chosen by the leader. Each is removed
// only if it is still finished (with its children, if it is an array).
struct PurgeJobsCommand {
  std::vector<std::string> jobIds;
  template <class S, class V>
  static void Fields(S& s, V& v) { v("jobIds", s.jobIds); }
};

// cordon, uncordon, drain, reclaim: the node's new NodeControl (absent:
// ACTIVE again). The leader fixes the deadline from its clock.
struct ControlNodeCommand {
  std::string nodeId;
  std::optional<protocol::NodeControl> control;
  template <class S, class V>
  static void Fields(S& s, V& v) {
    v("nodeId", s.nodeId);
    v("control", s.control);
  }
};

struct AttemptInterruption {
  std::string attemptId;
  protocol::Interruption interruption;
  template <class S, class V>
  static void Fields(S& s, V& v) {
    v("attemptId", s.attemptId);
    v("interruption", s.interruption);
  }
};

// Preemption victims, or what a drain's deadline stops: each attempt still
// live is marked and a kill order goes to its node. Its end, whatever exit
// it brings, then counts against the job's preemptionRetries, not its
// retryStrategy attempts.
struct InterruptAttemptsCommand {
  std::vector<AttemptInterruption> attempts;
  template <class S, class V>
  static void Fields(S& s, V& v) { v("attempts", s.attempts); }
};

struct Command {
  CommandType type = CommandType::kSubmitJob;
  int64_t at = 0;  // the leader's clock, epoch ms
  std::optional<protocol::ComputeEnvironment> computeEnvironment;
  std::optional<protocol::JobQueue> jobQueue;
  std::optional<protocol::JobDefinition> jobDefinition;
  std::optional<SubmitJobCommand> submitJob;
  std::optional<protocol::Node> node;
  std::optional<ApplyPlanCommand> plan;
  std::optional<AttemptStartedCommand> attemptStarted;
  std::optional<protocol::AttemptEnded> attemptEnded;
  std::optional<StopJobCommand> stopJob;  // kCancelJob, kTerminateJob
  // kDeregisterJobDefinition ("name:rev"), kDeleteJobQueue,
  // kDeleteComputeEnvironment, kDeleteSchedulingPolicy, kNodeLost: what to
  // act on.
  std::optional<std::string> target;
  std::optional<protocol::UpdateJobQueueRequest> updateJobQueue;
  std::optional<protocol::UpdateComputeEnvironmentRequest> updateComputeEnvironment;
  std::optional<protocol::SchedulingPolicy> schedulingPolicy;  // create, update
  std::optional<PurgeJobsCommand> purge;
  // kNodeLost: the node id goes in `target`.
  std::optional<ControlNodeCommand> controlNode;
  std::optional<InterruptAttemptsCommand> interrupt;
  // The client's requests as they are: nothing in them is the leader's to fix.
  std::optional<protocol::TagResourceRequest> tagResource;
  std::optional<protocol::UntagResourceRequest> untagResource;

  // Exactly the payload that `type` names must be present.
  Status Validate() const;

  template <class S, class V>
  static void Fields(S& s, V& v) {
    v("type", s.type);
    v("at", s.at);
    v("computeEnvironment", s.computeEnvironment);
    v("jobQueue", s.jobQueue);
    v("jobDefinition", s.jobDefinition);
    v("submitJob", s.submitJob);
    v("node", s.node);
    v("plan", s.plan);
    v("attemptStarted", s.attemptStarted);
    v("attemptEnded", s.attemptEnded);
    v("stopJob", s.stopJob);
    v("target", s.target);
    v("updateJobQueue", s.updateJobQueue);
    v("updateComputeEnvironment", s.updateComputeEnvironment);
    v("schedulingPolicy", s.schedulingPolicy);
    v("purge", s.purge);
    v("controlNode", s.controlNode);
    v("interrupt", s.interrupt);
    v("tagResource", s.tagResource);
    v("untagResource", s.untagResource);
  }
};

std::string EncodeCommand(const Command& c);
// Commands are read back only from this cluster's own log, so a command that
// fails to decode means corruption: callers treat it as fatal.
Result<Command> DecodeCommand(std::string_view bytes);

}  // namespace gantry::coordinator
