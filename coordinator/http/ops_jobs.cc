#include "coordinator/http/ops_jobs.h"

#include "client/json_format.h"
#include "coordinator/http/ops_json.h"
#include "coordinator/http/ops_pagination.h"

namespace gantry::coordinator::http::ops {
namespace {

using nlohmann::json;
using protocol::ResourceKind;

// AWS names a job's queue and definition by ARN where gantry's record holds
// the queue's name and "name:revision".
void PutJobArns(const protocol::ArnScheme& arns, const protocol::Job& job, json& j) {
  j["jobArn"] = arns.JobArn(job.jobId);
  j["jobQueue"] = arns.JobQueueArn(job.jobQueue);
  j["jobDefinition"] = arns.Arn(ResourceKind::kJobDefinition, job.jobDefinition);
}

Status ReadFilters(const Members& body, std::vector<protocol::KeyValuesPair>& out) {
  GANTRY_ASSIGN_OR_RETURN(std::vector<Members> filters, body.Objects("filters"));
  for (const Members& f : filters) {
    protocol::KeyValuesPair pair;
    GANTRY_RETURN_IF_ERROR(f.Require("name", pair.name));
    GANTRY_RETURN_IF_ERROR(f.Require("values", pair.values));
    // A job definition ARN names one revision: "name:revision".
    if (pair.name == "JOB_DEFINITION") {
      for (std::string& v : pair.values) {
        if (v.rfind("arn:", 0) != 0) continue;
        GANTRY_ASSIGN_OR_RETURN(v, protocol::ResourceName("filters.values", v, ResourceKind::kJobDefinition));
      }
    }
    out.push_back(std::move(pair));
  }
  return Status::Ok();
}

// The queue or array to list, exactly one of them.
Status ReadListScope(const Members& body, protocol::ListJobsRequest& req) {
  if (body.Find("multiNodeJobId") != nullptr) {
    return Status::InvalidArgument("multiNodeJobId: multi-node jobs are not supported");
  }
  std::optional<std::string> queue;
  GANTRY_RETURN_IF_ERROR(body.GetName("jobQueue", ResourceKind::kJobQueue, queue));
  GANTRY_RETURN_IF_ERROR(body.Get("arrayJobId", req.arrayJobId));
  if (queue.has_value() == req.arrayJobId.has_value()) {
    return Status::InvalidArgument("give exactly one of jobQueue and arrayJobId");
  }
  req.jobQueue = queue.value_or("");
  return Status::Ok();
}

// CancelJob and TerminateJob: the same members, the same empty answer.
template <class Req>
Result<json> StopJob(const json& body, OperationContext& ctx) {
  GANTRY_ASSIGN_OR_RETURN(Members m, Members::Of(body));
  Req req;
  GANTRY_RETURN_IF_ERROR(m.Require("jobId", req.jobId));
  GANTRY_RETURN_IF_ERROR(m.Require("reason", req.reason));
  GANTRY_RETURN_IF_ERROR(ctx.backend->Call(req).status());
  return json::object();
}

}  // namespace

json JobDetailJson(const protocol::ArnScheme& arns, const protocol::Job& job) {
  json j = client::JobToAwsJson(job);
  PutJobArns(arns, job, j);
  SetTags(j, job.tags);
  if (job.submittedBy) j["submittedBy"] = *job.submittedBy;
  return j;
}

json JobSummaryJson(const protocol::ArnScheme& arns, const protocol::Job& job) {
  json j = client::JobSummaryToAwsJson(job);
  PutJobArns(arns, job, j);
  return j;
}

Result<json> DescribeJobs(const json& body, OperationContext& ctx) {
  GANTRY_ASSIGN_OR_RETURN(Members m, Members::Of(body));
  protocol::DescribeJobsRequest req;
  GANTRY_RETURN_IF_ERROR(m.Require("jobs", req.jobs));
  if (req.jobs.empty() || req.jobs.size() > protocol::kMaxDescribeJobs) {
    return Status::InvalidArgument("jobs must list 1-" + std::to_string(protocol::kMaxDescribeJobs) + " job ids, got " +
                                   std::to_string(req.jobs.size()));
  }
  GANTRY_ASSIGN_OR_RETURN(protocol::DescribeJobsReply reply, ctx.backend->Call(req));
  json jobs = json::array();
  for (const protocol::Job& job : reply.jobs) jobs.push_back(JobDetailJson(ctx.arns, job));
  return json{{"jobs", std::move(jobs)}};
}

Result<json> ListJobs(const json& body, OperationContext& ctx) {
  GANTRY_ASSIGN_OR_RETURN(Members m, Members::Of(body));
  protocol::ListJobsRequest req;
  GANTRY_RETURN_IF_ERROR(ReadListScope(m, req));
  GANTRY_RETURN_IF_ERROR(ReadFilters(m, req.filters));
  std::optional<protocol::JobStatus> status;
  GANTRY_RETURN_IF_ERROR(m.Get("jobStatus", status));
  // AWS: with neither a filter nor a status, RUNNING jobs. A filter
  // replaces the status, but SHARE_IDENTIFIER, which combines with it.
  if (req.filters.empty()) {
    req.jobStatus = status.value_or(protocol::JobStatus::kRunning);
  } else if (req.filters.front().name == "SHARE_IDENTIFIER") {
    req.jobStatus = status;
  }
  GANTRY_ASSIGN_OR_RETURN(req.maxResults, ReadMaxResults(m));
  GANTRY_RETURN_IF_ERROR(m.Get("nextToken", req.nextToken));
  GANTRY_ASSIGN_OR_RETURN(protocol::ListJobsReply reply, ctx.backend->Call(req));
  json list = json::array();
  for (const protocol::Job& job : reply.jobSummaryList) list.push_back(JobSummaryJson(ctx.arns, job));
  json out = {{"jobSummaryList", std::move(list)}};
  if (reply.nextToken) out["nextToken"] = *reply.nextToken;
  return out;
}

Result<json> CancelJob(const json& body, OperationContext& ctx) {
  return StopJob<protocol::CancelJobRequest>(body, ctx);
}

Result<json> TerminateJob(const json& body, OperationContext& ctx) {
  return StopJob<protocol::TerminateJobRequest>(body, ctx);
}

}  // namespace gantry::coordinator::http::ops
