#include "coordinator/http/ops_scheduling_policies.h"

#include "client/json_format.h"
#include "coordinator/http/ops_json.h"
#include "coordinator/http/ops_pagination.h"

namespace gantry::coordinator::http::ops {
namespace {

using nlohmann::json;
using protocol::ResourceKind;

std::string PolicyName(const protocol::SchedulingPolicy& p) { return p.name; }

Result<std::vector<protocol::SchedulingPolicy>> AllPolicies(OperationContext& ctx) {
  GANTRY_ASSIGN_OR_RETURN(protocol::DescribeSchedulingPoliciesReply reply,
                          ctx.backend->Call(protocol::DescribeSchedulingPoliciesRequest{}));
  return std::move(reply.schedulingPolicies);
}

}  // namespace

Result<json> CreateSchedulingPolicy(const json& body, OperationContext& ctx) {
  GANTRY_ASSIGN_OR_RETURN(Members m, Members::Of(body));
  protocol::CreateSchedulingPolicyRequest req;
  protocol::SchedulingPolicy& p = req.schedulingPolicy;
  GANTRY_RETURN_IF_ERROR(m.Require("name", p.name));
  GANTRY_RETURN_IF_ERROR(m.Read("fairsharePolicy", client::ReadFairsharePolicy, p.fairsharePolicy));
  GANTRY_RETURN_IF_ERROR(m.Get("tags", p.tags));
  GANTRY_RETURN_IF_ERROR(ctx.backend->Call(req).status());
  return json{{"name", p.name}, {"arn", ctx.arns.SchedulingPolicyArn(p.name)}};
}

Result<json> DescribeSchedulingPolicies(const json& body, OperationContext& ctx) {
  GANTRY_ASSIGN_OR_RETURN(Members m, Members::Of(body));
  std::vector<std::string> names;
  GANTRY_RETURN_IF_ERROR(m.Present("arns"));
  GANTRY_RETURN_IF_ERROR(m.GetNames("arns", ResourceKind::kSchedulingPolicy, names));
  // Every policy, then the names asked for: AWS leaves unknown ones out.
  GANTRY_ASSIGN_OR_RETURN(std::vector<protocol::SchedulingPolicy> policies, AllPolicies(ctx));
  json list = json::array();
  for (const protocol::SchedulingPolicy& p : KeepNamed(std::move(policies), names, PolicyName)) {
    json j = client::SchedulingPolicyToAwsJson(p);
    j["arn"] = ctx.arns.SchedulingPolicyArn(p.name);
    SetTags(j, p.tags);
    list.push_back(std::move(j));
  }
  return json{{"schedulingPolicies", std::move(list)}};
}

Result<json> ListSchedulingPolicies(const json& body, OperationContext& ctx) {
  GANTRY_ASSIGN_OR_RETURN(Members m, Members::Of(body));
  GANTRY_ASSIGN_OR_RETURN(PageRequest page_request, ReadPageRequest(m));
  GANTRY_ASSIGN_OR_RETURN(std::vector<protocol::SchedulingPolicy> policies, AllPolicies(ctx));
  Page<protocol::SchedulingPolicy> page = TakePage(std::move(policies), PolicyName, page_request);
  json out = json::object();
  PutPage(out, "schedulingPolicies", page, [&](const protocol::SchedulingPolicy& p) {
    return json{{"arn", ctx.arns.SchedulingPolicyArn(p.name)}};
  });
  return out;
}

Result<json> UpdateSchedulingPolicy(const json& body, OperationContext& ctx) {
  GANTRY_ASSIGN_OR_RETURN(Members m, Members::Of(body));
  protocol::UpdateSchedulingPolicyRequest req;
  GANTRY_RETURN_IF_ERROR(m.RequireName("arn", ResourceKind::kSchedulingPolicy, req.arn));
  if (m.Find("fairsharePolicy") == nullptr) {
    // Nothing to change; still kNotFound for a policy that does not exist.
    GANTRY_RETURN_IF_ERROR(ctx.backend->Call(protocol::DescribeSchedulingPoliciesRequest{{req.arn}}).status());
    return json::object();
  }
  GANTRY_RETURN_IF_ERROR(m.Read("fairsharePolicy", client::ReadFairsharePolicy, req.fairsharePolicy));
  GANTRY_RETURN_IF_ERROR(ctx.backend->Call(req).status());
  return json::object();
}

Result<json> DeleteSchedulingPolicy(const json& body, OperationContext& ctx) {
  GANTRY_ASSIGN_OR_RETURN(Members m, Members::Of(body));
  protocol::DeleteSchedulingPolicyRequest req;
  GANTRY_RETURN_IF_ERROR(m.RequireName("arn", ResourceKind::kSchedulingPolicy, req.arn));
  GANTRY_RETURN_IF_ERROR(ctx.backend->Call(req).status());
  return json::object();
}

}  // namespace gantry::coordinator::http::ops
