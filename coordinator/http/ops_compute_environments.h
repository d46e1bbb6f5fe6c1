// The compute environment operations of the AWS Batch API. In gantry a
// compute environment is the set of nodes whose labels match its selector;
// see CreateComputeEnvironment for how AWS's members map onto it.
#pragma once

#include <nlohmann/json.hpp>

#include "coordinator/http/operations.h"
#include "gantry/status.h"
#include "protocol/messages.h"

namespace gantry::coordinator::http::ops {

// computeEnvironmentName and type (MANAGED|UNMANAGED) required; state,
// computeResources {type EC2|SPOT (FARGATE refused), minvCpus, maxvCpus,
// desiredvCpus, tags}, unmanagedvCpus (UNMANAGED only: its maxvCpus), tags.
// -> {computeEnvironmentName, computeEnvironmentArn}.
Result<nlohmann::json> CreateComputeEnvironment(const nlohmann::json& body, OperationContext& ctx);
// computeEnvironment (name or ARN) required; state, computeResources
// {minvCpus, maxvCpus, desiredvCpus}, unmanagedvCpus (maxvCpus).
// -> {computeEnvironmentName, computeEnvironmentArn}.
Result<nlohmann::json> UpdateComputeEnvironment(const nlohmann::json& body, OperationContext& ctx);
// computeEnvironment (name or ARN) required. -> {}.
Result<nlohmann::json> DeleteComputeEnvironment(const nlohmann::json& body, OperationContext& ctx);
// computeEnvironments (names or ARNs; none: all), maxResults, nextToken.
// -> {computeEnvironments: [ComputeEnvironmentDetail], nextToken?}.
Result<nlohmann::json> DescribeComputeEnvironments(const nlohmann::json& body, OperationContext& ctx);

// ComputeEnvironmentDetail: client::ComputeEnvironmentToAwsJson with the
// ARN, status VALID, computeResources.tags (the selector), unmanagedvCpus
// for UNMANAGED and tags.
nlohmann::json ComputeEnvironmentJson(const protocol::ArnScheme& arns, const protocol::ComputeEnvironmentView& view);

}  // namespace gantry::coordinator::http::ops
