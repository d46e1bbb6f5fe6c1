// End-to-end: real `gantry coordinator` and `gantry agent` processes on
// 127.0.0.1 with free ports, driven through the client library.
#include <gtest/gtest.h>

#include <set>
#include <thread>
#include <zmq.hpp>

#include "tests/integration/cluster_harness.h"

namespace gantry::testing {
namespace {

using namespace std::chrono_literals;
using protocol::JobStatus;

protocol::SubmitJobRequest Job(const std::string& name, std::vector<std::string> command) {
  protocol::SubmitJobRequest req;
  req.jobName = name;
  req.jobQueue = "q";
  req.jobDefinition = "d";
  req.command = std::move(command);
  return req;
}

class ClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(cluster_.Start().ok()) << "see " << cluster_.root();
    ASSERT_TRUE(cluster_.CreateDefaults().ok());
  }
  void TearDown() override {
    if (HasFailure()) cluster_.KeepFiles();
  }
  std::string Submit(const protocol::SubmitJobRequest& req) {
    auto r = cluster_.rpc().Call(req);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->jobId : "";
  }

  ClusterHarness cluster_{GANTRY_BINARY, HarnessOptions{}};
};

TEST_F(ClusterTest, TwoHundredJobsAllSucceedWithTheirOutput) {
  std::vector<std::string> ids;
  for (int i = 0; i < 200; ++i) {
    ids.push_back(Submit(Job("j" + std::to_string(i),
                             {"sh", "-c", "echo out-" + std::to_string(i) + " $AWS_BATCH_JOB_ID $AWS_BATCH_JOB_ATTEMPT "
                                          "$AWS_BATCH_JQ_NAME $AWS_BATCH_CE_NAME"})));
  }
  auto jobs = cluster_.WaitForTerminal(ids, 120s);
  ASSERT_TRUE(jobs.ok()) << jobs.status().ToString();
  for (size_t i = 0; i < jobs->size(); ++i) {
    const protocol::Job& j = (*jobs)[i];
    ASSERT_EQ(j.status, JobStatus::kSucceeded) << j.jobId << " " << j.statusReason;
    ASSERT_EQ(j.attempts.size(), 1u);
    EXPECT_EQ(j.attempts[0].exitCode, 0);
    EXPECT_EQ(j.attempts[0].logTail.value_or(""),
              "out-" + std::to_string(i) + " " + j.jobId + " 1 q ce\n");
    EXPECT_TRUE(j.startedAt && j.stoppedAt && *j.startedAt <= *j.stoppedAt);
    EXPECT_TRUE(j.attempts[0].node == "agent-0" || j.attempts[0].node == "agent-1") << j.attempts[0].node;
  }
  // Every reservation is released once the jobs are done.
  auto n = cluster_.rpc().Call(protocol::DescribeNodesRequest{});
  ASSERT_TRUE(n.ok());
  for (const auto& node : n->nodes) {
    EXPECT_EQ(node.free.vcpus, node.node.capacity.vcpus);
    EXPECT_TRUE(node.runningAttempts.empty());
  }
}

TEST_F(ClusterTest, FailingJobEndsFailedWithItsExitCode) {
  std::string ok_id = Submit(Job("fine", {"true"}));
  std::string bad_id = Submit(Job("bad", {"sh", "-c", "echo oops >&2; exit 3"}));
  std::string missing_id = Submit(Job("missing", {"/no/such/program"}));
  auto jobs = cluster_.WaitForTerminal({ok_id, bad_id, missing_id}, 60s);
  ASSERT_TRUE(jobs.ok());
  EXPECT_EQ((*jobs)[0].status, JobStatus::kSucceeded);
  EXPECT_EQ((*jobs)[1].status, JobStatus::kFailed);
  EXPECT_EQ((*jobs)[1].attempts[0].exitCode, 3);
  EXPECT_EQ((*jobs)[1].attempts[0].logTail.value_or(""), "oops\n");
  EXPECT_EQ((*jobs)[2].status, JobStatus::kFailed);
  EXPECT_NE((*jobs)[2].statusReason.find("CannotStartContainerError"), std::string::npos)
      << (*jobs)[2].statusReason;
}

TEST_F(ClusterTest, BadRequestsGetClearErrorsAndChangeNothing) {
  auto unknown_queue = cluster_.rpc().Call([] {
    auto r = Job("x", {"true"});
    r.jobQueue = "nope";
    return r;
  }());
  EXPECT_EQ(unknown_queue.status().code(), StatusCode::kNotFound);
  EXPECT_NE(unknown_queue.status().message().find("job queue nope not found"), std::string::npos);
  auto bad_vcpus = cluster_.rpc().Call([] {
    auto r = Job("x", {"true"});
    r.vcpus = 0;
    return r;
  }());
  EXPECT_EQ(bad_vcpus.status().code(), StatusCode::kInvalidArgument);
  protocol::ListJobsRequest list;
  list.jobQueue = "q";
  EXPECT_TRUE(cluster_.rpc().Call(list)->jobSummaryList.empty());
}

