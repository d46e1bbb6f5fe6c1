#include "node/reclaim.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <vector>

#include "protocol/types.h"

namespace gantry::node {
namespace {

using ::testing::HasSubstr;

constexpr int64_t kNow = 1'000'000;
constexpr int64_t kDefaultGraceMs = int64_t{protocol::kDefaultReclaimGraceSeconds} * 1000;

TEST(Reclaim, IsIdleUntilBegun) {
  Reclaim r;
  EXPECT_FALSE(r.active());
  EXPECT_EQ(r.GraceLeftMs(kNow), 0);
}

TEST(Reclaim, CountsDownToItsDeadline) {
  Reclaim r;
  ASSERT_TRUE(r.Begin(kNow, 2500, "SIGUSR1"));
  EXPECT_TRUE(r.active());
  EXPECT_EQ(r.deadline_ms(), kNow + 2500);
  EXPECT_EQ(r.source(), "SIGUSR1");
  EXPECT_EQ(r.GraceLeftMs(kNow + 1000), 1500);
  EXPECT_FALSE(r.Expired(kNow + 2499));
  EXPECT_TRUE(r.Expired(kNow + 2500));
  EXPECT_EQ(r.GraceLeftMs(kNow + 9000), 0);  // never negative
}

TEST(Reclaim, FirstDeadlineHoldsAgainstEarlierAndLaterRepeats) {
  Reclaim r;
  ASSERT_TRUE(r.Begin(kNow, 10'000, "coordinator"));
  EXPECT_FALSE(r.Begin(kNow + 1, 1, "notice file /x"));
  EXPECT_FALSE(r.Begin(kNow + 1, 100'000, "SIGUSR1"));
  EXPECT_EQ(r.deadline_ms(), kNow + 10'000);
  EXPECT_EQ(r.source(), "coordinator");
}

TEST(Reclaim, NegativeGraceIsNone) {
  Reclaim r;
  ASSERT_TRUE(r.Begin(kNow, -5, "SIGUSR1"));
  EXPECT_TRUE(r.Expired(kNow));
}

TEST(Reclaim, UnschedulableReasonRoundsTheSecondsUp) {
  Reclaim r;
  ASSERT_TRUE(r.Begin(kNow, 2000, "coordinator: spot"));
  EXPECT_EQ(r.UnschedulableReason(kNow), "node is being reclaimed (coordinator: spot): 2 s left");
  EXPECT_EQ(r.UnschedulableReason(kNow + 1), "node is being reclaimed (coordinator: spot): 2 s left");
  EXPECT_EQ(r.UnschedulableReason(kNow + 1000), "node is being reclaimed (coordinator: spot): 1 s left");
  EXPECT_EQ(r.UnschedulableReason(kNow + 5000), "node is being reclaimed (coordinator: spot): 0 s left");
}

TEST(Reclaim, LongSourcesAreCutToFitNodeStatus) {
  Reclaim r;
  ASSERT_TRUE(r.Begin(kNow, 120'000, "notice file /" + std::string(2000, 'd')));
  const std::string reason = r.UnschedulableReason(kNow);
  EXPECT_LE(reason.size(), kMaxReclaimTextBytes);
  EXPECT_THAT(reason, ::testing::EndsWith("): 120 s left"));
  protocol::ReclaimNotice notice = r.Notice(kNow + 20'000);
  EXPECT_EQ(notice.graceLeftMs, 100'000);
  EXPECT_EQ(notice.source.size(), kMaxReclaimTextBytes);
  // What the agent sends passes the coordinator's checks.
  protocol::NodeStatus status;
  status.node.nodeId = "n1";
  status.node.bootId = "b";
  status.unschedulableReason = reason;
  status.reclaim = notice;
  EXPECT_TRUE(status.Validate().ok()) << status.Validate().ToString();
}

TEST(ParseNoticeGrace, ReadsWholeSeconds) {
  EXPECT_EQ(ParseNoticeGrace("1").grace_ms, 1000);
  EXPECT_EQ(ParseNoticeGrace("  30\n").grace_ms, 30'000);
  EXPECT_EQ(ParseNoticeGrace("0").grace_ms, 0);
  EXPECT_TRUE(ParseNoticeGrace("30\n").warning.empty());
}

TEST(ParseNoticeGrace, EmptyMeansTheDefaultQuietly) {
  for (const char* empty : {"", " \n", "\t\r\n"}) {
    NoticeGrace g = ParseNoticeGrace(empty);
    EXPECT_EQ(g.grace_ms, kDefaultGraceMs) << empty;
    EXPECT_TRUE(g.warning.empty()) << empty;
  }
}

TEST(ParseNoticeGrace, AnythingElseMeansTheDefaultWithAWarning) {
  const std::string too_long = std::to_string(uint64_t{protocol::kMaxControlDeadlineSeconds} + 1);
  for (const std::string& bad : std::vector<std::string>{"soon", "-1", "1.5", "12 s", "+3", "{\"action\": \"terminate\"}",
                                                        "99999999999999999999999", too_long}) {
    NoticeGrace g = ParseNoticeGrace(bad);
    EXPECT_EQ(g.grace_ms, kDefaultGraceMs) << bad;
    EXPECT_THAT(g.warning, HasSubstr("not a number of seconds")) << bad;
  }
  EXPECT_EQ(ParseNoticeGrace(std::to_string(protocol::kMaxControlDeadlineSeconds)).grace_ms,
            int64_t{protocol::kMaxControlDeadlineSeconds} * 1000);
}

TEST(ReclaimText, SourcesAndStatusReason) {
  EXPECT_EQ(CoordinatorReclaimSource(""), "coordinator");
  EXPECT_EQ(CoordinatorReclaimSource("spot interruption"), "coordinator: spot interruption");
  EXPECT_EQ(ReclaimStatusReason("node-3"), "Node reclaimed: node-3");
}

TEST(DeadlineFileContent, IsEpochSecondsRoundedDown) {
  EXPECT_EQ(DeadlineFileContent(1'700'000'000'400, 2000), "1700000002\n");
  EXPECT_EQ(DeadlineFileContent(1'700'000'000'999, 0), "1700000000\n");
  EXPECT_EQ(DeadlineFileContent(1'700'000'000'000, -50), "1700000000\n");
}

TEST(EndedByReclaim, OnlyAStoppedProcessThatDidNotSucceed) {
  EXPECT_TRUE(EndedByReclaim(Outcome{.signal = SIGKILL, .stopped = true}));
  EXPECT_TRUE(EndedByReclaim(Outcome{.exit_code = 143, .stopped = true}));
  EXPECT_TRUE(EndedByReclaim(
      Outcome{.start_failure = StartFailure::kSandbox, .start_error = "reclaimed", .stopped = true}));
  EXPECT_FALSE(EndedByReclaim(Outcome{.exit_code = 0, .stopped = true}));  // finished in its grace
  EXPECT_FALSE(EndedByReclaim(Outcome{.exit_code = 3}));                   // ended before the stop
}

}  // namespace
}  // namespace gantry::node
