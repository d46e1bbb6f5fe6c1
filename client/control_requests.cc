#include "client/control_requests.h"

#include "client/job_model_flags.h"
#include "client/requests.h"

namespace gantry::client {
namespace {

Status Invalid(std::string m) { return Status::InvalidArgument(std::move(m)); }

std::string Quote(std::string_view s) { return "\"" + std::string(s.substr(0, 64)) + "\""; }

// AWS lets a resource be named by its ARN ("arn:...:job-queue/NAME"); keep
// the name.
std::string NameFromArn(std::string_view value, std::string_view kind) {
  std::string marker = ":" + std::string(kind) + "/";
  if (auto at = value.find(marker); at != std::string_view::npos && value.rfind("arn:", 0) == 0) {
    return std::string(value.substr(at + marker.size()));
  }
  return std::string(value);
}

Status CheckName(std::string_view flag, std::string_view name) {
  if (name.empty()) return Invalid(std::string(flag) + " is required");
  return protocol::ValidateName(flag, name);
}

template <class Req>
Result<Req> BuildStopJob(const StopJobFlags& flags) {
  if (flags.job_id.empty()) return Invalid("--job-id is required");
  GANTRY_RETURN_IF_ERROR(protocol::ValidateJobId("--job-id", NameFromArn(flags.job_id, "job")));
  if (flags.reason.empty()) return Invalid("--reason is required (it becomes the job's statusReason)");
  if (flags.reason.size() > 1024) return Invalid("--reason is longer than 1024 bytes");
  Req req;
  req.jobId = NameFromArn(flags.job_id, "job");
  req.reason = flags.reason;
  GANTRY_RETURN_IF_ERROR(req.Validate());
  return req;
}

// The order flags of update-job-queue, checked as create-job-queue checks them.
Status ApplyOrder(const UpdateJobQueueFlags& flags, protocol::UpdateJobQueueRequest& req) {
  const bool has_order = !flags.compute_environment_order.empty();
  const bool has_list = !flags.compute_environments.empty();
  if (has_order && has_list) return Invalid("give --compute-environment-order or --compute-environments, not both");
  if (!has_order && !has_list) return Status::Ok();
  protocol::JobQueue probe;
  probe.jobQueueName = req.jobQueue;
  if (has_order) {
    GANTRY_ASSIGN_OR_RETURN(probe.computeEnvironmentOrder,
                            ParseComputeEnvironmentOrder(flags.compute_environment_order));
  } else {
    GANTRY_ASSIGN_OR_RETURN(probe.computeEnvironmentOrder, ParseComputeEnvironmentList(flags.compute_environments));
  }
  GANTRY_RETURN_IF_ERROR(probe.Validate().WithContext(has_order ? "--compute-environment-order"
                                                                : "--compute-environments"));
  req.computeEnvironmentOrder = std::move(probe.computeEnvironmentOrder);
  return Status::Ok();
}

}  // namespace

Result<protocol::CancelJobRequest> BuildCancelJob(const StopJobFlags& flags) {
  return BuildStopJob<protocol::CancelJobRequest>(flags);
}

Result<protocol::TerminateJobRequest> BuildTerminateJob(const StopJobFlags& flags) {
  return BuildStopJob<protocol::TerminateJobRequest>(flags);
}

Result<protocol::DeregisterJobDefinitionRequest> BuildDeregisterJobDefinition(std::string_view ref) {
  std::string def = NameFromArn(ref, "job-definition");
  const size_t colon = def.rfind(':');
  const bool has_revision = colon != std::string::npos && colon + 1 < def.size() &&
                            def.find_first_not_of("0123456789", colon + 1) == std::string::npos;
  if (!has_revision) return Invalid("--job-definition must be NAME:REVISION, got " + Quote(ref));
  GANTRY_RETURN_IF_ERROR(protocol::ValidateName("--job-definition", std::string_view(def).substr(0, colon)));
  return protocol::DeregisterJobDefinitionRequest{def};
}

Result<protocol::UpdateJobQueueRequest> BuildUpdateJobQueue(const UpdateJobQueueFlags& flags) {
  protocol::UpdateJobQueueRequest req;
  req.jobQueue = NameFromArn(flags.queue, "job-queue");
  GANTRY_RETURN_IF_ERROR(CheckName("--job-queue", req.jobQueue));
  if (!flags.state.empty()) {
    GANTRY_ASSIGN_OR_RETURN(req.state, ParseEnumFlag<protocol::ResourceState>("--state", flags.state));
  }
  req.priority = flags.priority;
  GANTRY_RETURN_IF_ERROR(ApplyOrder(flags, req));
  if (!flags.scheduling_policy_arn.empty()) {
    Status s = protocol::ValidateName("scheduling policy name",
                                      protocol::SchedulingPolicyName(flags.scheduling_policy_arn));
    GANTRY_RETURN_IF_ERROR(s.WithContext("--scheduling-policy-arn"));
    req.schedulingPolicyArn = flags.scheduling_policy_arn;
  }
  if (!flags.job_state_time_limit_actions.empty()) {
    GANTRY_ASSIGN_OR_RETURN(req.jobStateTimeLimitActions,
                            ParseJobStateTimeLimitActionsFlag(flags.job_state_time_limit_actions));
    if (req.jobStateTimeLimitActions->size() > 5) {
      return Invalid("--job-state-time-limit-actions: at most 5 actions");
    }
  }
  if (!flags.preemption_retries.empty()) {
    GANTRY_ASSIGN_OR_RETURN(req.preemptionRetries,
                            ParsePreemptionRetriesFlag(flags.preemption_retries, "--preemption-retries"));
  }
  if (!req.state && !req.priority && !req.computeEnvironmentOrder && !req.schedulingPolicyArn &&
      !req.jobStateTimeLimitActions && !req.preemptionRetries) {
    return Invalid("nothing to update: give --state, --priority, --compute-environment-order, "
                   "--scheduling-policy-arn, --job-state-time-limit-actions or --preemption-retries");
  }
  return req;
}

Result<protocol::UpdateComputeEnvironmentRequest> BuildUpdateComputeEnvironment(
    const UpdateComputeEnvironmentFlags& flags) {
  protocol::UpdateComputeEnvironmentRequest req;
  req.computeEnvironment = NameFromArn(flags.compute_environment, "compute-environment");
  GANTRY_RETURN_IF_ERROR(CheckName("--compute-environment", req.computeEnvironment));
  if (!flags.state.empty()) {
    GANTRY_ASSIGN_OR_RETURN(req.state, ParseEnumFlag<protocol::ResourceState>("--state", flags.state));
  }
  if (!flags.compute_resources.empty()) {
    for (auto [short_flag, given] : {std::pair{"--min-vcpus", flags.min_vcpus.has_value()},
                                     std::pair{"--max-vcpus", flags.max_vcpus.has_value()},
                                     std::pair{"--desired-vcpus", flags.desired_vcpus.has_value()}}) {
      if (given) return Invalid(std::string("give ") + short_flag + " or --compute-resources, not both");
    }
    GANTRY_ASSIGN_OR_RETURN(ComputeResourcesUpdate r, ParseComputeResourcesFlag(flags.compute_resources));
    req.minvCpus = r.minvCpus;
    req.maxvCpus = r.maxvCpus;
    req.desiredvCpus = r.desiredvCpus;
  } else {
    req.minvCpus = flags.min_vcpus;
    req.maxvCpus = flags.max_vcpus;
    req.desiredvCpus = flags.desired_vcpus;
  }
  // Only what can be checked without the environment's current values.
  if (req.maxvCpus && *req.maxvCpus == 0) return Invalid("maxvCpus must be at least 1");
  if (req.maxvCpus && req.minvCpus && *req.minvCpus > *req.maxvCpus) {
    return Invalid("minvCpus (" + std::to_string(*req.minvCpus) + ") exceeds maxvCpus (" +
                   std::to_string(*req.maxvCpus) + ")");
  }
  if (req.maxvCpus && req.desiredvCpus && *req.desiredvCpus > *req.maxvCpus) {
    return Invalid("desiredvCpus (" + std::to_string(*req.desiredvCpus) + ") exceeds maxvCpus (" +
                   std::to_string(*req.maxvCpus) + ")");
  }
  if (!flags.preemptible.empty()) {
    GANTRY_ASSIGN_OR_RETURN(req.preemptible, ParseBoolFlag(flags.preemptible, "--preemptible"));
  }
  if (!req.state && !req.minvCpus && !req.maxvCpus && !req.desiredvCpus && !req.preemptible) {
    return Invalid("nothing to update: give --state, --compute-resources, --min-vcpus, --max-vcpus, "
                   "--desired-vcpus or --preemptible");
  }
  return req;
}

Result<protocol::DeleteJobQueueRequest> BuildDeleteJobQueue(std::string_view queue) {
  protocol::DeleteJobQueueRequest req{NameFromArn(queue, "job-queue")};
  GANTRY_RETURN_IF_ERROR(CheckName("--job-queue", req.jobQueue));
  return req;
}

Result<protocol::DeleteComputeEnvironmentRequest> BuildDeleteComputeEnvironment(std::string_view ce) {
  protocol::DeleteComputeEnvironmentRequest req{NameFromArn(ce, "compute-environment")};
  GANTRY_RETURN_IF_ERROR(CheckName("--compute-environment", req.computeEnvironment));
  return req;
}

Result<protocol::CreateSchedulingPolicyRequest> BuildCreateSchedulingPolicy(const SchedulingPolicyFlags& flags) {
  protocol::CreateSchedulingPolicyRequest req;
  req.schedulingPolicy.name = flags.name_or_arn;
  GANTRY_RETURN_IF_ERROR(CheckName("--name", req.schedulingPolicy.name));
  if (!flags.fairshare_policy.empty()) {
    GANTRY_ASSIGN_OR_RETURN(req.schedulingPolicy.fairsharePolicy, ParseFairsharePolicyFlag(flags.fairshare_policy));
  }
  GANTRY_ASSIGN_OR_RETURN(req.schedulingPolicy.tags, OptionalTags(flags.tags));
  GANTRY_RETURN_IF_ERROR(req.schedulingPolicy.Validate().WithContext("--fairshare-policy"));
  return req;
}

Result<protocol::UpdateSchedulingPolicyRequest> BuildUpdateSchedulingPolicy(const SchedulingPolicyFlags& flags) {
  protocol::UpdateSchedulingPolicyRequest req;
  req.arn = flags.name_or_arn;
  GANTRY_RETURN_IF_ERROR(CheckName("--arn", protocol::SchedulingPolicyName(req.arn)));
  if (flags.fairshare_policy.empty()) return Invalid("--fairshare-policy is required: it replaces the policy's");
  GANTRY_ASSIGN_OR_RETURN(req.fairsharePolicy, ParseFairsharePolicyFlag(flags.fairshare_policy));
  protocol::SchedulingPolicy probe{protocol::SchedulingPolicyName(req.arn), req.fairsharePolicy, 0};
  GANTRY_RETURN_IF_ERROR(probe.Validate().WithContext("--fairshare-policy"));
  return req;
}

Result<protocol::DeleteSchedulingPolicyRequest> BuildDeleteSchedulingPolicy(std::string_view arn) {
  protocol::DeleteSchedulingPolicyRequest req{std::string(arn)};
  GANTRY_RETURN_IF_ERROR(CheckName("--arn", protocol::SchedulingPolicyName(req.arn)));
  return req;
}

Result<protocol::DescribeSchedulingPoliciesRequest> BuildDescribeSchedulingPolicies(
    const std::vector<std::string>& arns) {
  protocol::DescribeSchedulingPoliciesRequest req;
  for (const auto& arn : arns) {
    GANTRY_RETURN_IF_ERROR(CheckName("--arns", protocol::SchedulingPolicyName(arn)));
    req.arns.push_back(arn);
  }
  return req;
}

}  // namespace gantry::client
