#include "client/resource_tables.h"

#include <gtest/gtest.h>

namespace gantry::client {
namespace {

TEST(ResourceTables, JobQueues) {
  protocol::JobQueue q;
  q.jobQueueName = "high";
  q.priority = 10;
  q.computeEnvironmentOrder = {{1, "spot"}, {2, "ondemand"}};
  EXPECT_EQ(FormatJobQueueTable({q}),
            "NAME  STATE    PRIORITY  COMPUTE ENVIRONMENTS\n"
            "high  ENABLED  10        1:spot 2:ondemand\n");
}

TEST(ResourceTables, ComputeEnvironments) {
  protocol::ComputeEnvironmentView v;
  v.computeEnvironment.computeEnvironmentName = "spot";
  v.computeEnvironment.provisioningModel = protocol::ProvisioningModel::kSpot;
  v.computeEnvironment.maxvCpus = 64;
  v.computeEnvironment.selector = {{"capacity", "spot"}, {"rack", "r1"}};
  v.usedvCpus = 12;
  v.nodes = 3;
  std::string t = FormatComputeEnvironmentTable({v});
  EXPECT_NE(t.find("spot  MANAGED  ENABLED  SPOT   12/64"), std::string::npos) << t;
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
  EXPECT_EQ(FormatNodeTable({n, full}),
            "NODE  STATE          VCPU FREE/TOTAL  MEMORY FREE/TOTAL  DISK FREE/TOTAL  RUNNING  LAST SEEN  DISK QUOTA  REASON\n"
            "n1    READY          6/8              12.0G/16.0G        50.0G/100G       2        400ms ago  loop-ext4   -\n"
            "n2    UNSCHEDULABLE  6/8              12.0G/16.0G        50.0G/100G       2        400ms ago  -           free disk low; cleanup: 1 pending\n");
}

TEST(ResourceTables, Labels) {
  EXPECT_EQ(FormatLabels({}), "-");
  EXPECT_EQ(FormatLabels({{"a", "1"}, {"b", "2"}}), "a=1,b=2");
}

}  // namespace
}  // namespace gantry::client
