// From flags to the requests of job control (cancel-job, terminate-job),
// resource updates and deletes, and scheduling policies: the pure half of
// those verbs. Each Build* fails with kInvalidArgument naming the flag, so
// the verb exits with a usage error before it sends anything.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gantry/status.h"
#include "protocol/messages.h"

namespace gantry::client {

// cancel-job / terminate-job: both flags are required, as AWS requires them.
struct StopJobFlags {
  std::string job_id;
  std::string reason;
};
Result<protocol::CancelJobRequest> BuildCancelJob(const StopJobFlags& flags);
Result<protocol::TerminateJobRequest> BuildTerminateJob(const StopJobFlags& flags);

// "name:revision", or its ARN.
Result<protocol::DeregisterJobDefinitionRequest> BuildDeregisterJobDefinition(std::string_view ref);

// Absent or empty flags leave the queue's setting alone; at least one must
// be given. --compute-environment-order and --compute-environments conflict.
struct UpdateJobQueueFlags {
  std::string queue;
  std::string state;
  std::optional<uint32_t> priority;
  std::vector<std::string> compute_environment_order;
  std::string compute_environments;
  std::string scheduling_policy_arn;
  std::string job_state_time_limit_actions;  // JSON; "[]" clears them
  std::string preemption_retries;            // as typed, 0-100
};
Result<protocol::UpdateJobQueueRequest> BuildUpdateJobQueue(const UpdateJobQueueFlags& flags);

// --compute-resources (AWS form) conflicts with the short --min-vcpus,
// --max-vcpus and --desired-vcpus.
struct UpdateComputeEnvironmentFlags {
  std::string compute_environment;
  std::string state;
  std::string compute_resources;
  std::optional<uint32_t> min_vcpus;
  std::optional<uint32_t> max_vcpus;
  std::optional<uint32_t> desired_vcpus;
  std::string preemptible;  // "true" or "false", any case
};
Result<protocol::UpdateComputeEnvironmentRequest> BuildUpdateComputeEnvironment(
    const UpdateComputeEnvironmentFlags& flags);

// A name or its ARN.
Result<protocol::DeleteJobQueueRequest> BuildDeleteJobQueue(std::string_view queue);
Result<protocol::DeleteComputeEnvironmentRequest> BuildDeleteComputeEnvironment(std::string_view ce);

// `fairshare_policy` is JSON text; empty means an empty policy on create and
// is an error on update.
struct SchedulingPolicyFlags {
  std::string name_or_arn;
  std::string fairshare_policy;
  std::vector<std::string> tags;  // --tags (create only)
};
Result<protocol::CreateSchedulingPolicyRequest> BuildCreateSchedulingPolicy(const SchedulingPolicyFlags& flags);
Result<protocol::UpdateSchedulingPolicyRequest> BuildUpdateSchedulingPolicy(const SchedulingPolicyFlags& flags);
Result<protocol::DeleteSchedulingPolicyRequest> BuildDeleteSchedulingPolicy(std::string_view arn);
Result<protocol::DescribeSchedulingPoliciesRequest> BuildDescribeSchedulingPolicies(
    const std::vector<std::string>& arns);

}  // namespace gantry::client
