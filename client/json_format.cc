#include "client/json_format.h"

#include <type_traits>

namespace gantry::client {
namespace {

using nlohmann::json;

// Writes any record through its Fields() list, the same list the codec uses,
// so a new field shows up here without edits.
template <class T>
json ToJson(const T& value);

struct FieldsToJson {
  json& out;
  template <class T>
  void operator()(const char* name, const T& v) {
    out[name] = ToJson(v);
  }
  template <class T>
  void operator()(const char* name, const std::optional<T>& v) {
    if (v) out[name] = ToJson(*v);
  }
};

template <class T>
json ToJson(const T& value) {
  if constexpr (std::is_same_v<T, bool> || std::is_arithmetic_v<T> || std::is_same_v<T, std::string>) {
    return json(value);
  } else if constexpr (protocol::NamedEnum<T>) {
    return json(protocol::EnumName(value));
  } else if constexpr (protocol::Record<T>) {
    json out = json::object();
    FieldsToJson writer{out};
    T::Fields(value, writer);
    return out;
  } else if constexpr (requires { typename T::mapped_type; }) {
    json out = json::object();
    for (const auto& [k, v] : value) out[k] = ToJson(v);
    return out;
  } else {
    json out = json::array();
    for (const auto& v : value) out.push_back(ToJson(v));
    return out;
  }
}

template <class T>
void SetIf(json& j, const char* name, const std::optional<T>& v) {
  if (v) j[name] = *v;
}

void SetIfNotEmpty(json& j, const char* name, const std::string& v) {
  if (!v.empty()) j[name] = v;
}

// AWS's "tags": {"key": "value"}, only when the record has some.
void SetTags(json& j, const std::optional<protocol::Tags>& tags) {
  if (tags && !tags->empty()) j["tags"] = ToJson(*tags);
}

// An attempt's container: exitCode and reason, each when known.
json AttemptContainer(const protocol::Attempt& a) {
  json c = json::object();
  SetIf(c, "exitCode", a.exitCode);
  SetIf(c, "reason", a.reason);
  return c;
}

// AWS's job-model members of a job (DescribeJobs' JobDetail), each when it
// has a value.
void AddJobModel(const protocol::Job& job, json& j) {
  if (job.arrayProperties) {
    const protocol::ArrayProperties& a = *job.arrayProperties;
    json array = {{"size", a.size}};
    if (a.index) {
      array["index"] = *a.index;
    } else {
      array["statusSummary"] = ToJson(a.statusSummary);
    }
    j["arrayProperties"] = std::move(array);
  }
  if (!job.dependsOn.empty()) j["dependsOn"] = ToJson(job.dependsOn);
  j["retryStrategy"] = ToJson(job.retryStrategy);
  if (job.timeout) j["timeout"] = ToJson(*job.timeout);
  if (!job.parameters.empty()) j["parameters"] = ToJson(job.parameters);
  if (job.shareIdentifier) j["shareIdentifier"] = *job.shareIdentifier;
  j["schedulingPriority"] = job.schedulingPriority;
  j["isCancelled"] = job.isCancelled;
  j["isTerminated"] = job.isTerminated;
  SetIf(j, "preemptionRetries", job.preemptionRetries);
  SetTags(j, job.tags);
  SetIf(j, "submittedBy", job.submittedBy);
}

}  // namespace

std::string SchedulingPolicyArn(std::string_view name) {
  return std::string(kClientArnPrefix) + "scheduling-policy/" + std::string(name);
}

std::string JobDefinitionArn(std::string_view name, uint32_t revision) {
  return std::string(kClientArnPrefix) + "job-definition/" + std::string(name) + ":" + std::to_string(revision);
}
std::string JobQueueArn(std::string_view name) {
  return std::string(kClientArnPrefix) + "job-queue/" + std::string(name);
}
std::string ComputeEnvironmentArn(std::string_view name) {
  return std::string(kClientArnPrefix) + "compute-environment/" + std::string(name);
}

json EnvironmentToAwsJson(const protocol::Environment& env) {
  json out = json::array();
  for (const auto& [k, v] : env) out.push_back({{"name", k}, {"value", v}});
  return out;
}

json ResourcesToAwsJson(const protocol::Resources& r) {
  json out = json::array();
  out.push_back({{"type", "VCPU"}, {"value", std::to_string(r.vcpus)}});
  out.push_back({{"type", "MEMORY"}, {"value", std::to_string(r.memoryMib)}});
  if (r.diskMib > 0) out.push_back({{"type", "DISK"}, {"value", std::to_string(r.diskMib)}});
  return out;
}

json JobToAwsJson(const protocol::Job& job) {
  json j = {{"jobId", job.jobId},
            {"jobName", job.jobName},
            {"jobQueue", job.jobQueue},
            {"jobDefinition", job.jobDefinition},
            {"status", protocol::EnumName(job.status)}};
  SetIfNotEmpty(j, "statusReason", job.statusReason);
  j["createdAt"] = job.createdAt;
  SetIf(j, "startedAt", job.startedAt);
  SetIf(j, "stoppedAt", job.stoppedAt);
  json container = {{"command", job.command},
                    {"environment", EnvironmentToAwsJson(job.environment)},
                    {"vcpus", job.resources.vcpus},
                    {"memory", job.resources.memoryMib},
                    {"resourceRequirements", ResourcesToAwsJson(job.resources)}};
  if (!job.attempts.empty()) container.update(AttemptContainer(job.attempts.back()));
  j["container"] = std::move(container);
  json attempts = json::array();
  for (const auto& a : job.attempts) {
    json aj = {{"container", AttemptContainer(a)}};
    SetIf(aj, "statusReason", a.statusReason);
    SetIf(aj, "startedAt", a.startedAt);
    SetIf(aj, "stoppedAt", a.stoppedAt);
    aj["node"] = a.node;
    if (a.interruption) aj["interruption"] = ToJson(*a.interruption);
    attempts.push_back(std::move(aj));
  }
  j["attempts"] = std::move(attempts);
  AddJobModel(job, j);
  return j;
}

json JobSummaryToAwsJson(const protocol::Job& job) {
  json j = {{"jobId", job.jobId},
            {"jobName", job.jobName},
            {"jobQueue", job.jobQueue},
            {"jobDefinition", job.jobDefinition},
            {"status", protocol::EnumName(job.status)}};
  SetIfNotEmpty(j, "statusReason", job.statusReason);
  j["createdAt"] = job.createdAt;
  SetIf(j, "startedAt", job.startedAt);
  SetIf(j, "stoppedAt", job.stoppedAt);
  if (!job.attempts.empty()) j["container"] = AttemptContainer(job.attempts.back());
  if (job.arrayProperties) {
    j["arrayProperties"] = {{"size", job.arrayProperties->size}};
    SetIf(j["arrayProperties"], "index", job.arrayProperties->index);
  }
  return j;
}

json JobQueueToAwsJson(const protocol::JobQueue& q) {
  json order = json::array();
  for (const auto& o : q.computeEnvironmentOrder) {
    order.push_back({{"order", o.order}, {"computeEnvironment", o.computeEnvironment}});
  }
  json j = {{"jobQueueName", q.jobQueueName},
            {"jobQueueArn", JobQueueArn(q.jobQueueName)},
            {"state", protocol::EnumName(q.state)},
            {"priority", q.priority},
            {"computeEnvironmentOrder", std::move(order)}};
  if (q.schedulingPolicyArn) {
    j["schedulingPolicyArn"] = SchedulingPolicyArn(protocol::SchedulingPolicyName(*q.schedulingPolicyArn));
  }
  if (!q.jobStateTimeLimitActions.empty()) j["jobStateTimeLimitActions"] = ToJson(q.jobStateTimeLimitActions);
  SetIf(j, "preemptionRetries", q.preemptionRetries);
  SetTags(j, q.tags);
  return j;
}

json ComputeEnvironmentToAwsJson(const protocol::ComputeEnvironmentView& view) {
  const protocol::ComputeEnvironment& ce = view.computeEnvironment;
  const char* model = ce.provisioningModel == protocol::ProvisioningModel::kSpot ? "SPOT" : "EC2";
  json j = {{"computeEnvironmentName", ce.computeEnvironmentName},
            {"computeEnvironmentArn", ComputeEnvironmentArn(ce.computeEnvironmentName)},
            {"type", protocol::EnumName(ce.type)},
            {"state", protocol::EnumName(ce.state)},
            {"computeResources",
             {{"minvCpus", ce.minvCpus},
              {"maxvCpus", ce.maxvCpus},
              {"desiredvCpus", ce.desiredvCpus},
              {"type", model}}},
            {"selector", ToJson(ce.selector)},
            {"preemptible", ce.IsPreemptible()},
            {"usedvCpus", view.usedvCpus},
            {"nodes", view.nodes}};
  SetTags(j, ce.tags);
  return j;
}

json JobDefinitionToAwsJson(const protocol::JobDefinition& d) {
  json j = {{"jobDefinitionName", d.jobDefinitionName},
            {"jobDefinitionArn", JobDefinitionArn(d.jobDefinitionName, d.revision)},
            {"revision", d.revision},
            {"status", d.status},
            {"type", "container"},
            {"containerProperties",
             {{"command", d.command},
              {"resourceRequirements", ResourcesToAwsJson(d.resources)},
              {"environment", EnvironmentToAwsJson(d.environment)}}}};
  if (!d.parameters.empty()) j["parameters"] = ToJson(d.parameters);
  if (d.retryStrategy) j["retryStrategy"] = ToJson(*d.retryStrategy);
  if (d.timeout) j["timeout"] = ToJson(*d.timeout);
  SetIf(j, "schedulingPriority", d.schedulingPriority);
  SetTags(j, d.tags);
  return j;
}

json SchedulingPolicyToAwsJson(const protocol::SchedulingPolicy& p) {
  json j = {{"name", p.name}, {"arn", SchedulingPolicyArn(p.name)}, {"fairsharePolicy", ToJson(p.fairsharePolicy)}};
  SetTags(j, p.tags);
  return j;
}

json ListTagsReplyToAwsJson(const protocol::ListTagsForResourceReply& r) {
  json tags = json::object();
  for (const auto& [key, value] : r.tags) tags[key] = value;
  return json{{"tags", std::move(tags)}};
}

json NodeViewToJson(const protocol::NodeView& n) { return ToJson(n); }

json NodeControlRequestToJson(const protocol::NodeControlRequest& req) { return ToJson(req); }

json RaftPeersReplyToJson(const protocol::RaftPeersReply& r) { return ToJson(r); }

std::string DumpJson(const json& j) {
  return j.dump(2, ' ', false, json::error_handler_t::replace);
}

}  // namespace gantry::client
