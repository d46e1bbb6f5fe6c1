// The job queue operations of the AWS Batch API.
#pragma once

#include <nlohmann/json.hpp>

#include "coordinator/http/operations.h"
#include "gantry/status.h"
#include "protocol/types.h"

namespace gantry::coordinator::http::ops {

// jobQueueName, priority and computeEnvironmentOrder [{order,
// computeEnvironment (name or ARN)}] required; state, schedulingPolicyArn
// (name or ARN), jobStateTimeLimitActions, tags.
// -> {jobQueueName, jobQueueArn}.
Result<nlohmann::json> CreateJobQueue(const nlohmann::json& body, OperationContext& ctx);
// jobQueue (name or ARN) required; state, priority, computeEnvironmentOrder,
// schedulingPolicyArn, jobStateTimeLimitActions. -> {jobQueueName, jobQueueArn}.
Result<nlohmann::json> UpdateJobQueue(const nlohmann::json& body, OperationContext& ctx);
// jobQueue (name or ARN) required. -> {}.
Result<nlohmann::json> DeleteJobQueue(const nlohmann::json& body, OperationContext& ctx);
// jobQueues (names or ARNs; none: all), maxResults, nextToken.
// -> {jobQueues: [JobQueueDetail], nextToken?}.
Result<nlohmann::json> DescribeJobQueues(const nlohmann::json& body, OperationContext& ctx);

// JobQueueDetail: client::JobQueueToAwsJson with the queue, its compute
// environments and its scheduling policy as ARNs, status VALID and tags.
nlohmann::json JobQueueJson(const protocol::ArnScheme& arns, const protocol::JobQueue& queue);

}  // namespace gantry::coordinator::http::ops
