// The tag operations of operations.h: /v1/tags/{resourceArn} with POST
// (TagResource), DELETE (UntagResource) and GET (ListTagsForResource).
#include "coordinator/http/operations.h"
#include "coordinator/http/ops_json.h"
#include "protocol/arn.h"

namespace gantry::coordinator::http {

using nlohmann::json;

Result<json> TagResource(std::string_view resource_arn, const json& body, OperationContext& ctx) {
  protocol::TagResourceRequest req;
  GANTRY_ASSIGN_OR_RETURN(req.resource, protocol::ParseResourceArn(resource_arn));
  GANTRY_ASSIGN_OR_RETURN(ops::Members m, ops::Members::Of(body));
  GANTRY_RETURN_IF_ERROR(m.Require("tags", req.tags));
  if (req.tags.empty()) return Status::InvalidArgument("tags must hold at least one tag");
  GANTRY_RETURN_IF_ERROR(ctx.backend->Call(req).status());
  return json::object();
}

Result<json> UntagResource(std::string_view resource_arn, const std::vector<std::string>& tag_keys,
                           OperationContext& ctx) {
  protocol::UntagResourceRequest req;
  GANTRY_ASSIGN_OR_RETURN(req.resource, protocol::ParseResourceArn(resource_arn));
  if (tag_keys.empty()) return Status::InvalidArgument("tagKeys is required");
  req.tagKeys = tag_keys;
  GANTRY_RETURN_IF_ERROR(ctx.backend->Call(req).status());
  return json::object();
}

Result<json> ListTagsForResource(std::string_view resource_arn, OperationContext& ctx) {
  protocol::ListTagsForResourceRequest req;
  GANTRY_ASSIGN_OR_RETURN(req.resource, protocol::ParseResourceArn(resource_arn));
  GANTRY_ASSIGN_OR_RETURN(protocol::ListTagsForResourceReply reply, ctx.backend->Call(req));
  json tags = json::object();  // an object even when there are none
  for (const auto& [key, value] : reply.tags) tags[key] = value;
  return json{{"tags", std::move(tags)}};
}

}  // namespace gantry::coordinator::http
