// The agent's side of the AWS Batch job model, end to end over loopback:
// attempts' timeouts (timeout.attemptDurationSeconds), array children's ids
// and environment. Waiting is for the agent's reports, never a sleep; the
// timeouts are real (1 s, the shortest LaunchAttempt allows).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "node/agent_test_fixture.h"
#include "node/disk_quota_fs.h"
#include "node/end_reason.h"

namespace gantry::node {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class AgentJobModelTest : public AgentTest {};

constexpr char kArrayJobId[] = "6f1c2a9e-0b7d-4c1e-9a53-2d8f4e7b1c00:3";
constexpr char kArrayAttemptId[] = "6f1c2a9e-0b7d-4c1e-9a53-2d8f4e7b1c00:3-1";

TEST_F(AgentJobModelTest, TimeoutStopsALongRunningAttempt) {
  StartAgent();
  ASSERT_TRUE(ReceiveStatus().has_value());
  auto launch = Launch("a1", {"sleep", "100"});
  launch.timeoutSeconds = 1;
  SendToAgent(launch);
  auto ended = ReceiveEnded("a1");
  ASSERT_TRUE(ended.has_value());
  EXPECT_EQ(ended->statusReason, std::optional<std::string>(kStatusReasonTimeout));
  EXPECT_EQ(ended->signal, std::optional<int32_t>(SIGTERM));
  EXPECT_FALSE(ended->exitCode.has_value());
  EXPECT_EQ(ended->reason, "Killed by signal 15 (SIGTERM)");
  EXPECT_FALSE(fs::exists(Scratch() / "a1"));
}

TEST_F(AgentJobModelTest, TimeoutEscalatesToSigkillAfterTheKillGrace) {
  config_.kill_grace_ms = 200;
  StartAgent();
  ASSERT_TRUE(ReceiveStatus().has_value());
  // SIGTERM only ends the current sleep; the trap notes it and goes on.
  auto launch = Launch("a1", {"sh", "-c",
                              "trap 'echo got-term' TERM; "
                              "while :; do sleep 1; done"});
  launch.timeoutSeconds = 1;
  SendToAgent(launch);
  auto ended = ReceiveEnded("a1");
  ASSERT_TRUE(ended.has_value());
  EXPECT_EQ(ended->statusReason, std::optional<std::string>(kStatusReasonTimeout));
  EXPECT_EQ(ended->signal, std::optional<int32_t>(SIGKILL));
  EXPECT_EQ(ended->reason, "Killed by signal 9 (SIGKILL)");
  EXPECT_THAT(ended->logTail, HasSubstr("got-term"));  // SIGTERM came first
}

TEST_F(AgentJobModelTest, AttemptThatFinishesFirstIsNotTimedOut) {
  StartAgent();
  ASSERT_TRUE(ReceiveStatus().has_value());
  auto launch = Launch("a1", {"sh", "-c", "exit 4"});
  launch.timeoutSeconds = 1;
  SendToAgent(launch);
  auto ended = ReceiveEnded("a1");
  ASSERT_TRUE(ended.has_value());
  EXPECT_EQ(ended->exitCode, std::optional<int32_t>(4));
  EXPECT_EQ(ended->statusReason, std::nullopt);
  EXPECT_EQ(ended->reason, "Essential container in task exited");
}

TEST_F(AgentJobModelTest, KillBeforeTheTimeoutReportsTheKill) {
  StartAgent();
  ASSERT_TRUE(ReceiveStatus().has_value());
  auto launch = Launch("a1", {"sleep", "100"});
  launch.timeoutSeconds = 3600;
  SendToAgent(launch);
  ASSERT_TRUE(Receive<protocol::AttemptStarted>().has_value());
  SendToAgent(protocol::KillAttempt{"a1", "user asked"});
  auto ended = ReceiveEnded("a1");
  ASSERT_TRUE(ended.has_value());
  EXPECT_EQ(ended->reason, "Terminated: user asked");
  EXPECT_EQ(ended->statusReason, std::nullopt);
}

TEST_F(AgentJobModelTest, ArrayChildRunsWithColonIdsAndItsIndex) {
  StartAgent();
  ASSERT_TRUE(ReceiveStatus().has_value());
  auto launch = Launch(kArrayAttemptId, {"sh", "-c",
                                         "echo $AWS_BATCH_JOB_ARRAY_INDEX "
                                         "$AWS_BATCH_JOB_ARRAY_SIZE $AWS_BATCH_JOB_ID "
                                         "$AWS_BATCH_JQ_NAME $AWS_BATCH_CE_NAME; "
                                         "echo $GANTRY_ATTEMPT_ID; pwd; "
                                         "test \"$HOME\" = \"$(pwd)\" && echo home-is-cwd"});
  launch.jobId = kArrayJobId;
  launch.arrayIndex = 3;
  launch.arraySize = 5;
  SendToAgent(launch);
  auto started = Receive<protocol::AttemptStarted>();
  ASSERT_TRUE(started.has_value());
  EXPECT_EQ(started->attemptId, kArrayAttemptId);
  auto ended = ReceiveEnded(kArrayAttemptId);
  ASSERT_TRUE(ended.has_value());
  EXPECT_EQ(ended->exitCode, std::optional<int32_t>(0));
  const fs::path scratch = Scratch() / "6f1c2a9e-0b7d-4c1e-9a53-2d8f4e7b1c00.3-1";
  EXPECT_EQ(ended->logTail, "3 5 " + std::string(kArrayJobId) + " q1 ce1\n" + kArrayAttemptId +
                                "\n" + scratch.string() + "\nhome-is-cwd\n");
  EXPECT_FALSE(fs::exists(scratch));
  EXPECT_TRUE(fs::is_empty(Scratch()));
  EXPECT_EQ(testutil::ReadFile(config_.data_dir / "logs" / kArrayJobId / "1" / "output.log"),
            ended->logTail);
}

TEST_F(AgentJobModelTest, ArrayChildCanBeKilledAndTimedOutByItsId) {
  StartAgent();
  ASSERT_TRUE(ReceiveStatus().has_value());
  auto killed = Launch(kArrayAttemptId, {"sleep", "100"});
  killed.jobId = kArrayJobId;
  SendToAgent(killed);
  auto timed = Launch("6f1c2a9e-0b7d-4c1e-9a53-2d8f4e7b1c00:4-2", {"sleep", "100"});
  timed.jobId = "6f1c2a9e-0b7d-4c1e-9a53-2d8f4e7b1c00:4";
  timed.attemptNumber = 2;
  timed.timeoutSeconds = 1;
  SendToAgent(timed);
  ASSERT_TRUE(ReceiveStatus([](const auto& s) { return s.runningAttempts.size() == 2; }));
  SendToAgent(protocol::KillAttempt{kArrayAttemptId, "user asked"});
  auto ended_killed = ReceiveEnded(kArrayAttemptId);
  ASSERT_TRUE(ended_killed.has_value());
  EXPECT_EQ(ended_killed->reason, "Terminated: user asked");
  auto ended_timed = ReceiveEnded(timed.attemptId);
  ASSERT_TRUE(ended_timed.has_value());
  EXPECT_EQ(ended_timed->statusReason, std::optional<std::string>(kStatusReasonTimeout));
  EXPECT_TRUE(fs::exists(config_.data_dir / "logs" / timed.jobId / "2" / "output.log"));
}

TEST_F(AgentJobModelTest, WatchedScratchPastItsRequestStopsTheAttemptWithAReason) {
  config_.disk_quota = DiskQuotaChoice{DiskQuotaMethod::kWatch, "chosen by the test"};
  config_.kill_grace_ms = 200;
  StartAgent();
  auto status = ReceiveStatus();
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->node.diskQuota, std::optional<std::string>("watch: chosen by the test"));
  // 4 MiB into a 1 MiB request, then wait to be stopped.
  auto over = Launch("over", {"sh", "-c", "head -c 4194304 /dev/urandom > \"$HOME/fill\" && sync && sleep 100"});
  over.resources.diskMib = 1;
  auto under = Launch("under", {"sh", "-c", "head -c 4096 /dev/urandom > \"$HOME/fill\" && sync"});
  under.resources.diskMib = 1;
  SendToAgent(over);
  SendToAgent(under);
  auto ended_under = ReceiveEnded("under");
  ASSERT_TRUE(ended_under.has_value());
  EXPECT_EQ(ended_under->exitCode, std::optional<int32_t>(0));
  EXPECT_FALSE(ended_under->statusReason.has_value());
  auto ended = ReceiveEnded("over");
  ASSERT_TRUE(ended.has_value());
  ASSERT_TRUE(ended->statusReason.has_value());
  EXPECT_THAT(*ended->statusReason, ::testing::StartsWith("Job scratch disk exceeded its request: "));
  EXPECT_THAT(*ended->statusReason, HasSubstr("MiB used, 1 MiB requested"));
  EXPECT_EQ(ended->signal, std::optional<int32_t>(SIGTERM));
  EXPECT_FALSE(fs::exists(Scratch() / "over"));
}

