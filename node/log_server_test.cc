// The log server over real ZeroMQ on 127.0.0.1 (ephemeral port), on a real
// libuv loop in the test thread; logs are written by the real writer.
#include "node/log_server.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <set>

#include "node/attempt_log.h"
#include "node/sandbox.h"
#include "node/test_util.h"

namespace gantry::node {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::StartsWith;

TEST(AdvertisedLogAddress, ReplacesOnlyAWildcardHost) {
  EXPECT_EQ(AdvertisedLogAddress("tcp://0.0.0.0:7002", "node7"), "tcp://node7:7002");
  EXPECT_EQ(AdvertisedLogAddress("tcp://[::]:7002", "node7"), "tcp://node7:7002");
  EXPECT_EQ(AdvertisedLogAddress("tcp://10.1.2.3:7002", "node7"), "tcp://10.1.2.3:7002");
  EXPECT_EQ(AdvertisedLogAddress("tcp://0.0.0.0:7002", ""), "tcp://0.0.0.0:7002");
  EXPECT_EQ(AdvertisedLogAddress("ipc:///run/gantry.sock", "node7"), "ipc:///run/gantry.sock");
}

class LogServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(uv_loop_init(&loop_), 0);
    server_ = std::make_unique<LogServer>(testutil::TestLogger("agent"), data_,
                                          [this](const fs::path& dir) { return open_.contains(dir); });
    Result<std::string> address = server_->Start(&loop_, context_, "tcp://127.0.0.1:0");
    ASSERT_TRUE(address.ok()) << address.status().ToString();
    address_ = *address;
    client_ = zmq::socket_t(context_, zmq::socket_type::dealer);
    client_.set(zmq::sockopt::linger, 0);
    client_.connect(address_);
  }
  void TearDown() override {
    client_.close();
    server_.reset();
    testutil::CloseLoop(&loop_);
  }

  // Writes `data` as the attempt's output through the writer with `cap`.
  void WriteLog(const std::string& job, uint32_t n, const std::string& data, uint64_t cap = 1 << 30) {
    fs::path dir = LogRoot(data_) / job / std::to_string(n);
    fs::create_directories(dir);
    int fd = ::open((dir / "output.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
    ASSERT_GE(fd, 0);
    AttemptLogWriter writer(dir, fd, cap);
    ASSERT_TRUE(writer.Append(data).ok());
  }

  // Sends `frame` and runs the loop until the reply comes.
  std::optional<protocol::Envelope> Exchange(const std::string& frame) {
    client_.send(zmq::buffer(frame), zmq::send_flags::none);
    std::optional<protocol::Envelope> got;
    bool received = false;  // RunLoopUntil asks once more after the last run
    bool ok = testutil::RunLoopUntil(
        &loop_,
        [&] {
          zmq::message_t msg;
          if (received || !client_.recv(msg, zmq::recv_flags::dontwait)) return received;
          received = true;
          Result<protocol::Envelope> env = protocol::DecodeEnvelope(msg.to_string_view());
          EXPECT_TRUE(env.ok()) << env.status().ToString();
          if (env.ok()) got = std::move(env).value();
          return true;
        },
        10'000, 1);
    if (!ok) return std::nullopt;
    return got;
  }

  Result<protocol::ReadLogReply> Call(const protocol::ReadLogRequest& req) {
    std::optional<protocol::Envelope> env = Exchange(protocol::EncodeMessage(++id_, req));
    if (!env) return Status::Unavailable("no reply");
    EXPECT_EQ(env->requestId, id_);
    if (env->type == protocol::MessageType::kErrorReply) {
      auto err = protocol::DecodeBody<protocol::ErrorReply>(*env);
      return Status(StatusCodeFromInt(err->code), err->message);
    }
    return protocol::DecodeBody<protocol::ReadLogReply>(*env);
  }

  testutil::TempDir tmp_;
  fs::path data_ = tmp_.path() / "data";
  uv_loop_t loop_{};
  zmq::context_t context_;
  std::unique_ptr<LogServer> server_;
  std::set<fs::path> open_;
  std::string address_;
  zmq::socket_t client_;
  uint64_t id_ = 0;
};

TEST_F(LogServerTest, BindsAnEphemeralPortOnTheLoopback) {
  EXPECT_THAT(address_, StartsWith("tcp://127.0.0.1:"));
  EXPECT_NE(address_, "tcp://127.0.0.1:0");
}

TEST_F(LogServerTest, ReadsAWholeLogAndSaysWhenItEnded) {
  WriteLog("job-1", 2, "hello\nworld\n");
  Result<protocol::ReadLogReply> rep = Call({"job-1", 2, 0, 1000});
  ASSERT_TRUE(rep.ok()) << rep.status().ToString();
  EXPECT_EQ(rep->data, "hello\nworld\n");
  EXPECT_EQ(rep->offset, 0u);
  EXPECT_EQ(rep->nextOffset, 12u);
  EXPECT_TRUE(rep->ended);

  open_.insert(LogRoot(data_) / "job-1" / "2");  // an attempt still writing it
  rep = Call({"job-1", 2, 6, 3});
  ASSERT_TRUE(rep.ok());
  EXPECT_EQ(rep->data, "wor");
  EXPECT_EQ(rep->nextOffset, 9u);
  EXPECT_FALSE(rep->ended);
  rep = Call({"job-1", 2, 12, 1000});  // caught up
  ASSERT_TRUE(rep.ok());
  EXPECT_EQ(rep->data, "");
  EXPECT_EQ(rep->offset, 12u);
}

TEST_F(LogServerTest, AnOffsetRotatedAwayStartsAtTheWindow) {
  std::string stream;
  for (int i = 0; i < 100; ++i) stream += "line " + std::to_string(i) + "\n";  // 690 bytes
  WriteLog("job-1", 1, stream, 200);  // keeps at most 200 bytes, rotating every 100
  Result<protocol::ReadLogReply> rep = Call({"job-1", 1, 10, 1000});
  ASSERT_TRUE(rep.ok()) << rep.status().ToString();
  EXPECT_GT(rep->offset, 10u);
  EXPECT_LE(rep->data.size(), 200u);
  EXPECT_EQ(rep->nextOffset, stream.size());
  EXPECT_EQ(rep->data, stream.substr(rep->offset));  // the newest output, byte for byte
}

TEST_F(LogServerTest, UnknownAttemptIsNotFound) {
  WriteLog("job-1", 1, "x");
  Result<protocol::ReadLogReply> rep = Call({"job-1", 2, 0, 10});
  EXPECT_EQ(rep.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(rep.status().message(), "no log of job job-1 attempt 2 on this node");
  EXPECT_EQ(Call({"job-9", 1, 0, 10}).status().code(), StatusCode::kNotFound);
}

TEST_F(LogServerTest, HostileIdsGetAnErrorNeverAFileOutsideTheLogs) {
  // Something readable just outside DATA/logs, where "../" would lead.
  fs::create_directories(data_ / "secret" / "1");
  testutil::WriteFile(data_ / "secret" / "1" / "output.log", "secret");
  for (const std::string id : {"../secret", "..", "a/../../secret", "/etc", ""}) {
    Result<protocol::ReadLogReply> rep = Call({id, 1, 0, 10});
    EXPECT_EQ(rep.status().code(), StatusCode::kInvalidArgument) << id;
    // Past the decoder too: the server checks the path component itself.
    Result<protocol::ReadLogReply> direct = server_->Read({id, 1, 0, 10});
    EXPECT_EQ(direct.status().code(), StatusCode::kInvalidArgument) << id;
  }
  // A frame that is no message at all, and a message the server does not take.
  std::optional<protocol::Envelope> env = Exchange("garbage");
  ASSERT_TRUE(env.has_value());
  EXPECT_EQ(env->type, protocol::MessageType::kErrorReply);
  env = Exchange(protocol::EncodeMessage(7, protocol::DescribeNodesRequest{}));
  ASSERT_TRUE(env.has_value());
  auto err = protocol::DecodeBody<protocol::ErrorReply>(*env);
  ASSERT_TRUE(err.ok());
  EXPECT_EQ(err->code, static_cast<uint8_t>(StatusCode::kInvalidArgument));
  EXPECT_THAT(err->message, HasSubstr("does not accept DescribeNodes"));
}

TEST_F(LogServerTest, ServesAtMostOneMebibytePerReply) {
  const std::string big(protocol::kMaxReadLogBytes + 4096, 'b');
  WriteLog("job-1", 1, big + "tail");
  Result<protocol::ReadLogReply> rep = Call({"job-1", 1, 0, UINT32_MAX});
  ASSERT_TRUE(rep.ok()) << rep.status().ToString();
  EXPECT_EQ(rep->data.size(), protocol::kMaxReadLogBytes);
  EXPECT_EQ(rep->nextOffset, protocol::kMaxReadLogBytes);
  rep = Call({"job-1", 1, rep->nextOffset, UINT32_MAX});
  ASSERT_TRUE(rep.ok());
  EXPECT_EQ(rep->data, std::string(4096, 'b') + "tail");
}

}  // namespace
}  // namespace gantry::node
