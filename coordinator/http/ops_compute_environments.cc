#include "coordinator/http/ops_compute_environments.h"

#include "client/json_format.h"
#include "coordinator/http/ops_json.h"
#include "coordinator/http/ops_pagination.h"

namespace gantry::coordinator::http::ops {
namespace {

using nlohmann::json;
using protocol::ComputeEnvironmentType;
using protocol::ResourceKind;

// computeResources.type: AWS's EC2 is on-demand capacity. Fargate has no
// counterpart on gantry's own nodes.
Result<protocol::ProvisioningModel> ReadProvisioningModel(const Members& resources) {
  std::string type = "EC2";
  GANTRY_RETURN_IF_ERROR(resources.Get("type", type));
  for (char& c : type) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  if (type == "EC2") return protocol::ProvisioningModel::kOnDemand;
  if (type == "SPOT") return protocol::ProvisioningModel::kSpot;
  const std::string path = resources.Path("type");
  if (type == "FARGATE" || type == "FARGATE_SPOT") {
    return Status::InvalidArgument(path + " " + type +
                                   " is not supported: gantry runs jobs on its own nodes (EC2 or SPOT)");
  }
  return Status::InvalidArgument(path + " must be one of EC2|SPOT, got \"" + type.substr(0, 32) + "\"");
}

Status ReadComputeResources(const Members& body, protocol::ComputeEnvironment& ce) {
  GANTRY_ASSIGN_OR_RETURN(std::optional<Members> resources, body.Object("computeResources"));
  if (!resources) return Status::Ok();
  GANTRY_ASSIGN_OR_RETURN(ce.provisioningModel, ReadProvisioningModel(*resources));
  GANTRY_RETURN_IF_ERROR(resources->Get("minvCpus", ce.minvCpus));
  GANTRY_RETURN_IF_ERROR(resources->Get("maxvCpus", ce.maxvCpus));
  GANTRY_RETURN_IF_ERROR(resources->Get("desiredvCpus", ce.desiredvCpus));
  // AWS puts computeResources.tags on the instances it launches for the
  // environment. gantry launches none: its environment is the nodes that
  // carry these labels, so the tags are the environment's node selector.
  return resources->Get("tags", ce.selector);
}

// unmanagedvCpus: the vCPUs an UNMANAGED environment offers, its maxvCpus.
Status ReadUnmanagedvCpus(const Members& body, protocol::ComputeEnvironment& ce) {
  if (body.Find("unmanagedvCpus") == nullptr) return Status::Ok();
  if (ce.type != ComputeEnvironmentType::kUnmanaged) {
    return Status::InvalidArgument("unmanagedvCpus is only for UNMANAGED compute environments");
  }
  return body.Get("unmanagedvCpus", ce.maxvCpus);
}

json NameAndArn(const protocol::ArnScheme& arns, const std::string& name) {
  return {{"computeEnvironmentName", name}, {"computeEnvironmentArn", arns.ComputeEnvironmentArn(name)}};
}

}  // namespace

json ComputeEnvironmentJson(const protocol::ArnScheme& arns, const protocol::ComputeEnvironmentView& view) {
  const protocol::ComputeEnvironment& ce = view.computeEnvironment;
  json j = client::ComputeEnvironmentToAwsJson(view);
  j["computeEnvironmentArn"] = arns.ComputeEnvironmentArn(ce.computeEnvironmentName);
  j["status"] = "VALID";
  json selector = json::object();
  for (const auto& [key, value] : ce.selector) selector[key] = value;
  j["computeResources"]["tags"] = std::move(selector);
  if (ce.type == ComputeEnvironmentType::kUnmanaged) j["unmanagedvCpus"] = ce.maxvCpus;
  SetTags(j, ce.tags);
  return j;
}

Result<json> CreateComputeEnvironment(const json& body, OperationContext& ctx) {
  GANTRY_ASSIGN_OR_RETURN(Members m, Members::Of(body));
  protocol::CreateComputeEnvironmentRequest req;
  protocol::ComputeEnvironment& ce = req.computeEnvironment;
  GANTRY_RETURN_IF_ERROR(m.Require("computeEnvironmentName", ce.computeEnvironmentName));
  GANTRY_RETURN_IF_ERROR(m.Require("type", ce.type));
  GANTRY_RETURN_IF_ERROR(m.Get("state", ce.state));
  GANTRY_RETURN_IF_ERROR(ReadComputeResources(m, ce));
  GANTRY_RETURN_IF_ERROR(ReadUnmanagedvCpus(m, ce));
  GANTRY_RETURN_IF_ERROR(m.Get("tags", ce.tags));
  GANTRY_RETURN_IF_ERROR(ctx.backend->Call(req).status());
  return NameAndArn(ctx.arns, ce.computeEnvironmentName);
}

Result<json> UpdateComputeEnvironment(const json& body, OperationContext& ctx) {
  GANTRY_ASSIGN_OR_RETURN(Members m, Members::Of(body));
  protocol::UpdateComputeEnvironmentRequest req;
  GANTRY_RETURN_IF_ERROR(
      m.RequireName("computeEnvironment", ResourceKind::kComputeEnvironment, req.computeEnvironment));
  GANTRY_RETURN_IF_ERROR(m.Get("state", req.state));
  GANTRY_ASSIGN_OR_RETURN(std::optional<Members> resources, m.Object("computeResources"));
  if (resources) {
    GANTRY_RETURN_IF_ERROR(resources->Get("minvCpus", req.minvCpus));
    GANTRY_RETURN_IF_ERROR(resources->Get("maxvCpus", req.maxvCpus));
    GANTRY_RETURN_IF_ERROR(resources->Get("desiredvCpus", req.desiredvCpus));
  }
  GANTRY_RETURN_IF_ERROR(m.Get("unmanagedvCpus", req.maxvCpus));
  GANTRY_RETURN_IF_ERROR(ctx.backend->Call(req).status());
  return NameAndArn(ctx.arns, req.computeEnvironment);
}

Result<json> DeleteComputeEnvironment(const json& body, OperationContext& ctx) {
  GANTRY_ASSIGN_OR_RETURN(Members m, Members::Of(body));
  protocol::DeleteComputeEnvironmentRequest req;
  GANTRY_RETURN_IF_ERROR(
      m.RequireName("computeEnvironment", ResourceKind::kComputeEnvironment, req.computeEnvironment));
  GANTRY_RETURN_IF_ERROR(ctx.backend->Call(req).status());
  return json::object();
}

Result<json> DescribeComputeEnvironments(const json& body, OperationContext& ctx) {
  GANTRY_ASSIGN_OR_RETURN(Members m, Members::Of(body));
  std::vector<std::string> names;
  GANTRY_RETURN_IF_ERROR(m.GetNames("computeEnvironments", ResourceKind::kComputeEnvironment, names));
  GANTRY_ASSIGN_OR_RETURN(PageRequest page_request, ReadPageRequest(m));
  // Every environment, then the names asked for: AWS leaves unknown names
  // out where the backend would fail on them.
  GANTRY_ASSIGN_OR_RETURN(protocol::DescribeComputeEnvironmentsReply reply,
                          ctx.backend->Call(protocol::DescribeComputeEnvironmentsRequest{}));
  auto name = [](const protocol::ComputeEnvironmentView& v) { return v.computeEnvironment.computeEnvironmentName; };
  Page<protocol::ComputeEnvironmentView> page =
      TakePage(KeepNamed(std::move(reply.computeEnvironments), names, name), name, page_request);
  json out = json::object();
  PutPage(out, "computeEnvironments", page,
          [&](const protocol::ComputeEnvironmentView& v) { return ComputeEnvironmentJson(ctx.arns, v); });
  return out;
}

}  // namespace gantry::coordinator::http::ops
