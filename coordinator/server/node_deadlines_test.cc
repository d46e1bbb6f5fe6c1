#include "coordinator/server/node_deadlines.h"

#include <gtest/gtest.h>

#include "coordinator/server/server_test_util.h"

namespace gantry::coordinator {
namespace {

using protocol::NodeControl;
using protocol::NodeControlState;

NodeControl Draining(std::optional<int64_t> deadline) {
  return NodeControl{.state = NodeControlState::kDraining, .reason = "drained by operator", .requestedAt = 0,
                     .deadlineAt = deadline};
}

TEST(SelectDrainDeadlineStops, StopsLiveAttemptsOnlyOnceTheDeadlinePassed) {
  StateBuilder b;
  b.Ce("ce").Queue("q", "ce").Def("d").Node("n1").Node("n2");
  b.Submit("a", "q").Submit("b", "q").Submit("c", "q");
  b.Place("a", "n1", "ce").Place("b", "n1", "ce").Place("c", "n2", "ce");
  b.Control("n1", Draining(50'000));
  EXPECT_TRUE(SelectDrainDeadlineStops(b.state(), 49'999).empty());
  std::vector<AttemptInterruption> stops = SelectDrainDeadlineStops(b.state(), 50'000);
  ASSERT_EQ(stops.size(), 2u);
  EXPECT_EQ(stops[0].attemptId, "a-1");
  EXPECT_EQ(stops[1].attemptId, "b-1");
  EXPECT_EQ(stops[0].interruption.kind, protocol::InterruptionKind::kDrained);
  EXPECT_EQ(stops[0].interruption.reason, "Node drained: n1 (deadline passed)");
}

TEST(SelectDrainDeadlineStops, LeavesDrainsWithoutDeadlineAndInterruptedAttempts) {
  StateBuilder b;
  b.Ce("ce").Queue("q", "ce").Def("d").Node("n1").Node("n2");
  b.Submit("a", "q").Submit("b", "q");
  b.Place("a", "n1", "ce").Place("b", "n2", "ce");
  b.Control("n1", Draining(std::nullopt));
  EXPECT_TRUE(SelectDrainDeadlineStops(b.state(), 1'000'000'000).empty());
  Command interrupt{CommandType::kInterruptAttempts};
  interrupt.interrupt = InterruptAttemptsCommand{{{"b-1", {protocol::InterruptionKind::kPreempted, "preempted"}}}};
  b.Run(interrupt);
  b.Control("n2", Draining(10));
  EXPECT_TRUE(SelectDrainDeadlineStops(b.state(), 1'000'000'000).empty()) << "b-1 is already being stopped";
}

TEST(SelectOverdueReclaimKills, OrdersKillsOnlyPastTheDeadlineAndTheSlack) {
  StateBuilder b;
  b.Ce("ce").Queue("q", "ce").Def("d").Node("n1");
  b.Submit("a", "q").Place("a", "n1", "ce");
  b.Control("n1", NodeControl{.state = NodeControlState::kReclaiming, .reason = "spot", .deadlineAt = 20'000});
  EXPECT_TRUE(SelectOverdueReclaimKills(b.state(), 25'000, 5'000).empty());
  std::vector<KillOrder> kills = SelectOverdueReclaimKills(b.state(), 25'001, 5'000);
  ASSERT_EQ(kills.size(), 1u);
  EXPECT_EQ(kills[0].nodeId, "n1");
  EXPECT_EQ(kills[0].attemptId, "a-1");
  EXPECT_EQ(kills[0].reason, "Node reclaimed: n1");
}

TEST(DecideReclaim, RecordsANodesOwnNoticeAndResendsOnlyToTheBootThatRunsTheJobs) {
  StateBuilder b;
  b.Ce("ce").Queue("q", "ce").Def("d").Node("n1");
  protocol::NodeStatus status;
  status.node = b.state().FindNode("n1")->node;  // boot "boot"
  EXPECT_EQ(DecideReclaim(nullptr, status), ReclaimAction::kNone);
  EXPECT_EQ(DecideReclaim(b.state().FindNode("n1"), status), ReclaimAction::kNone);
  status.reclaim = protocol::ReclaimNotice{.graceLeftMs = 1000, .source = "notice file"};
  EXPECT_EQ(DecideReclaim(b.state().FindNode("n1"), status), ReclaimAction::kRecord);
  b.Submit("a", "q").Place("a", "n1", "ce");
  b.Control("n1", NodeControl{.state = NodeControlState::kReclaiming, .reason = "spot", .deadlineAt = 99'000});
  EXPECT_EQ(DecideReclaim(b.state().FindNode("n1"), status), ReclaimAction::kNone) << "already recorded";
  status.reclaim.reset();
  EXPECT_EQ(DecideReclaim(b.state().FindNode("n1"), status), ReclaimAction::kResend) << "the notice was lost";
  status.node.bootId = "a new boot";
  EXPECT_EQ(DecideReclaim(b.state().FindNode("n1"), status), ReclaimAction::kNone) << "a restarted agent";
}

TEST(ControlFor, TurnsEachActionIntoItsControl) {
  protocol::NodeControlRequest r{.nodeId = "n1", .action = protocol::NodeAction::kCordon};
  std::optional<NodeControl> c = ControlFor(r, 7000);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->state, NodeControlState::kCordoned);
  EXPECT_EQ(c->reason, "cordoned by operator");
  EXPECT_EQ(c->requestedAt, 7000);
  EXPECT_FALSE(c->deadlineAt);

  r.action = protocol::NodeAction::kUncordon;
  EXPECT_FALSE(ControlFor(r, 7000));

  r.action = protocol::NodeAction::kDrain;
  r.deadlineSeconds = 30;
  r.reason = "kernel upgrade";
  c = ControlFor(r, 7000);
  EXPECT_EQ(c->state, NodeControlState::kDraining);
  EXPECT_EQ(c->reason, "kernel upgrade");
  EXPECT_EQ(c->deadlineAt, 37'000);

  r = {.nodeId = "n1", .action = protocol::NodeAction::kReclaim};
  c = ControlFor(r, 1000);
  EXPECT_EQ(c->state, NodeControlState::kReclaiming);
  EXPECT_EQ(c->deadlineAt, 1000 + 120'000) << "a spot notice's two minutes by default";
}

TEST(ViewOfControl, ShowsStateReasonAndTimeLeft) {
  protocol::Node n;
  EXPECT_FALSE(ViewOfControl(n, 0));
  n.control = Draining(61'000);
  std::optional<ControlView> v = ViewOfControl(n, 1'000);
  ASSERT_TRUE(v);
  EXPECT_EQ(v->state, protocol::NodeState::kDraining);
  EXPECT_EQ(v->reason, "drained by operator; running jobs stopped at the deadline, 60 s left");
  EXPECT_EQ(ViewOfControl(n, 70'000)->reason, "drained by operator; running jobs stopped at the deadline, deadline passed");
  n.control = Draining(std::nullopt);
  EXPECT_EQ(ViewOfControl(n, 0)->reason, "drained by operator; running jobs may finish, no deadline");
  n.control = NodeControl{.state = NodeControlState::kCordoned, .reason = "bad disk"};
  EXPECT_EQ(ViewOfControl(n, 0)->state, protocol::NodeState::kCordoned);
  EXPECT_EQ(ViewOfControl(n, 0)->reason, "bad disk");
}

}  // namespace
}  // namespace gantry::coordinator
