// The agent end to end over loopback: the test plays the coordinator with a
// ROUTER on 127.0.0.1 (ephemeral port), or a Raft group with one ROUTER per
// replica, and the agent runs real processes. Waiting is polling the ROUTERs
// until the expected message arrives.
#include "node/agent.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <zmq.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <functional>
#include <optional>
#include <thread>

#include "common/zmq_socket.h"
#include "node/agent_command.h"
#include "node/agent_test_fixture.h"
#include "node/sandbox_fs.h"
#include "node/test_util.h"

namespace gantry::node {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::StartsWith;

TEST_F(AgentTest, SendsFullStatusAtOnceAndEveryHeartbeat) {
  StartAgent();
  auto first = ReceiveStatus();
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(first->node.nodeId, "node-1");
  EXPECT_EQ(first->node.bootId, agent_->boot_id());
  EXPECT_EQ(first->node.bootId.size(), 32u);
  EXPECT_EQ(first->node.capacity, (protocol::NodeCapacity{2, 1024, 4096}));
  EXPECT_EQ(first->node.labels, (protocol::Labels{{"rack", "r1"}}));
  EXPECT_THAT(first->runningAttempts, IsEmpty());
  auto second = ReceiveStatus();
  ASSERT_TRUE(second.has_value());
  EXPECT_GT(second->sequence, first->sequence);
  StopAgent();
  EXPECT_TRUE(run_status_.ok()) << run_status_.ToString();
}

TEST_F(AgentTest, SweepsLeftoverScratchBeforeConnecting) {
  fs::create_directories(Scratch() / "stale-attempt/deep");
  testutil::WriteFile(Scratch() / "stale-attempt/deep/file", "x");
  StartAgent();
  ASSERT_TRUE(ReceiveStatus().has_value());
  EXPECT_FALSE(fs::exists(Scratch() / "stale-attempt"));
}

TEST_F(AgentTest, RunsAnAttemptAndResendsItsEndUntilAcked) {
  StartAgent();
  ASSERT_TRUE(ReceiveStatus().has_value());
  SendToAgent(Launch("a1", {"sh", "-c",
                            "echo out; echo err >&2; "
                            "echo $AWS_BATCH_JOB_ID $AWS_BATCH_JOB_ATTEMPT $AWS_BATCH_JQ_NAME "
                            "$AWS_BATCH_CE_NAME $GANTRY_ATTEMPT_ID; exit 7"}));
  auto started = Receive<protocol::AttemptStarted>();
  ASSERT_TRUE(started.has_value());
  EXPECT_EQ(started->attemptId, "a1");
  EXPECT_EQ(started->nodeId, "node-1");
  EXPECT_EQ(started->bootId, agent_->boot_id());

  auto ended = ReceiveEnded("a1");
  ASSERT_TRUE(ended.has_value());
  EXPECT_EQ(ended->exitCode, std::optional<int32_t>(7));
  EXPECT_FALSE(ended->signal.has_value());
  EXPECT_EQ(ended->reason, "Essential container in task exited");
  EXPECT_EQ(ended->logTail, "out\nerr\njob-a1 1 q1 ce1 a1\n");
  // Sent only after cleanup: the scratch is gone, the log stays.
  EXPECT_FALSE(fs::exists(Scratch() / "a1"));
  EXPECT_EQ(testutil::ReadFile(config_.data_dir / "logs/job-a1/1/output.log"), ended->logTail);

  auto again = ReceiveEnded("a1");  // resent on the next heartbeat
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->reason, ended->reason);
  SendToAgent(protocol::AttemptReportAck{"a1", kStartedType});
  SendToAgent(protocol::AttemptReportAck{"a1", kEndedType});
  // A report already in flight may still come before the ack is read; after
  // two more heartbeats nothing about a1 is sent any more.
  ASSERT_TRUE(ReceiveStatus().has_value());
  ASSERT_TRUE(ReceiveStatus().has_value());
  seen_ended_.clear();
  seen_started_.clear();
  auto status = ReceiveStatus();
  ASSERT_TRUE(status.has_value());
  ASSERT_TRUE(ReceiveStatus().has_value());
  EXPECT_THAT(seen_ended_, IsEmpty());
  EXPECT_THAT(seen_started_, IsEmpty());
  EXPECT_THAT(status->runningAttempts, IsEmpty());
}

