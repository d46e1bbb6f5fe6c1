#include "coordinator/server/housekeeping.h"

#include <gtest/gtest.h>

#include "coordinator/server/server_test_util.h"

namespace gantry::coordinator {
namespace {

void Cluster(StateBuilder& b) { b.Ce("ce").Queue("q", "ce").Def("d").Node("n1"); }

// Jobs stop at their end command's time: 1000 + its index.
TEST(SelectPurge, TakesFinishedJobsPastRetentionOldestFirst) {
  StateBuilder b;
  Cluster(b);
  b.Submit("old", "q").Submit("new", "q").Submit("running", "q");
  b.Place("old", "n1", "ce").Place("new", "n1", "ce").Place("running", "n1", "ce");
  b.End("old-1", "n1", 0);  // index 11: stopped at 1011
  b.End("new-1", "n1", 1);  // index 12: stopped at 1012
  EXPECT_EQ(SelectPurge(b.state(), 1011 + 500, 500, 100), std::vector<std::string>{"old"});
  EXPECT_EQ(SelectPurge(b.state(), 1012 + 500, 500, 100), (std::vector<std::string>{"old", "new"}));
  EXPECT_TRUE(SelectPurge(b.state(), 1010 + 500, 500, 100).empty());
}

TEST(SelectPurge, CountsAnArraysChildrenAgainstTheBatch) {
  StateBuilder b;
  Cluster(b);
  b.Array("arr", "q", 3).Cancel("arr");  // every child FAILED, so the parent is
  b.Submit("single", "q").Cancel("single");
  ASSERT_EQ(b.state().FindJob("arr")->status, protocol::JobStatus::kFailed);
  // The array alone is 4 records: a batch of 2 takes it whole, and stops.
  EXPECT_EQ(SelectPurge(b.state(), 1'000'000, 1, 2), std::vector<std::string>{"arr"});
  EXPECT_EQ(SelectPurge(b.state(), 1'000'000, 1, 5), (std::vector<std::string>{"arr", "single"}));
}

protocol::JobQueue LimitedQueue(const std::string& reason, uint32_t seconds,
                                protocol::JobStateTimeLimitAction action) {
  protocol::JobQueue q;
  q.jobQueueName = "limited";
  q.computeEnvironmentOrder = {{1, "ce"}};
  q.jobStateTimeLimitActions = {{.reason = reason, .state = "RUNNABLE", .maxTimeSeconds = seconds, .action = action}};
  return q;
}

TEST(SelectTimeLimitActions, CancelsOnlyMatchingJobsPastTheLimit) {
  StateBuilder b;
  Cluster(b);
  Command c{CommandType::kCreateJobQueue};
  c.jobQueue = LimitedQueue("MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT", 60, protocol::JobStateTimeLimitAction::kCancel);
  b.Run(c);
  b.Submit("huge", "limited").Submit("small", "limited").Submit("other-queue", "q");
  const int64_t since = *b.state().FindJob("huge")->runnableAt;
  WaitBoard board;
  auto file = [&](const std::string& id, const std::string& reason, const std::string& code) {
    board.File(b.state().FindJob(id)->sequence, reason, code);
  };
  file("huge", "no node could ever fit it", "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT");
  file("small", "waiting for capacity", "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY");
  file("other-queue", "no node could ever fit it", "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT");
  EXPECT_TRUE(SelectTimeLimitActions(b.state(), board, since + 59'999).empty());
  auto actions = SelectTimeLimitActions(b.state(), board, since + 60'000);
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(actions[0].jobId, "huge");
  EXPECT_EQ(actions[0].type, CommandType::kCancelJob);
  EXPECT_EQ(actions[0].reason,
            "MISCONFIGURATION:JOB_RESOURCE_REQUIREMENT: RUNNABLE for more than 60 s (no node could ever fit it)");
}

TEST(SelectTimeLimitActions, TerminateActionAndJobsNoPassHasSeen) {
  StateBuilder b;
  Cluster(b);
  Command c{CommandType::kCreateJobQueue};
  c.jobQueue = LimitedQueue("CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY", 1, protocol::JobStateTimeLimitAction::kTerminate);
  b.Run(c);
  b.Submit("seen", "limited").Submit("unseen", "limited");
  WaitBoard board;
  board.File(b.state().FindJob("seen")->sequence, "waiting for capacity", "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY");
  auto actions = SelectTimeLimitActions(b.state(), board, 1'000'000);
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(actions[0].jobId, "seen");
  EXPECT_EQ(actions[0].type, CommandType::kTerminateJob);
}

}  // namespace
}  // namespace gantry::coordinator
