// The agent's side of a spot reclaim and of fencing tokens, end to end over
// loopback: a ReclaimNode, the notice file and SIGUSR1 start it; running jobs
// get their deadline in a file and SIGTERM, SIGKILL only at the deadline;
// launches meanwhile end at once. Waiting is for the agent's reports and for
// files the jobs write, never a sleep; the graces are real (1-2 s).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <string>

#include "node/agent_test_fixture.h"
#include "node/reclaim.h"

namespace gantry::node {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using Steady = std::chrono::steady_clock;

class AgentReclaimTest : public AgentTest {
 protected:
  int64_t WallMillis() const { return clock_.NowMillis(); }
  static int64_t MillisSince(Steady::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Steady::now() - t).count();
  }
  bool WaitForFile(const fs::path& path) {
    return testutil::WaitUntil([&] { return fs::exists(path); });
  }
  std::optional<protocol::NodeStatus> ReceiveReclaimStatus() {
    return ReceiveStatus([](const protocol::NodeStatus& s) { return s.reclaim.has_value(); });
  }
  // A job that reports SIGTERM, and its deadline file, in DATA/<name>
  // (outside its scratch, which is gone once it ends) and keeps running.
  protocol::LaunchAttempt TrappingJob(const std::string& id, const std::string& name) {
    return Launch(id, {"sh", "-c",
                       "out=$HOME/../../" + name + "; "
                       "trap '{ echo got TERM; cat \"$PWD/GANTRY_RECLAIM_DEADLINE\"; } > $out.tmp; "
                       "mv $out.tmp $out' TERM; "
                       "echo > $out.ready; while :; do sleep 1; done"});
  }
};

TEST_F(AgentReclaimTest, ReclaimNodeWarnsJobsAndKillsThemOnlyAtTheDeadline) {
  // Far shorter than the reclaim's grace: were the usual stop used, the job
  // would be killed at 200 ms.
  config_.kill_grace_ms = 200;
  StartAgent();
  ASSERT_TRUE(ReceiveStatus().has_value());
  SendToAgent(TrappingJob("a1", "term-seen"));
  ASSERT_TRUE(Receive<protocol::AttemptStarted>().has_value());
  ASSERT_TRUE(WaitForFile(config_.data_dir / "term-seen.ready"));  // the trap is set

  const int64_t wall_before = WallMillis();
  const Steady::time_point sent = Steady::now();
  SendToAgent(protocol::ReclaimNode{.graceMs = 2000, .reason = "spot interruption"});

  auto status = ReceiveReclaimStatus();
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->reclaim->source, "coordinator: spot interruption");
  EXPECT_GT(status->reclaim->graceLeftMs, 0);
  EXPECT_LE(status->reclaim->graceLeftMs, 2000);
  ASSERT_TRUE(status->unschedulableReason.has_value());
  EXPECT_THAT(*status->unschedulableReason,
              StartsWith("node is being reclaimed (coordinator: spot interruption): "));
  EXPECT_THAT(status->runningAttempts, ::testing::ElementsAre("a1"));

  const fs::path seen = config_.data_dir / "term-seen";
  ASSERT_TRUE(WaitForFile(seen));
  const int64_t wall_after = WallMillis();
  const std::string text = testutil::ReadFile(seen);
  ASSERT_THAT(text, StartsWith("got TERM\n"));
  const int64_t deadline_s = std::stoll(text.substr(std::string("got TERM\n").size()));
  EXPECT_GE(deadline_s, (wall_before + 2000) / 1000);
  EXPECT_LE(deadline_s, (wall_after + 2000) / 1000);

  auto ended = ReceiveEnded("a1");
  ASSERT_TRUE(ended.has_value());
  const int64_t ended_after_ms = MillisSince(sent);
  EXPECT_GE(ended_after_ms, 2000) << "killed before the reclaim's deadline";
  EXPECT_LT(ended_after_ms, 10'000);
  EXPECT_EQ(ended->signal, std::optional<int32_t>(SIGKILL));
  EXPECT_FALSE(ended->exitCode.has_value());
  EXPECT_EQ(ended->statusReason, std::optional<std::string>("Node reclaimed: node-1"));
  EXPECT_EQ(ended->interruption, std::optional(protocol::InterruptionKind::kReclaimed));
  EXPECT_EQ(ended->fencingToken, std::optional<uint64_t>(7));

  // Past the deadline the node stays, empty, and keeps saying why.
  auto after = ReceiveStatus([](const protocol::NodeStatus& s) {
    return s.reclaim && s.reclaim->graceLeftMs == 0 && s.runningAttempts.empty();
  });
  ASSERT_TRUE(after.has_value());
  EXPECT_THAT(after->unschedulableReason.value_or(""), HasSubstr("0 s left"));
}

