#include "client/resource_tables.h"

#include <gtest/gtest.h>

#include <optional>

namespace gantry::client {
namespace {

TEST(ResourceTables, JobQueues) {
  protocol::JobQueue q;
  q.jobQueueName = "high";
  q.priority = 10;
  q.computeEnvironmentOrder = {{1, "spot"}, {2, "ondemand"}};
  protocol::JobQueue low = q;
  low.jobQueueName = "low";
  low.priority = 1;
  low.preemptionRetries = 0;
  EXPECT_EQ(FormatJobQueueTable({q, low}),
            "NAME  STATE    PRIORITY  PREEMPTION RETRIES  COMPUTE ENVIRONMENTS\n"
            "high  ENABLED  10        5 (default)         1:spot 2:ondemand\n"
            "low   ENABLED  1         0                   1:spot 2:ondemand\n");
}

TEST(ResourceTables, ComputeEnvironments) {
  protocol::ComputeEnvironmentView v;
  v.computeEnvironment.computeEnvironmentName = "spot";
  v.computeEnvironment.provisioningModel = protocol::ProvisioningModel::kSpot;
  v.computeEnvironment.maxvCpus = 64;
  v.computeEnvironment.selector = {{"capacity", "spot"}, {"rack", "r1"}};
  v.usedvCpus = 12;
  v.nodes = 3;
  protocol::ComputeEnvironmentView od = v;
  od.computeEnvironment.computeEnvironmentName = "od";
  od.computeEnvironment.provisioningModel = protocol::ProvisioningModel::kOnDemand;
  v.computeEnvironment.preemptible = true;
  std::string t = FormatComputeEnvironmentTable({v, od});
  EXPECT_NE(t.find("NAME  TYPE     STATE    MODEL      PREEMPTIBLE  VCPUS USED/MAX"), std::string::npos) << t;
  EXPECT_NE(t.find("\nspot  MANAGED  ENABLED  SPOT       yes          12/64"), std::string::npos) << t;
  EXPECT_NE(t.find("\nod    MANAGED  ENABLED  ON_DEMAND  no           12/64"), std::string::npos) << t;
  EXPECT_NE(t.find("capacity=spot,rack=r1"), std::string::npos) << t;
}

TEST(ResourceTables, JobDefinitions) {
  protocol::JobDefinition d;
  d.jobDefinitionName = "sleeper";
  d.revision = 3;
  d.command = {"sleep", "10"};
  d.resources = {2, 2048, 0};
  EXPECT_EQ(FormatJobDefinitionTable({d}),
            "NAME     REVISION  STATUS  VCPU  MEMORY  DISK  COMMAND\n"
            "sleeper  3         ACTIVE  2     2.0G    -     sleep 10\n");
}

TEST(ResourceTables, Nodes) {
  protocol::NodeView n;
  n.node.nodeId = "n1";
  n.node.capacity = {8, 16384, 102400};
  n.free = {6, 12288, 51200};
  n.runningAttempts = {"j1#1", "j2#1"};
  n.lastSeenAgoMs = 400;
  n.node.diskQuota = "loop-ext4";
  protocol::NodeView full = n;
  full.node.nodeId = "n2";
  full.node.diskQuota.reset();
  full.state = protocol::NodeState::kUnschedulable;
  full.stateReason = "free disk low";
  full.cleanupPending = "1 pending";
  full.node.labels = {{protocol::kCapacityTypeLabel, "spot"}};
  EXPECT_EQ(FormatNodeTable({n, full}, 0),
            "NODE  STATE          CAPACITY   VCPU FREE/TOTAL  MEMORY FREE/TOTAL  DISK FREE/TOTAL  RUNNING  LAST SEEN  DISK QUOTA  REASON\n"
            "n1    READY          on-demand  6/8              12.0G/16.0G        50.0G/100G       2        400ms ago  loop-ext4   -\n"
            "n2    UNSCHEDULABLE  spot       6/8              12.0G/16.0G        50.0G/100G       2        400ms ago  -           free disk low; cleanup: 1 pending\n");
}

// A node under an operator's control, in `state`, seen at kNow.
constexpr int64_t kNow = 1'796'432'400'000;

protocol::NodeView Controlled(std::string id, protocol::NodeState state, protocol::NodeControlState control,
                              std::string reason, std::optional<int64_t> deadline_at) {
  protocol::NodeView v;
  v.node.nodeId = std::move(id);
  v.node.capacity = {4, 4096, 0};
  v.free = {4, 4096, 0};
  v.state = state;
  v.stateReason = "set by the coordinator";
  v.node.control = protocol::NodeControl{control, std::move(reason), kNow - 60'000, deadline_at};
  return v;
}

// The last column (REASON) of the node's row: it starts where its header does.
std::string ReasonColumn(const protocol::NodeView& v) {
  std::string table = FormatNodeTable({v}, kNow);
  std::string row = table.substr(table.find('\n') + 1);
  const size_t at = table.find("REASON");
  return row.substr(at, row.size() - at - 1);
}

TEST(ResourceTables, NodeStatesAndWhy) {
  using protocol::NodeControlState;
  using protocol::NodeState;
  protocol::NodeView ready;
  ready.node.nodeId = "r";
  EXPECT_EQ(ReasonColumn(ready), "-");
  protocol::NodeView lost = ready;
  lost.state = NodeState::kLost;
  lost.stateReason = "silent for 31s";
  EXPECT_EQ(ReasonColumn(lost), "silent for 31s");

  EXPECT_EQ(ReasonColumn(Controlled("c", NodeState::kCordoned, NodeControlState::kCordoned, "disk swap", {})),
            "disk swap");
  EXPECT_EQ(ReasonColumn(Controlled("c", NodeState::kCordoned, NodeControlState::kCordoned, "", {})), "cordoned");
  EXPECT_EQ(ReasonColumn(Controlled("d", NodeState::kDraining, NodeControlState::kDraining, "kernel upgrade",
                                    kNow + 250'000)),
            "kernel upgrade (4m10s left)");
  EXPECT_EQ(ReasonColumn(Controlled("d", NodeState::kDraining, NodeControlState::kDraining, "kernel upgrade", {})),
            "kernel upgrade (no deadline)");
  EXPECT_EQ(ReasonColumn(Controlled("d", NodeState::kDraining, NodeControlState::kDraining, "x", kNow - 5'000)),
            "x (deadline passed 5.0s ago)");
  EXPECT_EQ(ReasonColumn(Controlled("s", NodeState::kReclaiming, NodeControlState::kReclaiming,
                                    "spot interruption notice", kNow + 90'000)),
            "spot interruption notice (1m30s left)");
  // Lost while draining: both why it is lost and what was asked of it.
  protocol::NodeView lost_draining =
      Controlled("l", NodeState::kLost, NodeControlState::kDraining, "kernel upgrade", kNow + 60'000);
  lost_draining.stateReason = "silent for 31s";
  lost_draining.cleanupPending = "1 pending";
  EXPECT_EQ(ReasonColumn(lost_draining), "silent for 31s; kernel upgrade (1m00s left); cleanup: 1 pending");

  // Each state by its name in the STATE column.
  std::vector<protocol::NodeView> all = {
      ready, lost, Controlled("c", NodeState::kCordoned, NodeControlState::kCordoned, "", {}),
      Controlled("d", NodeState::kDraining, NodeControlState::kDraining, "", {}),
      Controlled("s", NodeState::kReclaiming, NodeControlState::kReclaiming, "", kNow)};
  all.push_back(ready);
  all.back().state = NodeState::kUnschedulable;
  std::string table = FormatNodeTable(all, kNow);
  for (const char* state : {"\nr     READY ", "\nr     LOST ", "\nc     CORDONED ", "\nd     DRAINING ",
                            "\ns     RECLAIMING ", "\nr     UNSCHEDULABLE "}) {
    EXPECT_NE(table.find(state), std::string::npos) << state << "\n" << table;
  }
}

TEST(ResourceTables, Labels) {
  EXPECT_EQ(FormatLabels({}), "-");
  EXPECT_EQ(FormatLabels({{"a", "1"}, {"b", "2"}}), "a=1,b=2");
}

}  // namespace
}  // namespace gantry::client
