// The text tables of describe-job-queues, describe-compute-environments,
// describe-job-definitions, describe-scheduling-policies, nodes and operator
// raft. Pure.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "protocol/messages.h"
#include "protocol/types.h"

namespace gantry::client {

// NAME, STATE, PRIORITY, PREEMPTION RETRIES ("5 (default)" when the queue
// sets none), COMPUTE ENVIRONMENTS ("1:ce1 2:ce2").
std::string FormatJobQueueTable(const std::vector<protocol::JobQueue>& queues);

// NAME, TYPE, STATE, MODEL, PREEMPTIBLE (yes/no), VCPUS (used/max), MIN,
// DESIRED, NODES, SELECTOR.
std::string FormatComputeEnvironmentTable(const std::vector<protocol::ComputeEnvironmentView>& ces);

// NAME, REVISION, STATUS, VCPU, MEMORY, DISK, COMMAND.
std::string FormatJobDefinitionTable(const std::vector<protocol::JobDefinition>& defs);

// NODE, STATE (NodeView.state), CAPACITY (spot/on-demand, from the
// capacity-type label), VCPU, MEMORY and DISK (free/total), RUNNING (how
// many attempts), LAST SEEN, DISK QUOTA, REASON. REASON is the state reason
// or, for a node under an operator's control, the control's reason with, for
// DRAINING and RECLAIMING, the time from `now_ms` (epoch ms) to its
// deadline; then any pending cleanups ("cleanup: ...").
std::string FormatNodeTable(const std::vector<protocol::NodeView>& nodes, int64_t now_ms);

// ID, ADDRESS, ROLE, LEADER ("true"/"false"), by id.
std::string FormatRaftPeerTable(const std::vector<protocol::RaftPeerInfo>& peers);

// NAME, SHARE DECAY ("3600s"), RESERVATION ("10%"), SHARES ("team*=0.5 b=1").
std::string FormatSchedulingPolicyTable(const std::vector<protocol::SchedulingPolicy>& policies);

// KEY, VALUE: list-tags-for-resource's table, by key (only the header when
// there are none).
std::string FormatTagTable(const protocol::Tags& tags);

// "k=v,k2=v2", or "-" when empty.
std::string FormatLabels(const protocol::Labels& labels);

}  // namespace gantry::client