TEST_F(ClusterTest, GarbageFramesDoNotStopTheCoordinator) {
  zmq::context_t ctx;
  zmq::socket_t raw(ctx, zmq::socket_type::dealer);
  raw.set(zmq::sockopt::linger, 0);
  raw.connect(cluster_.endpoint());
  const std::vector<std::string> garbage = {
      std::string("\xdd\xff\xff\xff\xff", 5), std::string("\xc1"), std::string(100, '\x91'),
      std::string("\x84\xa1v\x01\xa1t\xcd\xff\xff\xa2id\x00\xa4" "body\x80", 19), std::string(1 << 20, 'x')};
  for (const auto& g : garbage) raw.send(zmq::buffer(g), zmq::send_flags::none);
  // Each gets an error reply; the coordinator keeps serving everyone.
  for (size_t i = 0; i < garbage.size(); ++i) {
    zmq::pollitem_t item{raw.handle(), 0, ZMQ_POLLIN, 0};
    ASSERT_EQ(zmq::poll(&item, 1, 5s), 1);
    zmq::message_t reply;
    ASSERT_TRUE(raw.recv(reply));
    auto env = protocol::DecodeEnvelope(reply.to_string_view());
    ASSERT_TRUE(env.ok());
    EXPECT_EQ(env->type, protocol::MessageType::kErrorReply);
  }
  std::string id = Submit(Job("after", {"true"}));
  auto jobs = cluster_.WaitForTerminal({id}, 30s);
  ASSERT_TRUE(jobs.ok());
  EXPECT_EQ((*jobs)[0].status, JobStatus::kSucceeded);
  EXPECT_TRUE(cluster_.CoordinatorAlive());
}

TEST_F(ClusterTest, CoordinatorRestartKeepsStateAndFinishesRunningJobs) {
  std::vector<std::string> done;
  for (int i = 0; i < 10; ++i) done.push_back(Submit(Job("d" + std::to_string(i), {"true"})));
  ASSERT_TRUE(cluster_.WaitForTerminal(done, 60s).ok());
  // A job still running while the coordinator is away must be recorded when
  // it comes back: the agent keeps its end report until it is acknowledged.
  std::string running = Submit(Job("long", {"sh", "-c", "sleep 2; echo finished"}));
  ASSERT_TRUE(cluster_.WaitForStatus(running, JobStatus::kRunning, 30s).ok());

  cluster_.StopCoordinator(/*kill9=*/true);
  ASSERT_TRUE(cluster_.StartCoordinator().ok());

  auto before = cluster_.rpc().Call(protocol::DescribeJobsRequest{done});
  ASSERT_TRUE(before.ok());
  ASSERT_EQ(before->jobs.size(), done.size());
  for (const auto& j : before->jobs) EXPECT_EQ(j.status, JobStatus::kSucceeded);
  ASSERT_TRUE(cluster_.WaitForReadyNodes(2, 20s).ok());

  auto finished = cluster_.WaitForTerminal({running}, 60s);
  ASSERT_TRUE(finished.ok());
  EXPECT_EQ((*finished)[0].status, JobStatus::kSucceeded);
  EXPECT_EQ((*finished)[0].attempts.back().logTail.value_or(""), "finished\n");

  std::string after = Submit(Job("after", {"true"}));
  auto jobs = cluster_.WaitForTerminal({after}, 30s);
  ASSERT_TRUE(jobs.ok());
  EXPECT_EQ((*jobs)[0].status, JobStatus::kSucceeded);
}

TEST_F(ClusterTest, SilentNodeGetsNoNewWork) {
  cluster_.StopAgent(1, /*kill9=*/true);
  // The node turns LOST once its TTL (3 s here) runs out.
  auto deadline = std::chrono::steady_clock::now() + 20s;
  bool lost = false;
  while (!lost && std::chrono::steady_clock::now() < deadline) {
    auto nodes = cluster_.rpc().Call(protocol::DescribeNodesRequest{});
    ASSERT_TRUE(nodes.ok());
    for (const auto& n : nodes->nodes) {
      if (n.node.nodeId == "agent-1" && n.state == protocol::NodeState::kLost) lost = true;
    }
    if (!lost) std::this_thread::sleep_for(50ms);
  }
  ASSERT_TRUE(lost);
  std::vector<std::string> ids;
  for (int i = 0; i < 20; ++i) ids.push_back(Submit(Job("s" + std::to_string(i), {"true"})));
  auto jobs = cluster_.WaitForTerminal(ids, 60s);
  ASSERT_TRUE(jobs.ok());
  for (const auto& j : *jobs) {
    EXPECT_EQ(j.status, JobStatus::kSucceeded);
    EXPECT_EQ(j.attempts.back().node, "agent-0");
  }
}

TEST_F(ClusterTest, JobTooBigForEveryNodeWaitsWithAReason) {
  auto req = Job("huge", {"true"});
  req.vcpus = 64;  // the agents advertise 4 each
  std::string id = Submit(req);
  auto deadline = std::chrono::steady_clock::now() + 20s;
  std::string reason;
  while (std::chrono::steady_clock::now() < deadline) {
    auto r = cluster_.rpc().Call(protocol::DescribeJobsRequest{{id}});
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->jobs[0].status, JobStatus::kRunnable);
    reason = r->jobs[0].statusReason;
    if (reason.find("64 vCPU") != std::string::npos) break;
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_NE(reason.find("can ever fit"), std::string::npos) << reason;
}

TEST_F(ClusterTest, RetriedSubmissionWithSameTokenMakesOneJob) {
  auto req = Job("once", {"true"});
  req.clientToken = "token-1";
  std::string a = Submit(req);
  std::string b = Submit(req);
  EXPECT_EQ(a, b);
  protocol::ListJobsRequest list;
  list.jobQueue = "q";
  EXPECT_EQ(cluster_.rpc().Call(list)->jobSummaryList.size(), 1u);
}

}  // namespace
}  // namespace gantry::testing
