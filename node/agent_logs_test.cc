// Attempt logs through the whole agent: real jobs write through the output
// pipe, the log server answers over loopback, and the retention runs at
// start and on the heartbeat. The test plays the coordinator (AgentTest).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "node/agent_test_fixture.h"
#include "node/attempt_log.h"
#include "node/test_util.h"

namespace gantry::node {
namespace {

namespace fs = std::filesystem;
using ::testing::StartsWith;

class AgentLogsTest : public AgentTest {
 protected:
  fs::path LogDir(const std::string& attempt_id) const {
    return config_.data_dir / "logs" / ("job-" + attempt_id) / "1";
  }

  // One ReadLog to the agent's log server at `address`.
  Result<protocol::ReadLogReply> ReadLog(const std::string& address, const std::string& job,
                                         uint64_t offset) {
    zmq::socket_t s(context_, zmq::socket_type::dealer);
    s.set(zmq::sockopt::linger, 0);
    s.connect(address);
    protocol::ReadLogRequest req{job, 1, offset, protocol::kMaxReadLogBytes};
    s.send(zmq::buffer(protocol::EncodeMessage(1, req)), zmq::send_flags::none);
    zmq_pollitem_t item{s.handle(), 0, ZMQ_POLLIN, 0};
    if (zmq_poll(&item, 1, 10'000) <= 0) return Status::Unavailable("no reply from the log server");
    zmq::message_t msg;
    if (!s.recv(msg, zmq::recv_flags::none)) return Status::Unavailable("recv");
    GANTRY_ASSIGN_OR_RETURN(protocol::Envelope env, protocol::DecodeEnvelope(msg.to_string_view()));
    if (env.type == protocol::MessageType::kErrorReply) {
      GANTRY_ASSIGN_OR_RETURN(auto err, protocol::DecodeBody<protocol::ErrorReply>(env));
      return Status(StatusCodeFromInt(err.code), err.message);
    }
    return protocol::DecodeBody<protocol::ReadLogReply>(env);
  }

  // An ended attempt's log of `bytes` bytes, last written `age_s` ago.
  fs::path MakeOldLog(const std::string& job, size_t bytes, int age_s) {
    fs::path dir = config_.data_dir / "logs" / job / "1";
    fs::create_directories(dir);
    testutil::WriteFile(dir / "output.log", std::string(bytes, 'o'));
    const auto when = fs::file_time_type::clock::now() - std::chrono::seconds(age_s);
    fs::last_write_time(dir / "output.log", when);
    fs::last_write_time(dir, when);
    return dir;
  }

  static uint64_t BytesIn(const fs::path& dir) {
    uint64_t n = 0;
    for (const auto& e : fs::directory_iterator(dir)) n += e.is_regular_file() ? e.file_size() : 0;
    return n;
  }
};

TEST_F(AgentLogsTest, OutputOverTheCapLeavesAtMostTheCapWithTheNewestKept) {
  config_.max_log_bytes_per_attempt = 256 * 1024;
  StartAgent();
  ASSERT_TRUE(ReceiveStatus().has_value());
  // About 1.3 MB, five times the cap, through stdout and stderr alike.
  SendToAgent(Launch("a1", {"sh", "-c", "seq 1 100000; seq 100001 200000 >&2"}));
  auto ended = ReceiveEnded("a1");
  ASSERT_TRUE(ended.has_value());
  EXPECT_EQ(ended->exitCode, std::optional<int32_t>(0));

  std::string stream;
  for (int i = 1; i <= 200000; ++i) stream += std::to_string(i) + "\n";
  EXPECT_LE(BytesIn(LogDir("a1")), 256u * 1024 + 16);  // + the base file's digits
  Result<LogChunk> kept = ReadAttemptLog(LogDir("a1"), 0, 1 << 30);
  ASSERT_TRUE(kept.ok()) << kept.status().ToString();
  EXPECT_GT(kept->offset, 0u);
  EXPECT_GE(kept->data.size(), 128u * 1024);  // at least the newer half
  EXPECT_EQ(kept->offset + kept->data.size(), stream.size());
  EXPECT_TRUE(kept->data == stream.substr(kept->offset)) << "the kept window is not the stream's end";
  EXPECT_TRUE(ended->logTail == stream.substr(stream.size() - protocol::kMaxLogTailBytes));
}

TEST_F(AgentLogsTest, LogServerServesLiveOutputAndTheEnd) {
  StartAgent();
  auto status = ReceiveStatus();
  ASSERT_TRUE(status.has_value());
  const std::string address = status->node.logAddress;
  EXPECT_THAT(address, StartsWith("tcp://127.0.0.1:"));
  SendToAgent(Launch("a2", {"sh", "-c", "echo ready; exec sleep 100"}));
  ASSERT_TRUE(Receive<protocol::AttemptStarted>().has_value());

  Result<protocol::ReadLogReply> live = Status::Unavailable("not read");
  ASSERT_TRUE(testutil::WaitUntil([&] {
    live = ReadLog(address, "job-a2", 0);
    return live.ok() && live->data == "ready\n";
  }));
  EXPECT_FALSE(live->ended);

  SendToAgent(protocol::KillAttempt{"a2", "test"});
  ASSERT_TRUE(ReceiveEnded("a2").has_value());
  Result<protocol::ReadLogReply> after = ReadLog(address, "job-a2", live->nextOffset);
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_EQ(after->data, "");
  EXPECT_EQ(after->offset, 6u);
  EXPECT_TRUE(after->ended);
  EXPECT_EQ(ReadLog(address, "job-none", 0).status().code(), StatusCode::kNotFound);
}

TEST_F(AgentLogsTest, RetentionAtStartDeletesTheOldestEndedLogs) {
  config_.log_budget_bytes = 6000;
  fs::path oldest = MakeOldLog("job-old", 4000, 300);
  fs::path older = MakeOldLog("job-older", 4000, 200);
  fs::path newest = MakeOldLog("job-new", 4000, 100);
  StartAgent();
  ASSERT_TRUE(ReceiveStatus().has_value());  // the retention runs before connecting
  EXPECT_FALSE(fs::exists(oldest));
  EXPECT_FALSE(fs::exists(older));
  EXPECT_TRUE(fs::exists(newest));
}

TEST_F(AgentLogsTest, RetentionOnTheHeartbeatSparesARunningAttempt) {
  config_.log_budget_bytes = 1;  // every ended log is over the budget
  StartAgent();
  ASSERT_TRUE(ReceiveStatus().has_value());
  SendToAgent(Launch("live", {"sh", "-c", "echo still here; exec sleep 100"}));
  ASSERT_TRUE(testutil::WaitUntil([&] {
    std::error_code ec;
    return fs::file_size(LogDir("live") / "output.log", ec) > 0 && !ec;
  }));
  SendToAgent(Launch("done", {"echo", "finished"}));
  ASSERT_TRUE(ReceiveEnded("done").has_value());
  // The ended attempt's log goes on a heartbeat; the live one stays.
  ASSERT_TRUE(testutil::WaitUntil([&] { return !fs::exists(LogDir("done")); }));
  ASSERT_TRUE(ReceiveStatus().has_value());
  ASSERT_TRUE(ReceiveStatus().has_value());  // more heartbeats, more runs
  EXPECT_EQ(testutil::ReadFile(LogDir("live") / "output.log"), "still here\n");
  SendToAgent(protocol::KillAttempt{"live", "test"});
  ASSERT_TRUE(ReceiveEnded("live").has_value());
}

}  // namespace
}  // namespace gantry::node
