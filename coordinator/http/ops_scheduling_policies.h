// The scheduling policy (fair share) operations of the AWS Batch API.
// Wherever AWS takes a policy's ARN, its name is accepted too.
#pragma once

#include <nlohmann/json.hpp>

#include "coordinator/http/operations.h"
#include "gantry/status.h"

namespace gantry::coordinator::http::ops {

// name required; fairsharePolicy, tags. -> {name, arn}.
Result<nlohmann::json> CreateSchedulingPolicy(const nlohmann::json& body, OperationContext& ctx);
// arns required. -> {schedulingPolicies: [{name, arn, fairsharePolicy,
// tags}]}; unknown policies are left out.
Result<nlohmann::json> DescribeSchedulingPolicies(const nlohmann::json& body, OperationContext& ctx);
// maxResults, nextToken. -> {schedulingPolicies: [{arn}], nextToken?}.
Result<nlohmann::json> ListSchedulingPolicies(const nlohmann::json& body, OperationContext& ctx);
// arn required; fairsharePolicy replaces the policy's (absent: unchanged,
// but the policy must exist). -> {}.
Result<nlohmann::json> UpdateSchedulingPolicy(const nlohmann::json& body, OperationContext& ctx);
// arn required. -> {}.
Result<nlohmann::json> DeleteSchedulingPolicy(const nlohmann::json& body, OperationContext& ctx);

}  // namespace gantry::coordinator::http::ops
