#include "coordinator/http/ops_job_queues.h"

#include "client/json_format.h"
#include "coordinator/http/ops_json.h"
#include "coordinator/http/ops_pagination.h"

namespace gantry::coordinator::http::ops {
namespace {

using nlohmann::json;
using protocol::ResourceKind;

Result<std::vector<protocol::ComputeEnvironmentOrder>> ReadOrder(const Members& body) {
  GANTRY_ASSIGN_OR_RETURN(std::vector<Members> entries, body.Objects("computeEnvironmentOrder"));
  std::vector<protocol::ComputeEnvironmentOrder> order;
  for (const Members& e : entries) {
    protocol::ComputeEnvironmentOrder o;
    GANTRY_RETURN_IF_ERROR(e.Require("order", o.order));
    GANTRY_RETURN_IF_ERROR(
        e.RequireName("computeEnvironment", ResourceKind::kComputeEnvironment, o.computeEnvironment));
    order.push_back(std::move(o));
  }
  return order;
}

// The members CreateJobQueue and UpdateJobQueue share, each into a field
// that is a T (create) or a std::optional<T> (update: absent, unchanged).
template <class Queue>
Status ReadQueueSettings(const Members& body, Queue& q) {
  GANTRY_RETURN_IF_ERROR(body.Get("state", q.state));
  GANTRY_RETURN_IF_ERROR(body.Get("priority", q.priority));
  if (body.Find("computeEnvironmentOrder") != nullptr) {
    GANTRY_ASSIGN_OR_RETURN(q.computeEnvironmentOrder, ReadOrder(body));
  }
  GANTRY_RETURN_IF_ERROR(body.GetName("schedulingPolicyArn", ResourceKind::kSchedulingPolicy, q.schedulingPolicyArn));
  return body.Read("jobStateTimeLimitActions", client::ReadJobStateTimeLimitActions, q.jobStateTimeLimitActions);
}

json NameAndArn(const protocol::ArnScheme& arns, const std::string& name) {
  return {{"jobQueueName", name}, {"jobQueueArn", arns.JobQueueArn(name)}};
}

}  // namespace

json JobQueueJson(const protocol::ArnScheme& arns, const protocol::JobQueue& queue) {
  json j = client::JobQueueToAwsJson(queue);
  j["jobQueueArn"] = arns.JobQueueArn(queue.jobQueueName);
  json order = json::array();
  for (const protocol::ComputeEnvironmentOrder& o : queue.computeEnvironmentOrder) {
    order.push_back({{"order", o.order}, {"computeEnvironment", arns.ComputeEnvironmentArn(o.computeEnvironment)}});
  }
  j["computeEnvironmentOrder"] = std::move(order);
  if (queue.schedulingPolicyArn) {
    j["schedulingPolicyArn"] = arns.SchedulingPolicyArn(protocol::SchedulingPolicyName(*queue.schedulingPolicyArn));
  }
  j["status"] = "VALID";
  SetTags(j, queue.tags);
  return j;
}

Result<json> CreateJobQueue(const json& body, OperationContext& ctx) {
  GANTRY_ASSIGN_OR_RETURN(Members m, Members::Of(body));
  protocol::CreateJobQueueRequest req;
  protocol::JobQueue& q = req.jobQueue;
  GANTRY_RETURN_IF_ERROR(m.Require("jobQueueName", q.jobQueueName));
  GANTRY_RETURN_IF_ERROR(m.Present("priority"));
  GANTRY_RETURN_IF_ERROR(m.Present("computeEnvironmentOrder"));
  GANTRY_RETURN_IF_ERROR(ReadQueueSettings(m, q));
  GANTRY_RETURN_IF_ERROR(m.Get("tags", q.tags));
  GANTRY_RETURN_IF_ERROR(ctx.backend->Call(req).status());
  return NameAndArn(ctx.arns, q.jobQueueName);
}

Result<json> UpdateJobQueue(const json& body, OperationContext& ctx) {
  GANTRY_ASSIGN_OR_RETURN(Members m, Members::Of(body));
  protocol::UpdateJobQueueRequest req;
  GANTRY_RETURN_IF_ERROR(m.RequireName("jobQueue", ResourceKind::kJobQueue, req.jobQueue));
  GANTRY_RETURN_IF_ERROR(ReadQueueSettings(m, req));
  GANTRY_RETURN_IF_ERROR(ctx.backend->Call(req).status());
  return NameAndArn(ctx.arns, req.jobQueue);
}

Result<json> DeleteJobQueue(const json& body, OperationContext& ctx) {
  GANTRY_ASSIGN_OR_RETURN(Members m, Members::Of(body));
  protocol::DeleteJobQueueRequest req;
  GANTRY_RETURN_IF_ERROR(m.RequireName("jobQueue", ResourceKind::kJobQueue, req.jobQueue));
  GANTRY_RETURN_IF_ERROR(ctx.backend->Call(req).status());
  return json::object();
}

Result<json> DescribeJobQueues(const json& body, OperationContext& ctx) {
  GANTRY_ASSIGN_OR_RETURN(Members m, Members::Of(body));
  std::vector<std::string> names;
  GANTRY_RETURN_IF_ERROR(m.GetNames("jobQueues", ResourceKind::kJobQueue, names));
  GANTRY_ASSIGN_OR_RETURN(PageRequest page_request, ReadPageRequest(m));
  // Every queue, then the names asked for: AWS leaves unknown names out.
  GANTRY_ASSIGN_OR_RETURN(protocol::DescribeJobQueuesReply reply,
                          ctx.backend->Call(protocol::DescribeJobQueuesRequest{}));
  auto name = [](const protocol::JobQueue& q) { return q.jobQueueName; };
  Page<protocol::JobQueue> page = TakePage(KeepNamed(std::move(reply.jobQueues), names, name), name, page_request);
  json out = json::object();
  PutPage(out, "jobQueues", page, [&](const protocol::JobQueue& q) { return JobQueueJson(ctx.arns, q); });
  return out;
}

}  // namespace gantry::coordinator::http::ops