TEST_F(AgentTest, IgnoresADuplicateLaunch) {
  StartAgent();
  ASSERT_TRUE(ReceiveStatus().has_value());
  auto launch = Launch("a1", {"true"});
  SendToAgent(launch);
  ASSERT_TRUE(ReceiveEnded("a1").has_value());
  seen_started_.clear();
  SendToAgent(launch);
  // Had it been launched, AttemptStarted would come before the second status.
  ASSERT_TRUE(ReceiveStatus().has_value());
  auto status = ReceiveStatus();
  ASSERT_TRUE(status.has_value());
  EXPECT_THAT(status->runningAttempts, IsEmpty());
  EXPECT_THAT(seen_started_, IsEmpty());
}

TEST_F(AgentTest, KillAttemptTerminatesWithItsReason) {
  StartAgent();
  ASSERT_TRUE(ReceiveStatus().has_value());
  SendToAgent(Launch("a1", {"sleep", "100"}));
  ASSERT_TRUE(Receive<protocol::AttemptStarted>().has_value());
  ASSERT_TRUE(ReceiveStatus(
      [](const auto& s) { return s.runningAttempts == std::vector<std::string>{"a1"}; }));
  SendToAgent(protocol::KillAttempt{"a1", "user asked"});
  auto ended = ReceiveEnded("a1");
  ASSERT_TRUE(ended.has_value());
  EXPECT_EQ(ended->signal, std::optional<int32_t>(SIGTERM));
  EXPECT_FALSE(ended->exitCode.has_value());
  EXPECT_EQ(ended->reason, "Terminated: user asked");
}

TEST_F(AgentTest, StatusAckKillsOnlyAttemptsLaunchedBeforeItsStatus) {
  StartAgent();
  ASSERT_TRUE(ReceiveStatus().has_value());
  SendToAgent(Launch("old", {"sleep", "100"}));
  auto listing = ReceiveStatus([](const auto& s) { return !s.runningAttempts.empty(); });
  ASSERT_TRUE(listing.has_value());
  ASSERT_THAT(listing->runningAttempts, ElementsAre("old"));
  SendToAgent(Launch("new", {"sleep", "100"}));
  SendToAgent(protocol::NodeStatusAck{listing->sequence, {}});

  auto ended = ReceiveEnded("old");
  ASSERT_TRUE(ended.has_value());
  EXPECT_EQ(ended->reason, "Terminated: attempt is no longer current on the coordinator");
  EXPECT_EQ(ended->signal, std::optional<int32_t>(SIGTERM));
  auto after = ReceiveStatus([](const auto& s) {
    return std::find(s.runningAttempts.begin(), s.runningAttempts.end(), "old") ==
           s.runningAttempts.end();
  });
  ASSERT_TRUE(after.has_value());
  EXPECT_THAT(after->runningAttempts, ElementsAre("new"));
}

TEST_F(AgentTest, SpawnFailureEndsTheAttemptWithoutExitCode) {
  StartAgent();
  ASSERT_TRUE(ReceiveStatus().has_value());
  SendToAgent(Launch("a1", {"/nonexistent/prog", "arg"}));
  auto ended = ReceiveEnded("a1");
  ASSERT_TRUE(ended.has_value());
  EXPECT_FALSE(ended->exitCode.has_value());
  EXPECT_FALSE(ended->signal.has_value());
  EXPECT_EQ(ended->reason,
            "CannotStartContainerError: /nonexistent/prog: no such file or directory");
  EXPECT_THAT(seen_started_, IsEmpty());
  EXPECT_FALSE(fs::exists(Scratch() / "a1"));
}

TEST_F(AgentTest, RejectsIdsThatAreNotDirectoryNames) {
  StartAgent();
  ASSERT_TRUE(ReceiveStatus().has_value());
  // The decoder refuses such a launch (ids name directories), so nothing
  // runs and nothing is created outside the scratch tree.
  auto launch = Launch("..", {"touch", "escaped"});
  launch.jobId = "j1";
  SendToAgent(launch);
  SendToAgent(Launch("a1", {"true"}));
  auto ended = ReceiveEnded("a1");
  ASSERT_TRUE(ended.has_value());
  EXPECT_THAT(seen_ended_, ::testing::Not(::testing::Contains("..")));
  EXPECT_TRUE(fs::is_directory(Scratch()));
  EXPECT_FALSE(fs::exists(config_.data_dir / "escaped"));
  EXPECT_FALSE(fs::exists(config_.data_dir / "scratch" / "escaped"));
}

