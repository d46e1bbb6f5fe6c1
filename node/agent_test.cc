// The agent end to end over loopback: the test plays the coordinator with a
// ROUTER on 127.0.0.1 (ephemeral port) and the agent runs real processes.
// Waiting is polling the ROUTER until the expected message arrives.
#include "node/agent.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <zmq.h>

#include <cerrno>
#include <chrono>
#include <functional>
#include <optional>
#include <thread>

#include "common/zmq_socket.h"
#include "node/agent_command.h"
#include "node/sandbox_fs.h"
#include "node/test_util.h"

namespace gantry::node {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::StartsWith;

constexpr uint16_t kStartedType = static_cast<uint16_t>(protocol::MessageType::kAttemptStarted);
constexpr uint16_t kEndedType = static_cast<uint16_t>(protocol::MessageType::kAttemptEnded);

class AgentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_ = zmq::socket_t(context_, zmq::socket_type::router);
    ApplyRouterOptions(router_);
    router_.bind("tcp://127.0.0.1:*");
    config_.coordinators = {router_.get(zmq::sockopt::last_endpoint)};
    config_.data_dir = dir_.path() / "data";
    fs::create_directories(config_.data_dir);
    config_.node_id = "node-1";
    config_.capacity = {2, 1024, 4096};
    config_.labels = {{"rack", "r1"}};
    config_.heartbeat_ms = 50;
    config_.kill_grace_ms = 5000;
  }

  void TearDown() override {
    if (thread_.joinable()) StopAgent();
  }

  void StartAgent() {
    agent_ = std::make_unique<Agent>(config_, testutil::TestLogger("agent"),
                                     testutil::TestLogger("exec"), clock_);
    thread_ = std::thread([this] { run_status_ = agent_->Run(); });
  }

  void StopAgent() {
    agent_->RequestStop();
    thread_.join();
  }

  // The next message of type T that satisfies `pred`; others are skipped but
  // remembered in seen_started_ / seen_ended_.
  template <class T>
  std::optional<T> Receive(const std::function<bool(const T&)>& pred = nullptr,
                           int timeout_ms = 20'000) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (true) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                      deadline - std::chrono::steady_clock::now())
                      .count();
      if (left <= 0) {
        ADD_FAILURE() << "no " << protocol::MessageTypeName(T::kType) << " from the agent";
        return std::nullopt;
      }
      zmq_pollitem_t item{router_.handle(), 0, ZMQ_POLLIN, 0};
      int rc = zmq_poll(&item, 1, static_cast<long>(left));
      if (rc <= 0) continue;  // timeout or EINTR: check the deadline again
      std::vector<zmq::message_t> frames;
      while (true) {
        zmq::message_t part;
        if (!router_.recv(part, zmq::recv_flags::dontwait)) break;
        bool more = part.more();
        frames.push_back(std::move(part));
        if (!more) break;
      }
      if (frames.size() != 2) continue;
      EXPECT_EQ(frames[0].to_string(), config_.node_id);  // the routing id is the node id
      auto env = protocol::DecodeEnvelope(frames[1].to_string_view());
      if (!env.ok()) {
        ADD_FAILURE() << "agent sent a malformed frame: " << env.status().ToString();
        continue;
      }
      Remember(*env);
      if (env->type != T::kType) continue;
      auto msg = protocol::DecodeBody<T>(*env);
      if (!msg.ok()) {
        ADD_FAILURE() << msg.status().ToString();
        continue;
      }
      if (pred && !pred(*msg)) continue;
      return std::move(msg).value();
    }
  }

  std::optional<protocol::AttemptEnded> ReceiveEnded(const std::string& id) {
    return Receive<protocol::AttemptEnded>([&](const auto& m) { return m.attemptId == id; });
  }
  std::optional<protocol::NodeStatus> ReceiveStatus(
      const std::function<bool(const protocol::NodeStatus&)>& pred = nullptr) {
    return Receive<protocol::NodeStatus>(pred);
  }

  template <class T>
  void SendToAgent(const T& message) {
    const std::string frame = protocol::EncodeMessage(next_request_id_++, message);
    SendRaw(frame);
  }
  void SendRaw(const std::string& frame) {
    router_.send(zmq::buffer(config_.node_id), zmq::send_flags::sndmore);
    router_.send(zmq::buffer(frame), zmq::send_flags::none);
  }

  protocol::LaunchAttempt Launch(const std::string& id, std::vector<std::string> command) {
    protocol::LaunchAttempt l;
    l.attemptId = id;
    l.jobId = "job-" + id;
    l.attemptNumber = 1;
    l.fencingToken = 7;
    l.command = std::move(command);
    l.jobQueue = "q1";
    l.computeEnvironment = "ce1";
    return l;
  }

  fs::path Scratch() const { return config_.data_dir / "scratch"; }

  void Remember(const protocol::Envelope& env) {
    if (env.type == protocol::MessageType::kAttemptStarted) {
      if (auto m = protocol::DecodeBody<protocol::AttemptStarted>(env); m.ok()) {
        seen_started_.push_back(m->attemptId);
      }
    } else if (env.type == protocol::MessageType::kAttemptEnded) {
      if (auto m = protocol::DecodeBody<protocol::AttemptEnded>(env); m.ok()) {
        seen_ended_.push_back(m->attemptId);
      }
    }
  }

  zmq::context_t context_;
  zmq::socket_t router_;
  testutil::TempDir dir_;
  AgentConfig config_;
  SystemClock clock_;
  std::unique_ptr<Agent> agent_;
  std::thread thread_;
  Status run_status_ = Status::Internal("not run");
  uint64_t next_request_id_ = 1;
  std::vector<std::string> seen_started_;
  std::vector<std::string> seen_ended_;
};

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
                                         "1"};
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
  EXPECT_EQ(status->node.labels, (protocol::Labels{{"rack", "r2"}, {"zone", "z"}}));
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

}  // namespace
}  // namespace gantry::node
