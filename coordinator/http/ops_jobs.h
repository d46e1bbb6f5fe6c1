// The job operations of the AWS Batch API: SubmitJob, DescribeJobs,
// ListJobs, CancelJob, TerminateJob. Each takes the request body and
// answers AWS's response shape; see operations.h for the common rules.
// SubmitJob is in ops_submit_job.cc, the rest in ops_jobs.cc.
#pragma once

#include <nlohmann/json.hpp>

#include "coordinator/http/operations.h"
#include "gantry/status.h"
#include "protocol/types.h"

namespace gantry::coordinator::http::ops {

// jobName, jobQueue (name or ARN), jobDefinition ("name", "name:revision"
// or ARN) required; containerOverrides {command, environment,
// resourceRequirements (VCPU, MEMORY, DISK; GPU is refused), vcpus,
// memory}, parameters, retryStrategy, timeout, arrayProperties {size},
// dependsOn, shareIdentifier, schedulingPriorityOverride, tags. nodeOverrides
// (multi-node jobs) is refused; propagateTags is accepted and ignored. The
// job's submittedBy is ctx.caller. -> {jobArn, jobName, jobId}.
Result<nlohmann::json> SubmitJob(const nlohmann::json& body, OperationContext& ctx);

// jobs: 1-100 ids. -> {jobs: [JobDetail]}; unknown ids are left out.
Result<nlohmann::json> DescribeJobs(const nlohmann::json& body, OperationContext& ctx);

// Exactly one of jobQueue and arrayJobId; multiNodeJobId is refused. With
// no jobStatus and no filters only RUNNING jobs are listed (AWS's default);
// with filters jobStatus is ignored. maxResults 1-100 (default 100);
// nextToken is the backend's own. -> {jobSummaryList, nextToken?}.
Result<nlohmann::json> ListJobs(const nlohmann::json& body, OperationContext& ctx);

// jobId and reason required. -> {}.
Result<nlohmann::json> CancelJob(const nlohmann::json& body, OperationContext& ctx);
Result<nlohmann::json> TerminateJob(const nlohmann::json& body, OperationContext& ctx);

// A job as DescribeJobs' JobDetail: client::JobToAwsJson with jobArn, the
// queue and definition as ARNs, tags and submittedBy.
nlohmann::json JobDetailJson(const protocol::ArnScheme& arns, const protocol::Job& job);
// A job as ListJobs' JobSummary, with the same ARNs.
nlohmann::json JobSummaryJson(const protocol::ArnScheme& arns, const protocol::Job& job);

}  // namespace gantry::coordinator::http::ops