TEST_F(AgentTest, DropsMalformedMessagesAndKeepsWorking) {
  StartAgent();
  ASSERT_TRUE(ReceiveStatus().has_value());
  SendRaw("not msgpack at all");
  SendRaw(std::string("\x81\xa1v\x01", 4));         // an envelope missing most fields
  SendToAgent(protocol::SubmitJobReply{"j", "n"});  // a message not meant for agents
  auto bad_launch = Launch("a0", {"true"});
  bad_launch.command.clear();  // breaks LaunchAttempt's rules
  SendToAgent(bad_launch);
  SendToAgent(protocol::NodeStatusAck{1'000'000, {}});  // a sequence never sent
  SendToAgent(Launch("a1", {"true"}));
  auto ended = ReceiveEnded("a1");
  ASSERT_TRUE(ended.has_value());
  EXPECT_EQ(ended->exitCode, std::optional<int32_t>(0));
  EXPECT_THAT(seen_ended_, ::testing::Not(::testing::Contains("a0")));
}

TEST_F(AgentTest, StopKillsRunningAttemptsAndCleansUp) {
  StartAgent();
  ASSERT_TRUE(ReceiveStatus().has_value());
  // $HOME/../.. is the data dir; the leader's pid is its process group id.
  SendToAgent(Launch("a1", {"sh", "-c", "echo $$ > $HOME/../../pgid; sleep 100 & sleep 100"}));
  ASSERT_TRUE(Receive<protocol::AttemptStarted>().has_value());
  const fs::path pgid_file = config_.data_dir / "pgid";
  ASSERT_TRUE(testutil::WaitUntil([&] {
    std::error_code ec;
    return fs::file_size(pgid_file, ec) > 0 && !ec;
  }));
  int pgid = std::stoi(testutil::ReadFile(config_.data_dir / "pgid"));
  StopAgent();
  EXPECT_TRUE(run_status_.ok()) << run_status_.ToString();
  EXPECT_TRUE(fs::is_empty(Scratch()));
  EXPECT_TRUE(::kill(-pgid, 0) != 0 && errno == ESRCH) << "process group " << pgid << " survived";
}

TEST_F(AgentTest, SigtermStopsTheAgent) {
  StartAgent();
  // Signals go to the agent's thread, not to this one blocked in zmq_poll.
  sigset_t term, old;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  ASSERT_EQ(pthread_sigmask(SIG_BLOCK, &term, &old), 0);
  ASSERT_TRUE(ReceiveStatus().has_value());  // Run has installed its handlers
  ASSERT_EQ(::kill(::getpid(), SIGTERM), 0);
  thread_.join();
  ASSERT_EQ(pthread_sigmask(SIG_SETMASK, &old, nullptr), 0);
  EXPECT_TRUE(run_status_.ok()) << run_status_.ToString();
}

TEST_F(AgentTest, CommandRunsFromFlagsUntilSigterm) {
  CLI::App app;
  AddAgentCommand(app);
  const std::vector<std::string> args = {"gantry",
                                         "agent",
                                         "--coordinator",
                                         config_.coordinators[0],
                                         "--data-dir",
                                         (dir_.path() / "cli-data").string(),
                                         "--node-id",
                                         config_.node_id,
                                         "--vcpus",
                                         "3",
                                         "--memory",
                                         "100",
                                         "--disk",
                                         "5",
                                         "--label",
                                         "rack=r2",
                                         "--label",
                                         "zone=z",
                                         "--heartbeat-ms",
                                         "20",
                                         "--kill-grace-seconds",
                                         "1",
                                         "--capacity-type",
                                         "spot"};
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  int exit_code = 0;
  std::thread cli([&] {
    try {
      app.parse(static_cast<int>(argv.size()), argv.data());
    } catch (const CLI::Error& e) {
      exit_code = e.get_exit_code();
    }
  });
  sigset_t term, old;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  ASSERT_EQ(pthread_sigmask(SIG_BLOCK, &term, &old), 0);
  auto status = ReceiveStatus();
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(status->node.capacity, (protocol::NodeCapacity{3, 100, 5}));
  EXPECT_EQ(status->node.labels,
            (protocol::Labels{{"rack", "r2"}, {"zone", "z"}, {"capacity-type", "spot"}}));
  ASSERT_EQ(::kill(::getpid(), SIGTERM), 0);
  cli.join();
  ASSERT_EQ(pthread_sigmask(SIG_SETMASK, &old, nullptr), 0);
  EXPECT_EQ(exit_code, 0);
  EXPECT_TRUE(fs::is_directory(dir_.path() / "cli-data/scratch"));
}

