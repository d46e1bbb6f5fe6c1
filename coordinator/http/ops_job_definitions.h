// The job definition operations of the AWS Batch API.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "coordinator/http/operations.h"
#include "gantry/status.h"
#include "protocol/types.h"

namespace gantry::coordinator::http::ops {

// jobDefinitionName and type required; type "container" only (multinode is
// refused). containerProperties, parameters, retryStrategy, timeout,
// schedulingPriority as client::ApplyRegisterJobDefinitionJson reads them;
// tags. -> {jobDefinitionName, jobDefinitionArn, revision}.
Result<nlohmann::json> RegisterJobDefinition(const nlohmann::json& body, OperationContext& ctx);
// jobDefinition ("name:revision" or ARN) required. -> {}.
Result<nlohmann::json> DeregisterJobDefinition(const nlohmann::json& body, OperationContext& ctx);
// jobDefinitions ("name" for every revision, "name:revision" or ARNs),
// jobDefinitionName, status (ACTIVE|INACTIVE), maxResults, nextToken; the
// filters given must all match. -> {jobDefinitions, nextToken?}, ordered by
// name, then revision.
Result<nlohmann::json> DescribeJobDefinitions(const nlohmann::json& body, OperationContext& ctx);

// client::JobDefinitionToAwsJson with the ARN and tags.
nlohmann::json JobDefinitionJson(const protocol::ArnScheme& arns, const protocol::JobDefinition& def);

// The paging key: the name, a space (below every name character) and the
// revision as ten digits, so keys order by name, then revision.
std::string JobDefinitionKey(const protocol::JobDefinition& def);

}  // namespace gantry::coordinator::http::ops
