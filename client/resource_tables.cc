#include "client/resource_tables.h"

#include <algorithm>
#include <cstdio>

#include "client/output.h"

namespace gantry::client {

std::string FormatLabels(const protocol::Labels& labels) {
  if (labels.empty()) return "-";
  std::string out;
  for (const auto& [k, v] : labels) {
    if (!out.empty()) out += ',';
    out += k + "=" + v;
  }
  return OneLine(out);
}

std::string FormatJobQueueTable(const std::vector<protocol::JobQueue>& queues) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& q : queues) {
    std::string ces;
    for (const auto& o : q.computeEnvironmentOrder) {
      if (!ces.empty()) ces += ' ';
      ces += std::to_string(o.order) + ":" + o.computeEnvironment;
    }
    rows.push_back({q.jobQueueName, protocol::EnumName(q.state), std::to_string(q.priority), ces});
  }
  return FormatTable({"NAME", "STATE", "PRIORITY", "COMPUTE ENVIRONMENTS"}, rows);
}

std::string FormatComputeEnvironmentTable(const std::vector<protocol::ComputeEnvironmentView>& ces) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& view : ces) {
    const auto& ce = view.computeEnvironment;
    rows.push_back({ce.computeEnvironmentName, protocol::EnumName(ce.type), protocol::EnumName(ce.state),
                    protocol::EnumName(ce.provisioningModel),
                    FreeOfTotal(std::to_string(view.usedvCpus), std::to_string(ce.maxvCpus)),
                    std::to_string(ce.minvCpus), std::to_string(ce.desiredvCpus),
                    std::to_string(view.nodes), FormatLabels(ce.selector)});
  }
  return FormatTable({"NAME", "TYPE", "STATE", "MODEL", "VCPUS USED/MAX", "MIN", "DESIRED", "NODES", "SELECTOR"},
                     rows);
}

std::string FormatJobDefinitionTable(const std::vector<protocol::JobDefinition>& defs) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& d : defs) {
    std::string command;
    for (const auto& arg : d.command) command += (command.empty() ? "" : " ") + arg;
    if (command.size() > 60) command = command.substr(0, 57) + "...";
    rows.push_back({d.jobDefinitionName, std::to_string(d.revision), d.status,
                    std::to_string(d.resources.vcpus), FormatMib(d.resources.memoryMib),
                    d.resources.diskMib > 0 ? FormatMib(d.resources.diskMib) : "-",
                    command.empty() ? "-" : OneLine(command)});
  }
  return FormatTable({"NAME", "REVISION", "STATUS", "VCPU", "MEMORY", "DISK", "COMMAND"}, rows);
}

namespace {
// The node's state reason and its pending cleanups, "-" when neither.
std::string NodeReason(const protocol::NodeView& n) {
  std::string out = n.stateReason;
  if (n.cleanupPending) out += (out.empty() ? "" : "; ") + std::string("cleanup: ") + *n.cleanupPending;
  return out.empty() ? "-" : OneLine(out);
}
}  // namespace

std::string FormatNodeTable(const std::vector<protocol::NodeView>& nodes) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& n : nodes) {
    const auto& cap = n.node.capacity;
    rows.push_back({n.node.nodeId, protocol::EnumName(n.state),
                    FreeOfTotal(std::to_string(n.free.vcpus), std::to_string(cap.vcpus)),
                    FreeOfTotal(FormatMib(n.free.memoryMib), FormatMib(cap.memoryMib)),
                    FreeOfTotal(FormatMib(n.free.diskMib), FormatMib(cap.diskMib)),
                    std::to_string(n.runningAttempts.size()), FormatDuration(n.lastSeenAgoMs) + " ago",
                    OneLine(n.node.diskQuota.value_or("-")), NodeReason(n)});
  }
  return FormatTable({"NODE", "STATE", "VCPU FREE/TOTAL", "MEMORY FREE/TOTAL", "DISK FREE/TOTAL", "RUNNING",
                      "LAST SEEN", "DISK QUOTA", "REASON"},
                     rows);
}

std::string FormatRaftPeerTable(const std::vector<protocol::RaftPeerInfo>& peers) {
  std::vector<protocol::RaftPeerInfo> sorted = peers;
  std::sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  std::vector<std::vector<std::string>> rows;
  for (const auto& p : sorted) {
    rows.push_back({std::to_string(p.id), OneLine(p.address), OneLine(p.role), p.leader ? "true" : "false"});
  }
  return FormatTable({"ID", "ADDRESS", "ROLE", "LEADER"}, rows);
}

std::string FormatSchedulingPolicyTable(const std::vector<protocol::SchedulingPolicy>& policies) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& p : policies) {
    const protocol::FairsharePolicy& f = p.fairsharePolicy;
    std::string shares;
    for (const auto& share : f.shareDistribution) {
      char weight[32];
      std::snprintf(weight, sizeof(weight), "%g", share.weightFactor);
      shares += (shares.empty() ? "" : " ") + share.shareIdentifier + "=" + weight;
    }
    rows.push_back({p.name, std::to_string(f.shareDecaySeconds) + "s", std::to_string(f.computeReservation) + "%",
                    shares.empty() ? "-" : OneLine(shares)});
  }
  return FormatTable({"NAME", "SHARE DECAY", "RESERVATION", "SHARES (weight)"}, rows);
}

}  // namespace gantry::client
