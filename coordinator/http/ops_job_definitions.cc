#include "coordinator/http/ops_job_definitions.h"

#include <algorithm>
#include <cstdio>

#include "client/job_definition_json.h"
#include "client/json_format.h"
#include "coordinator/http/ops_json.h"
#include "coordinator/http/ops_pagination.h"

namespace gantry::coordinator::http::ops {
namespace {

using nlohmann::json;
using protocol::ResourceKind;

// What DescribeJobDefinitions selects; every filter given must match.
struct DefinitionFilter {
  std::vector<std::string> refs;  // "name" or "name:revision"; empty: any
  std::optional<std::string> name;
  std::optional<std::string> status;  // ACTIVE or INACTIVE

  bool Matches(const protocol::JobDefinition& d) const {
    const std::string id = d.jobDefinitionName + ":" + std::to_string(d.revision);
    const bool ref_ok = refs.empty() || std::any_of(refs.begin(), refs.end(), [&](const std::string& r) {
                          return r == d.jobDefinitionName || r == id;
                        });
    return ref_ok && (!name || *name == d.jobDefinitionName) && (!status || *status == d.status);
  }
};

Result<DefinitionFilter> ReadFilter(const Members& body) {
  DefinitionFilter filter;
  GANTRY_RETURN_IF_ERROR(body.GetNames("jobDefinitions", ResourceKind::kJobDefinition, filter.refs));
  GANTRY_RETURN_IF_ERROR(body.Get("jobDefinitionName", filter.name));
  GANTRY_RETURN_IF_ERROR(body.Get("status", filter.status));
  if (filter.status) {
    std::string& s = *filter.status;
    for (char& c : s) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
    if (s != "ACTIVE" && s != "INACTIVE") {
      return Status::InvalidArgument("status must be one of ACTIVE|INACTIVE, got \"" + s.substr(0, 32) + "\"");
    }
  }
  return filter;
}

}  // namespace

std::string JobDefinitionKey(const protocol::JobDefinition& def) {
  char revision[16];
  std::snprintf(revision, sizeof(revision), "%010u", def.revision);
  return def.jobDefinitionName + " " + revision;
}

json JobDefinitionJson(const protocol::ArnScheme& arns, const protocol::JobDefinition& def) {
  json j = client::JobDefinitionToAwsJson(def);
  j["jobDefinitionArn"] = arns.JobDefinitionArn(def.jobDefinitionName, def.revision);
  SetTags(j, def.tags);
  return j;
}

Result<json> RegisterJobDefinition(const json& body, OperationContext& ctx) {
  GANTRY_ASSIGN_OR_RETURN(Members m, Members::Of(body));
  protocol::RegisterJobDefinitionRequest req;
  protocol::JobDefinition& def = req.jobDefinition;
  std::string type;
  GANTRY_RETURN_IF_ERROR(m.Require("jobDefinitionName", def.jobDefinitionName));
  GANTRY_RETURN_IF_ERROR(m.Require("type", type));
  if (type == "multinode") {
    return Status::InvalidArgument("type multinode: multi-node job definitions are not supported");
  }
  GANTRY_RETURN_IF_ERROR(client::ApplyRegisterJobDefinitionJson(body, def));
  GANTRY_RETURN_IF_ERROR(m.Get("tags", def.tags));
  GANTRY_ASSIGN_OR_RETURN(protocol::RegisterJobDefinitionReply reply, ctx.backend->Call(req));
  return json{{"jobDefinitionName", def.jobDefinitionName},
              {"jobDefinitionArn", ctx.arns.JobDefinitionArn(def.jobDefinitionName, reply.revision)},
              {"revision", reply.revision}};
}

Result<json> DeregisterJobDefinition(const json& body, OperationContext& ctx) {
  GANTRY_ASSIGN_OR_RETURN(Members m, Members::Of(body));
  protocol::DeregisterJobDefinitionRequest req;
  GANTRY_RETURN_IF_ERROR(m.RequireName("jobDefinition", ResourceKind::kJobDefinition, req.jobDefinition));
  GANTRY_RETURN_IF_ERROR(ctx.backend->Call(req).status());
  return json::object();
}

Result<json> DescribeJobDefinitions(const json& body, OperationContext& ctx) {
  GANTRY_ASSIGN_OR_RETURN(Members m, Members::Of(body));
  GANTRY_ASSIGN_OR_RETURN(DefinitionFilter filter, ReadFilter(m));
  GANTRY_ASSIGN_OR_RETURN(PageRequest page_request, ReadPageRequest(m));
  // Every revision, then the filter: AWS leaves unknown names out.
  GANTRY_ASSIGN_OR_RETURN(protocol::DescribeJobDefinitionsReply reply,
                          ctx.backend->Call(protocol::DescribeJobDefinitionsRequest{}));
  std::erase_if(reply.jobDefinitions, [&](const protocol::JobDefinition& d) { return !filter.Matches(d); });
  Page<protocol::JobDefinition> page = TakePage(std::move(reply.jobDefinitions), JobDefinitionKey, page_request);
  json out = json::object();
  PutPage(out, "jobDefinitions", page,
          [&](const protocol::JobDefinition& d) { return JobDefinitionJson(ctx.arns, d); });
  return out;
}

}  // namespace gantry::coordinator::http::ops
