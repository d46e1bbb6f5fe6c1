// gantry records as the JSON `aws batch` prints (`-o json`), so scripts and
// tools written for AWS Batch read gantry's output unchanged. Times are epoch
// milliseconds, members without a value are left out (as AWS does), and
// gantry's additions (node, selector, usedvCpus, DISK, ...) are extra members
// that AWS-shaped readers ignore. Pure; the reverse direction (reading AWS's
// RegisterJobDefinition input) is in job_definition_json.h.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

#include "protocol/messages.h"
#include "protocol/types.h"

namespace gantry::client {

// "arn:gantry:batch:local:job-definition/name:3" and the like: kClientArnPrefix
// and "<type>/<id>" (no account; tag_requests.h reads them back).
inline constexpr std::string_view kClientArnPrefix = "arn:gantry:batch:local:";
std::string JobDefinitionArn(std::string_view name, uint32_t revision);
std::string JobQueueArn(std::string_view name);
std::string ComputeEnvironmentArn(std::string_view name);
std::string SchedulingPolicyArn(std::string_view name);

// [{"name": k, "value": v}, ...] in key order.
nlohmann::json EnvironmentToAwsJson(const protocol::Environment& env);
// [{"type": "VCPU", "value": "2"}, {"type": "MEMORY", ...}, {"type": "DISK", ...}]
// (DISK, gantry's, only when non-zero).
nlohmann::json ResourcesToAwsJson(const protocol::Resources& r);

// DescribeJobs' shape: jobId, jobName, jobQueue, jobDefinition, status,
// statusReason, createdAt, startedAt, stoppedAt, container {command,
// environment, vcpus, memory, resourceRequirements, exitCode, reason} (the
// last two from the last attempt), attempts [{container {exitCode, reason},
// statusReason, startedAt, stoppedAt, node, interruption {kind, reason}}],
// and the job model:
// arrayProperties {size, statusSummary} on a parent or {size, index} on a
// child, dependsOn [{jobId, type}], retryStrategy {attempts,
// evaluateOnExit}, timeout {attemptDurationSeconds}, parameters,
// shareIdentifier, schedulingPriority, isCancelled, isTerminated,
// preemptionRetries (as submitted, when it was), tags and submittedBy when
// set. Every resource's JSON below also carries "tags" when it has any.
nlohmann::json JobToAwsJson(const protocol::Job& job);
// ListJobs' JobSummary: jobId, jobName, jobQueue, jobDefinition, status,
// statusReason, createdAt, startedAt, stoppedAt, container {exitCode,
// reason}, arrayProperties {size, index}.
nlohmann::json JobSummaryToAwsJson(const protocol::Job& job);
// jobQueueName, jobQueueArn, state, priority, computeEnvironmentOrder,
// schedulingPolicyArn, jobStateTimeLimitActions and preemptionRetries when set.
nlohmann::json JobQueueToAwsJson(const protocol::JobQueue& q);
// computeEnvironmentName, computeEnvironmentArn, type, state,
// computeResources {minvCpus, maxvCpus, desiredvCpus, type: EC2|SPOT},
// selector, preemptible (false when not set), usedvCpus, nodes.
nlohmann::json ComputeEnvironmentToAwsJson(const protocol::ComputeEnvironmentView& ce);
// jobDefinitionName, jobDefinitionArn, revision, status, type "container",
// containerProperties {command, resourceRequirements, environment}, and
// parameters, retryStrategy, timeout, schedulingPriority when set.
nlohmann::json JobDefinitionToAwsJson(const protocol::JobDefinition& d);
// name, arn, fairsharePolicy {shareDecaySeconds, computeReservation,
// shareDistribution [{shareIdentifier, weightFactor}]}.
nlohmann::json SchedulingPolicyToAwsJson(const protocol::SchedulingPolicy& p);
// ListTagsForResource's {"tags": {"k": "v", ...}}, an object even when empty.
nlohmann::json ListTagsReplyToAwsJson(const protocol::ListTagsForResourceReply& r);
// Every NodeView field under its own name (enums by name).
nlohmann::json NodeViewToJson(const protocol::NodeView& n);
// Every NodeControlRequest field under its own name: nodeId, action
// ("DRAIN"), and deadlineSeconds and reason when given.
nlohmann::json NodeControlRequestToJson(const protocol::NodeControlRequest& req);
// {"replicaId": N, "peers": [{"id", "address", "role", "leader"}, ...]}.
nlohmann::json RaftPeersReplyToJson(const protocol::RaftPeersReply& r);

// j.dump(2) that cannot throw on invalid UTF-8 (a job's log tail or reason
// may hold any bytes): bad sequences become U+FFFD.
std::string DumpJson(const nlohmann::json& j);

}  // namespace gantry::client
