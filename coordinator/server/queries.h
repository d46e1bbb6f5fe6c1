// Read-only API calls, answered from the in-memory ClusterState. Pure: the
// caller passes liveness and time in.
#pragma once

#include <string>
#include <unordered_map>

#include "coordinator/server/node_liveness.h"
#include "coordinator/server/wait_board.h"
#include "coordinator/state/cluster_state.h"
#include "protocol/messages.h"

namespace gantry::coordinator {

// `reasons`: the leader's latest waiting reason per RUNNABLE job (see
// WaitBoard). It is shown in place of the stored statusReason while the job
// is RUNNABLE; a new leader fills it on its first scheduler pass.
using WaitReasons = WaitBoard;

// Unknown ids are omitted, as AWS does.
protocol::DescribeJobsReply DescribeJobs(const ClusterState& s, const WaitReasons& reasons,
                                         const protocol::DescribeJobsRequest& req);

// Top-level jobs of one queue in submission order, or the children of one
// array by index, optionally of one status, paged by `nextToken` (an opaque
// position that always advances). With a filter the status is ignored and a
// queue's jobs come newest first, as AWS does. Array parents carry their
// children's statusSummary. kNotFound for an unknown queue or array,
// kInvalidArgument for a malformed token or filter value.
Result<protocol::ListJobsReply> ListJobs(const ClusterState& s, const WaitReasons& reasons,
                                         const protocol::ListJobsRequest& req);

// Empty: every policy. Names or ARNs; kNotFound naming the first unknown.
Result<protocol::DescribeSchedulingPoliciesReply> DescribeSchedulingPolicies(
    const ClusterState& s, const protocol::DescribeSchedulingPoliciesRequest& req);

// The resource's tags (empty when it has none). kNotFound naming it, as
// "job queue q1 not found"; a job definition is named by "name:revision".
Result<protocol::ListTagsForResourceReply> ListTagsForResource(const ClusterState& s,
                                                               const protocol::ListTagsForResourceRequest& req);

// Empty names: all. kNotFound naming the first unknown name.
Result<protocol::DescribeJobQueuesReply> DescribeJobQueues(const ClusterState& s,
                                                           const protocol::DescribeJobQueuesRequest& req);
Result<protocol::DescribeComputeEnvironmentsReply> DescribeComputeEnvironments(
    const ClusterState& s, const NodeLiveness& live, const protocol::DescribeComputeEnvironmentsRequest& req);
// "name" lists every revision; "name:rev" one.
Result<protocol::DescribeJobDefinitionsReply> DescribeJobDefinitions(
    const ClusterState& s, const protocol::DescribeJobDefinitionsRequest& req);
// `now_ms` is monotonic (liveness), `wall_now_ms` epoch ms (controls'
// deadlines). A node silent past its TTL shows LOST; else its control
// (CORDONED, DRAINING, RECLAIMING), else UNSCHEDULABLE or READY.
protocol::DescribeNodesReply DescribeNodes(const ClusterState& s, const NodeLiveness& live, int64_t now_ms,
                                           int64_t wall_now_ms = 0);

// The state already holds what an agent's report (kAttemptStarted or
// kAttemptEnded) says: the attempt has started (or ended), or ended. Agents
// resend reports every heartbeat until acknowledged, so under load the same
// report arrives again while its first copy commits; such a repeat is
// acknowledged at once instead of costing a log entry.
bool ReportAlreadyApplied(const ClusterState& s, protocol::MessageType report, const std::string& attempt_id);

// The statusReason of an ended attempt the coordinator ended without a
// report from its agent ("Node lost: ...", "Node restarted: ..."); empty
// otherwise.
std::string EndedByCoordinator(const ClusterState& s, const std::string& attempt_id);

// Why a report about `attempt_id` from `node_id` is stale (empty: it is
// not): the attempt is unknown, not its job's live one, on another node, or
// carries another fencing token. Call after ReportAlreadyApplied, whose
// duplicates are answered, not ignored.
std::string StaleReportReason(const ClusterState& s, const std::string& node_id, const std::string& attempt_id,
                              std::optional<uint64_t> fencing_token);

}  // namespace gantry::coordinator
