#include "coordinator/server/queries.h"

#include <charconv>

namespace gantry::coordinator {

namespace {

protocol::Job WithReason(const protocol::Job& job, const WaitReasons& reasons) {
  protocol::Job out = job;
  if (job.status == protocol::JobStatus::kRunnable) {
    auto it = reasons.find(job.jobId);
    if (it != reasons.end()) out.statusReason = it->second;
  }
  return out;
}

}  // namespace

protocol::DescribeJobsReply DescribeJobs(const ClusterState& s, const WaitReasons& reasons,
                                         const protocol::DescribeJobsRequest& req) {
  protocol::DescribeJobsReply reply;
  for (const auto& id : req.jobs) {
    if (const protocol::Job* j = s.FindJob(id)) reply.jobs.push_back(WithReason(*j, reasons));
  }
  return reply;
}

Result<protocol::ListJobsReply> ListJobs(const ClusterState& s, const WaitReasons& reasons,
                                         const protocol::ListJobsRequest& req) {
  if (!s.FindJobQueue(req.jobQueue)) return Status::NotFound("job queue " + req.jobQueue + " not found");
  uint64_t after = 0;
  if (req.nextToken) {
    const std::string& t = *req.nextToken;
    auto [ptr, ec] = std::from_chars(t.data(), t.data() + t.size(), after);
    if (ec != std::errc() || ptr != t.data() + t.size()) {
      return Status::InvalidArgument("nextToken is not one this coordinator issued");
    }
  }
  const uint32_t limit = req.maxResults.value_or(protocol::kDefaultListJobsResults);
  protocol::ListJobsReply reply;
  auto q = s.jobs_by_queue().find(req.jobQueue);
  if (q == s.jobs_by_queue().end()) return reply;
  for (auto it = q->second.upper_bound(after); it != q->second.end(); ++it) {
    const protocol::Job* j = s.FindJob(it->second);
    if (!j || (req.jobStatus && j->status != *req.jobStatus)) continue;
    if (reply.jobSummaryList.size() == limit) {
      // More remain: the token is the position of the last one returned.
      reply.nextToken = std::to_string(std::prev(it)->first);
      break;
    }
    protocol::Job summary = WithReason(*j, reasons);
    for (auto& a : summary.attempts) a.logTail.reset();
    reply.jobSummaryList.push_back(std::move(summary));
  }
  return reply;
}

Result<protocol::DescribeJobQueuesReply> DescribeJobQueues(const ClusterState& s,
                                                           const protocol::DescribeJobQueuesRequest& req) {
  protocol::DescribeJobQueuesReply reply;
  if (req.jobQueues.empty()) {
    for (const auto& [_, q] : s.job_queues()) reply.jobQueues.push_back(q);
    return reply;
  }
  for (const auto& name : req.jobQueues) {
    const protocol::JobQueue* q = s.FindJobQueue(name);
    if (!q) return Status::NotFound("job queue " + name + " not found");
    reply.jobQueues.push_back(*q);
  }
  return reply;
}

Result<protocol::DescribeComputeEnvironmentsReply> DescribeComputeEnvironments(
    const ClusterState& s, const NodeLiveness& live, const protocol::DescribeComputeEnvironmentsRequest& req) {
  auto view = [&](const protocol::ComputeEnvironment& ce) {
    protocol::ComputeEnvironmentView v;
    v.computeEnvironment = ce;
    v.usedvCpus = s.UsedVcpus(ce.computeEnvironmentName);
    for (const auto& [id, n] : s.nodes()) {
      if (live.IsReady(id) && protocol::MatchesSelector(n.node.labels, ce.selector)) ++v.nodes;
    }
    return v;
  };
  protocol::DescribeComputeEnvironmentsReply reply;
  if (req.computeEnvironments.empty()) {
    for (const auto& [_, ce] : s.compute_environments()) reply.computeEnvironments.push_back(view(ce));
    return reply;
  }
  for (const auto& name : req.computeEnvironments) {
    const protocol::ComputeEnvironment* ce = s.FindComputeEnvironment(name);
    if (!ce) return Status::NotFound("compute environment " + name + " not found");
    reply.computeEnvironments.push_back(view(*ce));
  }
  return reply;
}

Result<protocol::DescribeJobDefinitionsReply> DescribeJobDefinitions(
    const ClusterState& s, const protocol::DescribeJobDefinitionsRequest& req) {
  protocol::DescribeJobDefinitionsReply reply;
  if (req.jobDefinitions.empty()) {
    for (const auto& [_, revs] : s.job_definitions()) {
      for (const auto& [__, d] : revs) reply.jobDefinitions.push_back(d);
    }
    return reply;
  }
  for (const auto& ref : req.jobDefinitions) {
    if (ref.find(':') != std::string::npos) {
      GANTRY_ASSIGN_OR_RETURN(const protocol::JobDefinition* d, s.ResolveJobDefinition(ref));
      reply.jobDefinitions.push_back(*d);
      continue;
    }
    auto it = s.job_definitions().find(ref);
    if (it == s.job_definitions().end()) return Status::NotFound("job definition " + ref + " not found");
    for (const auto& [_, d] : it->second) reply.jobDefinitions.push_back(d);
  }
  return reply;
}

protocol::DescribeNodesReply DescribeNodes(const ClusterState& s, const NodeLiveness& live, int64_t now_ms) {
  protocol::DescribeNodesReply reply;
  for (const auto& [id, n] : s.nodes()) {
    protocol::NodeView v;
    v.node = n.node;
    v.free = n.Free();
    v.runningAttempts.assign(n.live_attempts.begin(), n.live_attempts.end());
    int64_t silent = live.SilentFor(id, now_ms);
    v.lastSeenAgoMs = silent;
    if (live.IsReady(id)) {
      v.state = protocol::NodeState::kReady;
    } else {
      v.state = protocol::NodeState::kLost;
      v.stateReason = silent < 0 ? "not heard from since this coordinator started"
                                 : "silent for " + std::to_string(silent / 1000) + "s (TTL " +
                                       std::to_string(live.ttl_ms() / 1000) + "s)";
    }
    reply.nodes.push_back(std::move(v));
  }
  return reply;
}

bool ReportAlreadyApplied(const ClusterState& s, protocol::MessageType report, const std::string& attempt_id) {
  const protocol::Job* job = s.FindJobByAttempt(attempt_id);
  if (!job) return false;
  for (const auto& a : job->attempts) {
    if (a.attemptId != attempt_id) continue;
    if (a.stoppedAt) return true;
    return report == protocol::MessageType::kAttemptStarted && a.startedAt.has_value();
  }
  return false;
}

}  // namespace gantry::coordinator
