// SubmitJob: AWS's members onto protocol::SubmitJobRequest. The overrides
// are read by the same client code that reads a job definition's
// containerProperties (the shapes are the same), into a scratch definition
// from which only the members the request holds are taken.
#include "client/job_definition_json.h"
#include "coordinator/http/ops_jobs.h"
#include "coordinator/http/ops_json.h"

namespace gantry::coordinator::http::ops {
namespace {

using nlohmann::json;
using protocol::ResourceKind;

// Which resourceRequirements types the overrides give. GPU is refused here
// with its own message; other unknown types by the client reader.
struct RequirementTypes {
  bool vcpu = false;
  bool memory = false;
  bool disk = false;
};

Result<RequirementTypes> ReadRequirementTypes(const Members& overrides) {
  RequirementTypes given;
  const json* list = overrides.Find("resourceRequirements");
  if (list == nullptr || !list->is_array()) return given;
  for (size_t i = 0; i < list->size(); ++i) {
    const json& entry = (*list)[i];
    auto type = entry.is_object() ? entry.find("type") : entry.end();
    if (type == entry.end() || !type->is_string()) continue;
    const std::string& t = type->get_ref<const std::string&>();
    if (t == "GPU") {
      return Status::InvalidArgument(overrides.Path("resourceRequirements") + "[" + std::to_string(i) +
                                     "]: GPU is not supported (gantry schedules VCPU, MEMORY and DISK)");
    }
    given.vcpu = given.vcpu || t == "VCPU";
    given.memory = given.memory || t == "MEMORY";
    given.disk = given.disk || t == "DISK";
  }
  return given;
}

// containerOverrides: command, environment, resourceRequirements and the
// legacy vcpus and memory (resourceRequirements win, as in AWS).
Status ReadContainerOverrides(const Members& body, protocol::SubmitJobRequest& req) {
  GANTRY_ASSIGN_OR_RETURN(std::optional<Members> overrides, body.Object("containerOverrides"));
  if (!overrides) return Status::Ok();
  GANTRY_ASSIGN_OR_RETURN(RequirementTypes given, ReadRequirementTypes(*overrides));
  protocol::JobDefinition scratch;
  GANTRY_RETURN_IF_ERROR(
      client::ApplyContainerPropertiesJson(*body.Find("containerOverrides"), body.Path("containerOverrides"), scratch));
  if (overrides->Find("command") != nullptr) req.command = scratch.command;
  if (overrides->Find("environment") != nullptr) req.environment = scratch.environment;
  if (given.vcpu || overrides->Find("vcpus") != nullptr) req.vcpus = scratch.resources.vcpus;
  if (given.memory || overrides->Find("memory") != nullptr) req.memoryMib = scratch.resources.memoryMib;
  if (given.disk) req.diskMib = scratch.resources.diskMib;
  return Status::Ok();
}

// The job-model members, in the shapes of client/job_model_json.h.
Status ReadJobModel(const Members& body, protocol::SubmitJobRequest& req) {
  GANTRY_RETURN_IF_ERROR(body.Read("parameters", client::ReadParameters, req.parameters));
  GANTRY_RETURN_IF_ERROR(body.Read("retryStrategy", client::ReadRetryStrategy, req.retryStrategy));
  GANTRY_RETURN_IF_ERROR(body.Read("timeout", client::ReadJobTimeout, req.timeout));
  GANTRY_RETURN_IF_ERROR(body.Read("dependsOn", client::ReadDependsOn, req.dependsOn));
  GANTRY_ASSIGN_OR_RETURN(std::optional<Members> array, body.Object("arrayProperties"));
  if (array) GANTRY_RETURN_IF_ERROR(array->Get("size", req.arraySize));
  GANTRY_RETURN_IF_ERROR(body.Get("shareIdentifier", req.shareIdentifier));
  GANTRY_RETURN_IF_ERROR(body.Get("schedulingPriorityOverride", req.schedulingPriorityOverride));
  return body.Get("tags", req.tags);
}

}  // namespace

Result<json> SubmitJob(const json& body, OperationContext& ctx) {
  GANTRY_ASSIGN_OR_RETURN(Members m, Members::Of(body));
  if (m.Find("nodeOverrides") != nullptr) {
    return Status::InvalidArgument("nodeOverrides: multi-node jobs are not supported");
  }
  protocol::SubmitJobRequest req;
  GANTRY_RETURN_IF_ERROR(m.Require("jobName", req.jobName));
  GANTRY_RETURN_IF_ERROR(m.RequireName("jobQueue", ResourceKind::kJobQueue, req.jobQueue));
  GANTRY_RETURN_IF_ERROR(m.RequireName("jobDefinition", ResourceKind::kJobDefinition, req.jobDefinition));
  GANTRY_RETURN_IF_ERROR(ReadContainerOverrides(m, req));
  GANTRY_RETURN_IF_ERROR(ReadJobModel(m, req));
  req.submittedBy = ctx.caller;
  GANTRY_ASSIGN_OR_RETURN(protocol::SubmitJobReply reply, ctx.backend->Call(req));
  return json{{"jobArn", ctx.arns.JobArn(reply.jobId)}, {"jobName", reply.jobName}, {"jobId", reply.jobId}};
}

}  // namespace gantry::coordinator::http::ops