TEST_F(AgentTest, SecondSignalExitsAtOnce) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  // The death test's child re-runs this test from the top in a new process.
  // It works in the parent's directory (removed by the parent's fixture) and
  // drops the one its own fixture made, since it never gets to clean up.
  constexpr const char* kDirEnv = "GANTRY_AGENT_DEATH_TEST_DIR";
  const char* inherited = std::getenv(kDirEnv);
  if (inherited != nullptr) {
    RemoveTree(dir_.path()).IgnoreError();
    config_.data_dir = fs::path(inherited) / "data";
  } else {
    ASSERT_EQ(::setenv(kDirEnv, dir_.path().c_str(), 1), 0);
  }
  EXPECT_EXIT(
      {
        StartAgent();
        sigset_t term;
        sigemptyset(&term);
        sigaddset(&term, SIGTERM);
        sigaddset(&term, SIGINT);
        pthread_sigmask(SIG_BLOCK, &term, nullptr);
        if (!ReceiveStatus()) std::_Exit(1);
        SendToAgent(Launch("a1", {"sleep", "100"}));
        if (!Receive<protocol::AttemptStarted>()) std::_Exit(1);
        // The first starts a shutdown that waits for a1's cleanup; the
        // second arrives long before that is done. Two different signals,
        // since a second SIGTERM pending with the first would merge with it.
        ::kill(::getpid(), SIGTERM);
        ::kill(::getpid(), SIGINT);
        thread_.join();
        std::_Exit(0);
      },
      // The kernel may hand over the two in either order.
      [](int status) {
        return WIFEXITED(status) &&
               (WEXITSTATUS(status) == 128 + SIGINT || WEXITSTATUS(status) == 128 + SIGTERM);
      },
      "");
  ::unsetenv(kDirEnv);
}

TEST_F(AgentTest, RunFailsOnAnEndpointZeroMqRefuses) {
  config_.coordinators = {"tcp://"};
  Agent agent(config_, NullLogger(), NullLogger(), clock_);
  Status s = agent.Run();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
}

TEST_F(AgentTest, RunFailsAndClosesWhenALaterEndpointIsRefused) {
  // The first replica's sockets are open by then and must be closed cleanly.
  config_.coordinators.push_back("tcp://");
  Agent agent(config_, NullLogger(), NullLogger(), clock_);
  Status s = agent.Run();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
}

// ---- a Raft group of coordinator replicas ------------------------------------

// A replica played by the test. A leader acks every NodeStatus with current_
// (the attempts the group placed) and every report; a follower refuses every
// message as a Raft follower does; a silent one answers nothing (an outage,
// or an election taking its time).
enum class Role { kLeader, kFollower, kSilent };

struct FakeReplica {
  zmq::socket_t router;
  Role role = Role::kSilent;
  int statuses = 0;                           // NodeStatus received
  std::vector<std::string> running;           // as the last NodeStatus listed
  std::vector<std::string> started;           // ids of AttemptStarted received
  std::vector<protocol::AttemptEnded> ended;  // AttemptEnded received

  bool Started(const std::string& id) const {
    return std::find(started.begin(), started.end(), id) != started.end();
  }
  int Ended(const std::string& id) const {
    return static_cast<int>(std::count_if(ended.begin(), ended.end(),
                                          [&](const auto& e) { return e.attemptId == id; }));
  }
};

class AgentReplicasTest : public AgentTest {
 protected:
  void SetUp() override {
    AgentTest::SetUp();
    replicas_[0].router = std::move(router_);  // bound, and first in config_.coordinators
    replicas_[1].router = zmq::socket_t(context_, zmq::socket_type::router);
    ApplyRouterOptions(replicas_[1].router);
    replicas_[1].router.bind("tcp://127.0.0.1:*");
    config_.coordinators.push_back(replicas_[1].router.get(zmq::sockopt::last_endpoint));
  }

