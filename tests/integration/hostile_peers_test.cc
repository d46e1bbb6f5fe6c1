// End to end: a hostile peer on the network. A raw ZeroMQ DEALER sends
// malformed, truncated, oversized and forged frames to a live coordinator
// (its client and agent endpoint) and to a live agent's log server. After
// each one the test checks that the target still serves: the coordinator
// answers DescribeJobs, the log server answers ReadLog, both processes run
// and the node stays READY; at the end a new job still runs to SUCCEEDED.
// Where the target answers with an ErrorReply, it must name what was wrong.
#include <gtest/gtest.h>
#include <signal.h>
#include <zmq.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "protocol/messages.h"
#include "protocol/test_fixtures.h"
#include "protocol/test_msgpack.h"
#include "tests/integration/cluster_harness.h"

namespace gantry::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using Parts = std::vector<std::string>;
using protocol::MessageType;

// A peer that speaks raw ZeroMQ frames. A monitor on its socket reports
// the connection's events, so the test sees a target drop the connection.
class RawPeer {
 public:
  RawPeer(zmq::context_t& ctx, const std::string& endpoint, const std::string& routing_id = "")
      : socket_(ctx, zmq::socket_type::dealer), monitor_(ctx, zmq::socket_type::pair) {
    static int next = 0;
    const std::string monitor_endpoint = "inproc://hostile-monitor-" + std::to_string(next++);
    socket_.set(zmq::sockopt::linger, 0);
    if (!routing_id.empty()) socket_.set(zmq::sockopt::routing_id, routing_id);
    zmq_socket_monitor(socket_.handle(), monitor_endpoint.c_str(), ZMQ_EVENT_CONNECTED | ZMQ_EVENT_DISCONNECTED);
    monitor_.connect(monitor_endpoint);
    socket_.connect(endpoint);
  }

  void Send(const Parts& parts) {
    for (size_t i = 0; i < parts.size(); ++i) {
      const auto flags = i + 1 < parts.size() ? zmq::send_flags::sndmore : zmq::send_flags::none;
      socket_.send(zmq::buffer(parts[i]), flags);
    }
  }

  // The next multipart message, or nullopt if none comes within `limit`.
  std::optional<Parts> Receive(std::chrono::milliseconds limit) {
    zmq::pollitem_t item{socket_.handle(), 0, ZMQ_POLLIN, 0};
    if (zmq::poll(&item, 1, limit) == 0) return std::nullopt;
    Parts parts;
    zmq::message_t msg;
    do {
      if (!socket_.recv(msg, zmq::recv_flags::none)) break;
      parts.push_back(msg.to_string());
    } while (msg.more());
    return parts;
  }

  // Waits for the connection event `event` (ZMQ_EVENT_*).
  bool WaitForEvent(uint16_t event, std::chrono::milliseconds limit) {
    const auto deadline = Clock::now() + limit;
    while (Clock::now() < deadline) {
      zmq::pollitem_t item{monitor_.handle(), 0, ZMQ_POLLIN, 0};
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (zmq::poll(&item, 1, std::max(left, 1ms)) == 0) continue;
      zmq::message_t head, address;
      if (!monitor_.recv(head) || !monitor_.recv(address)) continue;
      uint16_t got = 0;
      std::memcpy(&got, head.data(), sizeof(got));
      if (got == event) return true;
    }
    return false;
  }

 private:
  zmq::socket_t socket_;
  zmq::socket_t monitor_;
};

// The ErrorReply in the last part of `reply`, or a test failure.
protocol::ErrorReply ErrorOf(const std::optional<Parts>& reply) {
  EXPECT_TRUE(reply.has_value()) << "no reply";
  if (!reply) return {};
  auto env = protocol::DecodeEnvelope(reply->back());
  EXPECT_TRUE(env.ok()) << env.status().ToString();
  if (!env.ok()) return {};
  EXPECT_EQ(env->type, MessageType::kErrorReply);
  auto err = protocol::DecodeBody<protocol::ErrorReply>(*env);
  EXPECT_TRUE(err.ok()) << err.status().ToString();
  if (!err.ok()) return {};
  EXPECT_EQ(err->code, static_cast<uint8_t>(StatusCode::kInvalidArgument)) << err->message;
  return *err;
}

// One hostile message and what the target must answer: an ErrorReply whose
// message holds `error`, or (error empty) a dropped connection.
struct Hostile {
  std::string name;
  Parts parts;
  std::string error;
  std::string routing_id;
};