TEST_F(AgentJobModelTest, CleanupHeldUpIsShownAndItsDiskWithheldUntilTheRetrySucceeds) {
  Result<DiskQuotaChoice> loop = ChooseDiskQuota(config_.data_dir, DiskQuotaMode::kLoopExt4);
  if (!loop.ok()) GTEST_SKIP() << "needs loop-ext4 scratch filesystems: " << loop.status().ToString();
  config_.disk_quota = *loop;
  StartAgent();
  ASSERT_TRUE(ReceiveStatus().has_value());
  auto launch = Launch("held", {"sh", "-c", "echo x > \"$HOME/held\" && sleep 100"});
  launch.resources.diskMib = 64;
  SendToAgent(launch);
  const fs::path held = Scratch() / "held" / "held";
  int fd = -1;
  for (int i = 0; i < 500 && fd < 0; ++i) {
    if (fs::exists(held)) fd = ::open(held.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_GE(fd, 0) << "the job never wrote its file";
  // This process now keeps the attempt's filesystem alive past its unmount.
  SendToAgent(protocol::KillAttempt{"held", "test"});
  ASSERT_TRUE(ReceiveEnded("held").has_value());
  auto holding = ReceiveStatus([](const protocol::NodeStatus& s) { return s.cleanupPending.has_value(); });
  ASSERT_TRUE(holding.has_value());
  EXPECT_THAT(*holding->cleanupPending, ::testing::StartsWith("1 scratch cleanup pending, 64 MiB held: "));
  EXPECT_EQ(holding->node.capacity.diskMib, config_.capacity.diskMib - 64);
  ::close(fd);
  auto cleared = ReceiveStatus([](const protocol::NodeStatus& s) { return !s.cleanupPending.has_value(); });
  ASSERT_TRUE(cleared.has_value());
  EXPECT_EQ(cleared->node.capacity.diskMib, config_.capacity.diskMib);
  EXPECT_FALSE(fs::exists(Scratch() / "held"));
}

}  // namespace
}  // namespace gantry::node