  // Reads what the agent sends to every replica, each answering as its role
  // says, until `done` holds.
  bool PumpUntil(const std::function<bool()>& done, int timeout_ms = 20'000) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (!done()) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                      deadline - std::chrono::steady_clock::now())
                      .count();
      if (left <= 0) {
        ADD_FAILURE() << "the replicas did not see what the test waits for";
        return false;
      }
      std::array<zmq_pollitem_t, 2> items{};
      for (size_t i = 0; i < replicas_.size(); ++i) {
        items[i] = {replicas_[i].router.handle(), 0, ZMQ_POLLIN, 0};
      }
      if (zmq_poll(items.data(), static_cast<int>(items.size()), static_cast<long>(left)) <= 0) {
        continue;  // timeout or EINTR: check the deadline again
      }
      for (size_t i = 0; i < replicas_.size(); ++i) {
        if (items[i].revents & ZMQ_POLLIN) Answer(replicas_[i]);
      }
    }
    return true;
  }

  void Answer(FakeReplica& r) {
    std::optional<protocol::Envelope> env = ReadEnvelope(r.router);
    if (!env) return;
    std::optional<protocol::AttemptReportAck> report_ack;
    switch (env->type) {
      case protocol::MessageType::kNodeStatus: {
        auto m = protocol::DecodeBody<protocol::NodeStatus>(*env);
        ASSERT_TRUE(m.ok()) << m.status().ToString();
        ++r.statuses;
        r.running = m->runningAttempts;
        if (r.role == Role::kLeader) {
          SendFrom(r.router, protocol::NodeStatusAck{m->sequence, current_});
        }
        break;
      }
      case protocol::MessageType::kAttemptStarted: {
        auto m = protocol::DecodeBody<protocol::AttemptStarted>(*env);
        ASSERT_TRUE(m.ok()) << m.status().ToString();
        r.started.push_back(m->attemptId);
        report_ack = protocol::AttemptReportAck{m->attemptId, kStartedType};
        break;
      }
      case protocol::MessageType::kAttemptEnded: {
        auto m = protocol::DecodeBody<protocol::AttemptEnded>(*env);
        ASSERT_TRUE(m.ok()) << m.status().ToString();
        r.ended.push_back(*m);
        report_ack = protocol::AttemptReportAck{m->attemptId, kEndedType};
        break;
      }
      default:
        ADD_FAILURE() << "unexpected " << protocol::MessageTypeName(env->type);
        return;
    }
    if (r.role == Role::kLeader && report_ack) SendFrom(r.router, *report_ack);
    if (r.role == Role::kFollower) {
      SendFrom(r.router, protocol::ErrorReply{static_cast<uint8_t>(StatusCode::kUnavailable),
                                              FollowerMessage()});
    }
  }

  std::string FollowerMessage() const {
    for (size_t i = 0; i < replicas_.size(); ++i) {
      if (replicas_[i].role == Role::kLeader) {
        return "not the leader; the leader is replica " + std::to_string(i + 1) + " at " +
               config_.coordinators[i];
      }
    }
    return "not the leader; no leader is known";
  }

  std::array<FakeReplica, 2> replicas_;
  std::vector<std::string> current_;
};

TEST_F(AgentReplicasTest, StatusGoesToEveryReplicaAndReportsToTheLeader) {
  FakeReplica& leader = replicas_[0];
  FakeReplica& follower = replicas_[1];
  leader.role = Role::kLeader;
  follower.role = Role::kFollower;
  StartAgent();
  // Once the leader has acked, anything it sends next on the same connection
  // arrives after the ack: the agent knows its leader when the launch comes.
  ASSERT_TRUE(PumpUntil([&] { return leader.statuses > 0 && follower.statuses > 0; }));
  current_ = {"a1"};
  SendFrom(leader.router, Launch("a1", {"sleep", "100"}));
  ASSERT_TRUE(PumpUntil(
      [&] { return leader.Started("a1") && follower.running == std::vector<std::string>{"a1"}; }));
  SendFrom(leader.router, protocol::KillAttempt{"a1", "user asked"});
  ASSERT_TRUE(PumpUntil([&] { return leader.Ended("a1") > 0; }));
  EXPECT_EQ(leader.ended.front().reason, "Terminated: user asked");

  const int seen = follower.statuses;
  ASSERT_TRUE(PumpUntil([&] { return follower.statuses >= seen + 3 && leader.running.empty(); }));
  EXPECT_THAT(follower.started, IsEmpty());
  EXPECT_THAT(follower.ended, IsEmpty());
  EXPECT_THAT(follower.running, IsEmpty());
}

