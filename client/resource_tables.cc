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
    std::string retries = q.preemptionRetries
                              ? std::to_string(*q.preemptionRetries)
                              : std::to_string(protocol::kDefaultPreemptionRetries) + " (default)";
    rows.push_back({q.jobQueueName, protocol::EnumName(q.state), std::to_string(q.priority), retries, ces});
  }
  return FormatTable({"NAME", "STATE", "PRIORITY", "PREEMPTION RETRIES", "COMPUTE ENVIRONMENTS"}, rows);
}

std::string FormatComputeEnvironmentTable(const std::vector<protocol::ComputeEnvironmentView>& ces) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& view : ces) {
    const auto& ce = view.computeEnvironment;
    rows.push_back({ce.computeEnvironmentName, protocol::EnumName(ce.type), protocol::EnumName(ce.state),
                    protocol::EnumName(ce.provisioningModel), ce.IsPreemptible() ? "yes" : "no",
                    FreeOfTotal(std::to_string(view.usedvCpus), std::to_string(ce.maxvCpus)),
                    std::to_string(ce.minvCpus), std::to_string(ce.desiredvCpus),
                    std::to_string(view.nodes), FormatLabels(ce.selector)});
  }
  return FormatTable(
      {"NAME", "TYPE", "STATE", "MODEL", "PREEMPTIBLE", "VCPUS USED/MAX", "MIN", "DESIRED", "NODES", "SELECTOR"}, rows);
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

bool IsControlState(protocol::NodeState s) {
  return s == protocol::NodeState::kCordoned || s == protocol::NodeState::kDraining ||
         s == protocol::NodeState::kReclaiming;
}

// "drained by operator (4m10s left)": the control's reason (its state when it
// gave none) and, while draining or reclaiming, where its deadline stands.
std::string ControlReason(const protocol::NodeControl& c, int64_t now_ms) {
  std::string out = c.reason;
  if (out.empty()) {
    out = protocol::EnumName(c.state);
    for (char& ch : out) ch = static_cast<char>(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
  }
  if (c.state != protocol::NodeControlState::kDraining && c.state != protocol::NodeControlState::kReclaiming) {
    return out;
  }
  if (!c.deadlineAt) return out + " (no deadline)";
  const int64_t left = *c.deadlineAt - now_ms;
  if (left > 0) return out + " (" + FormatDuration(left) + " left)";
  return out + " (deadline passed " + FormatDuration(-left) + " ago)";
}

// The state reason (the control's, when the node is under one), then its
// pending cleanups; "-" when there is nothing to say.
std::string NodeReason(const protocol::NodeView& n, int64_t now_ms) {
  const bool controlled = n.node.ControlState() != protocol::NodeControlState::kActive;
  std::string out;
  // A LOST or UNSCHEDULABLE node under a control says both why it is so and
  // what was asked of it.
  if (!(controlled && IsControlState(n.state))) out = n.stateReason;
  if (controlled) out += (out.empty() ? "" : "; ") + ControlReason(*n.node.control, now_ms);
  if (n.cleanupPending) out += (out.empty() ? "" : "; ") + std::string("cleanup: ") + *n.cleanupPending;
  return out.empty() ? "-" : OneLine(out);
}

}  // namespace

std::string FormatNodeTable(const std::vector<protocol::NodeView>& nodes, int64_t now_ms) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& n : nodes) {
    const auto& cap = n.node.capacity;
    rows.push_back({n.node.nodeId, protocol::EnumName(n.state),
                    protocol::IsSpotNode(n.node.labels) ? "spot" : "on-demand",
                    FreeOfTotal(std::to_string(n.free.vcpus), std::to_string(cap.vcpus)),
                    FreeOfTotal(FormatMib(n.free.memoryMib), FormatMib(cap.memoryMib)),
                    FreeOfTotal(FormatMib(n.free.diskMib), FormatMib(cap.diskMib)),
                    std::to_string(n.runningAttempts.size()), FormatDuration(n.lastSeenAgoMs) + " ago",
                    OneLine(n.node.diskQuota.value_or("-")), NodeReason(n, now_ms)});
  }
  return FormatTable({"NODE", "STATE", "CAPACITY", "VCPU FREE/TOTAL", "MEMORY FREE/TOTAL", "DISK FREE/TOTAL",
                      "RUNNING", "LAST SEEN", "DISK QUOTA", "REASON"},
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

std::string FormatTagTable(const protocol::Tags& tags) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& [key, value] : tags) rows.push_back({OneLine(key), OneLine(value)});
  return FormatTable({"KEY", "VALUE"}, rows);
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