std::string DescribeJobsBomb() {
  using namespace protocol::fixtures;  // NOLINT(google-build-using-namespace)
  // 5 bytes that declare an array of 2^32-1 job ids.
  return RawFrame(protocol::kProtocolVersion, static_cast<uint16_t>(MessageType::kDescribeJobs), 7,
                  [](protocol::Packer& pk) {
                    pk.pack_map(1);
                    PackStr(pk, "jobs");
                  }) +
         Bytes({0xdd, 0xff, 0xff, 0xff, 0xff});
}

// The hostile messages both targets get. `valid` is a request the target
// serves, whose answer differs in type from an ErrorReply.
std::vector<Hostile> HostileMessages(const std::string& valid, const std::string& spoofed_node_error) {
  using namespace protocol::fixtures;  // NOLINT(google-build-using-namespace)
  const auto kDescribe = static_cast<uint16_t>(MessageType::kDescribeJobs);
  auto empty_body = [](protocol::Packer& pk) { pk.pack_map(0); };
  protocol::NodeStatus spoof = MakeNodeStatus();  // it also carries a reclaim notice
  spoof.node.nodeId = "agent-0";
  return {
      {"garbage bytes", {"\xc1\xc1 GET / HTTP/1.1\r\n\r\n"}, "malformed msgpack", ""},
      {"truncated valid frame", {valid.substr(0, valid.size() / 2)}, "truncated message", ""},
      {"unknown message type", {RawFrame(protocol::kProtocolVersion, 999, 3, empty_body)}, "unknown message type 999", ""},
      {"wrong protocol version", {RawFrame(2, kDescribe, 4, empty_body)}, "unsupported protocol version 2", ""},
      {"frame over kMaxFrameBytes", {std::string(protocol::kMaxFrameBytes + 1, '\x90')}, "", ""},
      {"array32 bomb", {DescribeJobsBomb()}, "exceeds decoder limits", ""},
      {"empty frame", {""}, "empty message", ""},
      {"NodeStatus for another node", {protocol::EncodeMessage(9, spoof)}, spoofed_node_error, "intruder"},
  };
}

bool ProcessRuns(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t close = stat.rfind(')');
  return close != std::string::npos && close + 2 < stat.size() && stat[close + 2] != 'Z';
}

// The pid of the agent whose --data-dir is `data_dir`, or -1.
pid_t AgentPid(const std::string& data_dir) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/proc", ec)) {
    const std::string name = e.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(e.path() / "cmdline", std::ios::binary);
    std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<std::string> args;
    for (size_t start = 0; start < cmdline.size();) {
      size_t end = cmdline.find('\0', start);
      if (end == std::string::npos) end = cmdline.size();
      args.push_back(cmdline.substr(start, end - start));
      start = end + 1;
    }
    bool has_dir = false;
    for (const auto& a : args) has_dir = has_dir || a == data_dir;
    if (args.size() > 1 && args[1] == "agent" && has_dir) return std::stoi(name);
  }
  return -1;
}

class HostilePeersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    HarnessOptions o;
    o.agents = 1;
    o.replicas = 1;
    o.agent_args = LoadTestAgentArgs();
    o.coordinator_args = {"--default-job-disk-mib", "0"};
    cluster_ = std::make_unique<ClusterHarness>(GANTRY_BINARY, o);
    ASSERT_TRUE(cluster_->Start().ok()) << "see " << cluster_->root();
    ASSERT_TRUE(cluster_->CreateDefaults().ok());
    agent_pid_ = AgentPid(cluster_->AgentDataDir(0));
    ASSERT_GT(agent_pid_, 0);
    auto nodes = cluster_->rpc().Call(protocol::DescribeNodesRequest{});
    ASSERT_TRUE(nodes.ok()) << nodes.status().ToString();
    ASSERT_EQ(nodes->nodes.size(), 1u);
    log_address_ = nodes->nodes[0].node.logAddress;
    ASSERT_FALSE(log_address_.empty());
    auto logs = client::RpcClient::Create({{log_address_}, 5s});
    ASSERT_TRUE(logs.ok());
    logs_ = std::move(*logs);
    first_job_ = RunJob("before");
  }

  void TearDown() override {
    if (cluster_ && HasFailure()) cluster_->KeepFiles();
  }

  // Submits `echo <marker>`, waits for SUCCEEDED and returns the job id.
  std::string RunJob(const std::string& marker) {
    protocol::SubmitJobRequest req;
    req.jobName = marker;
    req.jobQueue = "q";
    req.jobDefinition = "d";
    req.command = std::vector<std::string>{"echo", "hostile-peers-" + marker};
    auto r = cluster_->rpc().Call(req);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok()) return "";
    EXPECT_TRUE(cluster_->WaitForStatus(r->jobId, protocol::JobStatus::kSucceeded, 60s).ok());
    return r->jobId;
  }

  // The coordinator and the agent still run and serve.
  void ExpectServing(const std::string& job_id, const std::string& marker) {
    EXPECT_TRUE(cluster_->CoordinatorAlive());
    EXPECT_TRUE(ProcessRuns(agent_pid_)) << "agent pid " << agent_pid_;
    auto jobs = cluster_->rpc().Call(protocol::DescribeJobsRequest{{job_id}});
    ASSERT_TRUE(jobs.ok()) << jobs.status().ToString();
    ASSERT_EQ(jobs->jobs.size(), 1u);
    EXPECT_EQ(jobs->jobs[0].status, protocol::JobStatus::kSucceeded);
    auto nodes = cluster_->rpc().Call(protocol::DescribeNodesRequest{});
    ASSERT_TRUE(nodes.ok()) << nodes.status().ToString();
    ASSERT_EQ(nodes->nodes.size(), 1u);
    EXPECT_EQ(nodes->nodes[0].state, protocol::NodeState::kReady) << nodes->nodes[0].stateReason;
    auto log = logs_->Call(protocol::ReadLogRequest{job_id, 1, 0, protocol::kMaxReadLogBytes});
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    EXPECT_EQ(log->data, "hostile-peers-" + marker + "\n");
  }

  std::string ReadLogFrame() const {
    return protocol::EncodeMessage(5, protocol::ReadLogRequest{first_job_, 1, 0, 1024});
  }
  std::string DescribeFrame() const {
    return protocol::EncodeMessage(5, protocol::DescribeJobsRequest{{first_job_}});
  }

  // Sends each hostile message from a fresh peer to `endpoint` and checks the
  // answer, then that everything still serves.
  void Attack(const std::string& endpoint, const std::vector<Hostile>& messages) {
    for (const Hostile& h : messages) {
      SCOPED_TRACE(h.name);
      RawPeer peer(ctx_, endpoint, h.routing_id);
      ASSERT_TRUE(peer.WaitForEvent(ZMQ_EVENT_CONNECTED, 5s));
      peer.Send(h.parts);
      if (h.error.empty()) {
        // ZMQ_MAXMSGSIZE: the target drops the connection, and never answers.
        EXPECT_TRUE(peer.WaitForEvent(ZMQ_EVENT_DISCONNECTED, 10s));
        EXPECT_FALSE(peer.Receive(200ms).has_value());
      } else {
        protocol::ErrorReply err = ErrorOf(peer.Receive(5s));
        EXPECT_NE(err.message.find(h.error), std::string::npos) << err.message;
      }
      ExpectServing(first_job_, "before");
    }
  }

  // A 3-part message: the parts before the last are treated as an address
  // and come back in front of the answer; they route nothing.
  void SendThreeParts(const std::string& endpoint, const std::string& request, MessageType answer) {
    RawPeer peer(ctx_, endpoint);
    const std::string binary("\x00\xff", 2);
    peer.Send({"not-a-routing-id", binary, request});
    std::optional<Parts> reply = peer.Receive(5s);
    ASSERT_TRUE(reply.has_value());
    ASSERT_EQ(reply->size(), 3u);
    EXPECT_EQ((*reply)[0], "not-a-routing-id");
    EXPECT_EQ((*reply)[1], binary);
    auto env = protocol::DecodeEnvelope(reply->back());
    ASSERT_TRUE(env.ok()) << env.status().ToString();
    EXPECT_EQ(env->type, answer);
    ExpectServing(first_job_, "before");
  }

  std::unique_ptr<ClusterHarness> cluster_;
  zmq::context_t ctx_;
  pid_t agent_pid_ = -1;
  std::string log_address_;
  std::unique_ptr<client::RpcClient> logs_;
  std::string first_job_;
};

TEST_F(HostilePeersTest, CoordinatorKeepsServingThroughHostileFrames) {
  ASSERT_FALSE(first_job_.empty());
  Attack(cluster_->endpoint(), HostileMessages(DescribeFrame(), "must come from that node's own connection"));
  SendThreeParts(cluster_->endpoint(), DescribeFrame(), MessageType::kDescribeJobsReply);
  // The forged NodeStatus carried a reclaim notice: had it been taken, the
  // node would no longer take work and this job would not run.
  const std::string after = RunJob("after");
  ExpectServing(after, "after");
}

TEST_F(HostilePeersTest, AgentLogServerKeepsServingThroughHostileFrames) {
  ASSERT_FALSE(first_job_.empty());
  Attack(log_address_, HostileMessages(ReadLogFrame(), "the log server does not accept NodeStatus"));
  SendThreeParts(log_address_, ReadLogFrame(), MessageType::kReadLogReply);
  const std::string after = RunJob("after");
  ExpectServing(after, "after");
}

}  // namespace
}  // namespace gantry::testing