TEST_F(AgentReplicasTest, LeadershipMoveRedirectsReportsAndKillsNothing) {
  FakeReplica& a = replicas_[0];
  FakeReplica& b = replicas_[1];
  a.role = Role::kLeader;
  b.role = Role::kFollower;
  StartAgent();
  ASSERT_TRUE(PumpUntil([&] { return a.statuses > 0 && b.statuses > 0; }));
  current_ = {"a1"};
  SendFrom(a.router, Launch("a1", {"sleep", "100"}));
  ASSERT_TRUE(PumpUntil([&] { return a.Started("a1"); }));

  // b wins an election; a learns it lost and refuses from now on.
  a.role = Role::kFollower;
  b.role = Role::kLeader;
  const int b_seen = b.statuses;
  ASSERT_TRUE(PumpUntil([&] { return b.statuses > b_seen; }));  // b has acked one
  current_.push_back("a2");
  SendFrom(b.router, Launch("a2", {"true"}));
  ASSERT_TRUE(PumpUntil([&] { return b.Started("a2") && b.Ended("a2") > 0; }));

  const int a_seen = a.statuses;
  ASSERT_TRUE(PumpUntil(
      [&] { return a.statuses >= a_seen + 3 && b.running == std::vector<std::string>{"a1"}; }));
  EXPECT_FALSE(a.Started("a2"));
  EXPECT_EQ(a.Ended("a2"), 0);
  EXPECT_EQ(a.Ended("a1") + b.Ended("a1"), 0) << "a1 was stopped";
  EXPECT_THAT(a.running, ElementsAre("a1"));
}

TEST_F(AgentReplicasTest, SilenceKillsNothingAndTheEndReachesTheNextLeader) {
  FakeReplica& a = replicas_[0];
  FakeReplica& b = replicas_[1];
  a.role = Role::kLeader;
  b.role = Role::kFollower;
  StartAgent();
  ASSERT_TRUE(PumpUntil([&] { return a.statuses > 0 && b.statuses > 0; }));
  current_ = {"a1"};
  // $HOME/../.. is the data dir: a1 runs until the test creates DATA/release.
  SendFrom(a.router,
           Launch("a1", {"sh", "-c", "until [ -e $HOME/../../release ]; do sleep 0.02; done"}));
  ASSERT_TRUE(PumpUntil([&] { return a.Started("a1"); }));

  a.role = Role::kSilent;
  b.role = Role::kSilent;
  const int a_seen = a.statuses;
  const int b_seen = b.statuses;
  ASSERT_TRUE(PumpUntil([&] { return a.statuses >= a_seen + 10 && b.statuses >= b_seen + 10; }));
  EXPECT_THAT(a.running, ElementsAre("a1"));
  EXPECT_THAT(b.running, ElementsAre("a1"));
  EXPECT_THAT(a.ended, IsEmpty());
  EXPECT_THAT(b.ended, IsEmpty());

  // a1 ends during the silence: its report goes out, and nobody acks it.
  testutil::WriteFile(config_.data_dir / "release", "");
  ASSERT_TRUE(PumpUntil([&] { return a.Ended("a1") + b.Ended("a1") > 0; }));
  b.role = Role::kLeader;
  ASSERT_TRUE(PumpUntil([&] { return b.Ended("a1") > 0; }));
  const protocol::AttemptEnded& ended = b.ended.back();
  EXPECT_EQ(ended.exitCode, std::optional<int32_t>(0));
  EXPECT_FALSE(ended.signal.has_value());

  // Acked: a report already in flight may still come, then no more.
  int b_now = b.statuses;
  ASSERT_TRUE(PumpUntil([&] { return b.statuses >= b_now + 2; }));
  const int reports = a.Ended("a1") + b.Ended("a1");
  b_now = b.statuses;
  ASSERT_TRUE(PumpUntil([&] { return b.statuses >= b_now + 3; }));
  EXPECT_EQ(a.Ended("a1") + b.Ended("a1"), reports);
  EXPECT_THAT(b.running, IsEmpty());
}

}  // namespace
}  // namespace gantry::node
