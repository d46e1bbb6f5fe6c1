// AgentTest: the agent end to end over loopback, shared by the agent's
// tests. The test plays the coordinator with a ROUTER on 127.0.0.1
// (ephemeral port), and the agent runs real processes in a temporary data
// directory. Waiting is polling the ROUTER until the expected message
// arrives; a deadline fails the test.
#pragma once

#include <gtest/gtest.h>
#include <zmq.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/zmq_socket.h"
#include "gantry/clock.h"
#include "node/agent.h"
#include "node/test_util.h"

namespace gantry::node {

inline constexpr uint16_t kStartedType =
    static_cast<uint16_t>(protocol::MessageType::kAttemptStarted);
inline constexpr uint16_t kEndedType = static_cast<uint16_t>(protocol::MessageType::kAttemptEnded);

class AgentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_ = zmq::socket_t(context_, zmq::socket_type::router);
    ApplyRouterOptions(router_);
    router_.bind("tcp://127.0.0.1:*");
    config_.coordinators = {router_.get(zmq::sockopt::last_endpoint)};
    config_.data_dir = dir_.path() / "data";
    std::filesystem::create_directories(config_.data_dir);
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
      std::optional<protocol::Envelope> env = ReadEnvelope(router_);
      if (!env || env->type != T::kType) continue;
      auto msg = protocol::DecodeBody<T>(*env);
      if (!msg.ok()) {
        ADD_FAILURE() << msg.status().ToString();
        continue;
      }
      if (pred && !pred(*msg)) continue;
      return std::move(msg).value();
    }
  }

  // The next message the agent sent to `router`, if one is waiting. Checks
  // the routing id and remembers reports in seen_started_ / seen_ended_.
  std::optional<protocol::Envelope> ReadEnvelope(zmq::socket_t& router) {
    std::vector<zmq::message_t> frames;
    while (true) {
      zmq::message_t part;
      if (!router.recv(part, zmq::recv_flags::dontwait)) break;
      bool more = part.more();
      frames.push_back(std::move(part));
      if (!more) break;
    }
    if (frames.size() != 2) return std::nullopt;
    EXPECT_EQ(frames[0].to_string(), config_.node_id);  // the routing id is the node id
    auto env = protocol::DecodeEnvelope(frames[1].to_string_view());
    if (!env.ok()) {
      ADD_FAILURE() << "agent sent a malformed frame: " << env.status().ToString();
      return std::nullopt;
    }
    Remember(*env);
    return std::move(env).value();
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
    SendFrom(router_, message);
  }
  template <class T>
  void SendFrom(zmq::socket_t& router, const T& message) {
    SendRaw(router, protocol::EncodeMessage(next_request_id_++, message));
  }
  void SendRaw(const std::string& frame) { SendRaw(router_, frame); }
  void SendRaw(zmq::socket_t& router, const std::string& frame) {
    router.send(zmq::buffer(config_.node_id), zmq::send_flags::sndmore);
    router.send(zmq::buffer(frame), zmq::send_flags::none);
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

  std::filesystem::path Scratch() const { return config_.data_dir / "scratch"; }

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

}  // namespace gantry::node
