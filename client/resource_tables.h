// The text tables of describe-job-queues, describe-compute-environments,
// describe-job-definitions, describe-scheduling-policies, nodes and operator
// raft. Pure.
#pragma once

#include <string>
#include <vector>

#include "protocol/messages.h"
#include "protocol/types.h"

namespace gantry::client {

// NAME, STATE, PRIORITY, COMPUTE ENVIRONMENTS ("1:ce1 2:ce2").
std::string FormatJobQueueTable(const std::vector<protocol::JobQueue>& queues);

// NAME, TYPE, STATE, MODEL, VCPUS (used/max), MIN, DESIRED, NODES, SELECTOR.
std::string FormatComputeEnvironmentTable(const std::vector<protocol::ComputeEnvironmentView>& ces);

// NAME, REVISION, STATUS, VCPU, MEMORY, DISK, COMMAND.
std::string FormatJobDefinitionTable(const std::vector<protocol::JobDefinition>& defs);

// NODE, STATE, VCPU (free/total), MEMORY, DISK, RUNNING, LAST SEEN.
std::string FormatNodeTable(const std::vector<protocol::NodeView>& nodes);

// ID, ADDRESS, ROLE, LEADER ("true"/"false"), by id.
std::string FormatRaftPeerTable(const std::vector<protocol::RaftPeerInfo>& peers);

// NAME, SHARE DECAY ("3600s"), RESERVATION ("10%"), SHARES ("team*=0.5 b=1").
std::string FormatSchedulingPolicyTable(const std::vector<protocol::SchedulingPolicy>& policies);

// "k=v,k2=v2", or "-" when empty.
std::string FormatLabels(const protocol::Labels& labels);

}  // namespace gantry::client