TEST_F(AgentReclaimTest, AJobThatFinishesInItsGraceSucceeds) {
  StartAgent();
  ASSERT_TRUE(ReceiveStatus().has_value());
  SendToAgent(Launch("ok", {"sh", "-c", "trap 'exit 0' TERM; echo > $HOME/../../ok.ready; "
                                        "while :; do sleep 1; done"}));
  SendToAgent(Launch("fails", {"sh", "-c", "trap 'exit 3' TERM; echo > $HOME/../../fails.ready; "
                                           "while :; do sleep 1; done"}));
  ASSERT_TRUE(WaitForFile(config_.data_dir / "ok.ready"));
  ASSERT_TRUE(WaitForFile(config_.data_dir / "fails.ready"));
  SendToAgent(protocol::ReclaimNode{.graceMs = 60'000, .reason = ""});

  auto ok = ReceiveEnded("ok");
  ASSERT_TRUE(ok.has_value());
  EXPECT_EQ(ok->exitCode, std::optional<int32_t>(0));
  EXPECT_EQ(ok->statusReason, std::nullopt);
  EXPECT_EQ(ok->interruption, std::nullopt);
  auto fails = ReceiveEnded("fails");
  ASSERT_TRUE(fails.has_value());
  EXPECT_EQ(fails->exitCode, std::optional<int32_t>(3));
  EXPECT_EQ(fails->statusReason, std::optional<std::string>("Node reclaimed: node-1"));
  EXPECT_EQ(fails->interruption, std::optional(protocol::InterruptionKind::kReclaimed));
}

TEST_F(AgentReclaimTest, NoticeFileStartsItWithTheGraceItGives) {
  config_.reclaim_notice_file = config_.data_dir / "reclaim-notice";
  StartAgent();
  ASSERT_TRUE(ReceiveStatus().has_value());
  SendToAgent(Launch("a1", {"sleep", "100"}));
  ASSERT_TRUE(Receive<protocol::AttemptStarted>().has_value());
  // Whole, as the flag's help asks: a half-written file would read as empty.
  testutil::WriteFile(config_.data_dir / "notice.tmp", "1\n");
  fs::rename(config_.data_dir / "notice.tmp", config_.reclaim_notice_file);

  auto status = ReceiveReclaimStatus();
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->reclaim->source, "notice file " + config_.reclaim_notice_file.string());
  EXPECT_LE(status->reclaim->graceLeftMs, 1000);  // not the default 120 s
  auto ended = ReceiveEnded("a1");
  ASSERT_TRUE(ended.has_value());
  EXPECT_EQ(ended->signal, std::optional<int32_t>(SIGTERM));  // sleep does not trap it
  EXPECT_EQ(ended->statusReason, std::optional<std::string>("Node reclaimed: node-1"));
  EXPECT_EQ(ended->interruption, std::optional(protocol::InterruptionKind::kReclaimed));
}

TEST_F(AgentReclaimTest, NoticeFileThatIsNotANumberGivesTheDefaultGrace) {
  config_.reclaim_notice_file = config_.data_dir / "reclaim-notice";
  testutil::WriteFile(config_.reclaim_notice_file, "terminate soon");  // there before the start
  StartAgent();
  auto status = ReceiveReclaimStatus();
  ASSERT_TRUE(status.has_value());
  EXPECT_GT(status->reclaim->graceLeftMs, 100'000);
  EXPECT_LE(status->reclaim->graceLeftMs, int64_t{protocol::kDefaultReclaimGraceSeconds} * 1000);
}

TEST_F(AgentReclaimTest, LaunchDuringReclaimEndsAtOnceWithoutRunning) {
  StartAgent();
  ASSERT_TRUE(ReceiveStatus().has_value());
  SendToAgent(protocol::ReclaimNode{.graceMs = 60'000, .reason = "spot"});
  ASSERT_TRUE(ReceiveReclaimStatus().has_value());
  // A repeat with a shorter grace does not move the deadline.
  SendToAgent(protocol::ReclaimNode{.graceMs = 0, .reason = "again"});

  auto launch = Launch("late", {"sh", "-c", "touch $HOME/../../late-ran"});
  launch.fencingToken = 31;
  SendToAgent(launch);
  auto ended = ReceiveEnded("late");
  ASSERT_TRUE(ended.has_value());
  EXPECT_EQ(ended->statusReason, std::optional<std::string>("Node reclaimed: node-1"));
  EXPECT_EQ(ended->interruption, std::optional(protocol::InterruptionKind::kReclaimed));
  EXPECT_FALSE(ended->exitCode.has_value());
  EXPECT_FALSE(ended->signal.has_value());
  EXPECT_EQ(ended->fencingToken, std::optional<uint64_t>(31));
  EXPECT_THAT(ended->reason, HasSubstr("node is being reclaimed"));
  EXPECT_THAT(seen_started_, ::testing::Not(::testing::Contains("late")));
  EXPECT_FALSE(fs::exists(config_.data_dir / "late-ran"));
  EXPECT_TRUE(fs::is_empty(Scratch()));

  auto status = ReceiveReclaimStatus();
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->reclaim->source, "coordinator: spot");
  EXPECT_GT(status->reclaim->graceLeftMs, 50'000);
}

TEST_F(AgentReclaimTest, Sigusr1StartsItWithTheDefaultGrace) {
  StartAgent();
  // Signals go to the agent's thread, not to this one blocked in zmq_poll.
  sigset_t usr1, old;
  sigemptyset(&usr1);
  sigaddset(&usr1, SIGUSR1);
  ASSERT_EQ(pthread_sigmask(SIG_BLOCK, &usr1, &old), 0);
  ASSERT_TRUE(ReceiveStatus().has_value());  // Run has installed its handlers
  ASSERT_EQ(::kill(::getpid(), SIGUSR1), 0);
  auto status = ReceiveReclaimStatus();
  StopAgent();
  ASSERT_EQ(pthread_sigmask(SIG_SETMASK, &old, nullptr), 0);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->reclaim->source, "SIGUSR1");
  EXPECT_GT(status->reclaim->graceLeftMs, 100'000);
}

TEST_F(AgentReclaimTest, ReportsCarryTheLaunchsFencingToken) {
  StartAgent();
  ASSERT_TRUE(ReceiveStatus().has_value());
  auto launch = Launch("a1", {"sleep", "100"});
  launch.fencingToken = 0x1234'5678'9abcULL;
  SendToAgent(launch);
  auto started = Receive<protocol::AttemptStarted>();
  ASSERT_TRUE(started.has_value());
  EXPECT_EQ(started->fencingToken, std::optional<uint64_t>(launch.fencingToken));
  // Unacknowledged, it is resent every heartbeat, token and all.
  auto resent = Receive<protocol::AttemptStarted>();
  ASSERT_TRUE(resent.has_value());
  EXPECT_EQ(resent->fencingToken, std::optional<uint64_t>(launch.fencingToken));
  SendToAgent(protocol::KillAttempt{"a1", "done"});
  auto ended = ReceiveEnded("a1");
  ASSERT_TRUE(ended.has_value());
  EXPECT_EQ(ended->fencingToken, std::optional<uint64_t>(launch.fencingToken));
  EXPECT_EQ(ended->interruption, std::nullopt);
}

}  // namespace
}  // namespace gantry::node
