// The AWS Batch operations of the HTTP API: each takes the request's JSON
// body (rest-json, as boto3 and the aws CLI send it), turns it into the
// ZeroMQ client API's request, sends it through a Backend and renders the
// reply in AWS's response shape (ARNs, epoch-millisecond times, nextToken).
//
// Unknown request members are ignored (newer SDKs send more); a missing
// required member or a member of the wrong type is kInvalidArgument naming
// it ("jobQueue is required", "containerOverrides.command must be an array
// of strings"). Errors from the backend pass through unchanged. Pure apart
// from the backend.
//
// The operations themselves are in ops_*.h (namespace ops), one file per
// area: jobs, compute environments, job queues, job definitions,
// scheduling policies; ops_tags.cc has the tag operations below. The
// paginated describes (compute environments, queues, definitions, policy
// list) ask the backend for every resource and page in this layer (see
// ops_pagination.h); names that match nothing are left out, as AWS does.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "coordinator/http/backend.h"
#include "gantry/status.h"
#include "protocol/arn.h"

namespace gantry::coordinator::http {

struct OperationContext {
  Backend* backend = nullptr;
  protocol::ArnScheme arns;
  // The name of the access key that signed the request (recorded on
  // submitted jobs as submittedBy); absent when auth is off.
  std::optional<std::string> caller;
};

// The POST operations by their lowercase path name ("submitjob" for
// POST /v1/submitjob): the 21 of botocore 1.29's 24 that are not tag
// operations. Null for a name that is not one of them.
using OperationFn = Result<nlohmann::json> (*)(const nlohmann::json& body, OperationContext& ctx);
OperationFn FindOperation(std::string_view lowercase_name);
// Every name FindOperation knows, for messages and tests.
std::vector<std::string> OperationNames();

// The tag operations; `resource_arn` is already percent-decoded.
Result<nlohmann::json> TagResource(std::string_view resource_arn, const nlohmann::json& body, OperationContext& ctx);
Result<nlohmann::json> UntagResource(std::string_view resource_arn, const std::vector<std::string>& tag_keys,
                                     OperationContext& ctx);
Result<nlohmann::json> ListTagsForResource(std::string_view resource_arn, OperationContext& ctx);

}  // namespace gantry::coordinator::http
