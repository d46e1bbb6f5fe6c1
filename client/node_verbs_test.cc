// gantry node cordon | uncordon | drain | reclaim, gantry nodes, and the
// preemption flags, end to end: the real CLI parser and RpcClient against a
// fake coordinator, checking what is sent, printed and returned.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <mutex>

#include "client/fake_coordinator_test_util.h"
#include "client/verb_test_util.h"

namespace gantry::client {
namespace {

using protocol::Envelope;
using protocol::MessageType;
using protocol::NodeAction;

// Records each request it is sent, decoded, and answers as the coordinator
// would; DescribeNodes gets the nodes set with SetNodes.
class Recorder {
 public:
  Recorder() : coord_([this](const Envelope& env) { return Handle(env); }) {}

  std::string endpoint() const { return coord_.endpoint(); }
  int requests() const { return coord_.requests(); }
  void SetNodes(std::vector<protocol::NodeView> nodes) {
    std::lock_guard<std::mutex> lock(mu_);
    nodes_ = std::move(nodes);
  }
  std::vector<protocol::NodeControlRequest> controls() {
    std::lock_guard<std::mutex> lock(mu_);
    return controls_;
  }
  protocol::CreateComputeEnvironmentRequest create_ce() {
    std::lock_guard<std::mutex> lock(mu_);
    return create_ce_;
  }
  protocol::UpdateComputeEnvironmentRequest update_ce() {
    std::lock_guard<std::mutex> lock(mu_);
    return update_ce_;
  }
  protocol::CreateJobQueueRequest create_queue() {
    std::lock_guard<std::mutex> lock(mu_);
    return create_queue_;
  }
  protocol::UpdateJobQueueRequest update_queue() {
    std::lock_guard<std::mutex> lock(mu_);
    return update_queue_;
  }
  protocol::SubmitJobRequest submit() {
    std::lock_guard<std::mutex> lock(mu_);
    return submit_;
  }

 private:
  template <class Req>
  static Req Decode(const Envelope& env) {
    auto req = protocol::DecodeBody<Req>(env);
    EXPECT_TRUE(req.ok()) << req.status().ToString();
    return req.ok() ? *req : Req{};
  }

  std::vector<std::string> Handle(const Envelope& env) {
    std::lock_guard<std::mutex> lock(mu_);
    switch (env.type) {
      case MessageType::kNodeControl:
        controls_.push_back(Decode<protocol::NodeControlRequest>(env));
        return Reply(env, protocol::DoneReply{controls_.back().nodeId});
      case MessageType::kDescribeNodes: {
        protocol::DescribeNodesReply rep;
        rep.nodes = nodes_;
        return Reply(env, rep);
      }
      case MessageType::kCreateComputeEnvironment:
        create_ce_ = Decode<protocol::CreateComputeEnvironmentRequest>(env);
        return Reply(env,
                     protocol::CreateComputeEnvironmentReply{create_ce_.computeEnvironment.computeEnvironmentName});
      case MessageType::kUpdateComputeEnvironment:
        update_ce_ = Decode<protocol::UpdateComputeEnvironmentRequest>(env);
        return Reply(env, protocol::DoneReply{update_ce_.computeEnvironment});
      case MessageType::kCreateJobQueue:
        create_queue_ = Decode<protocol::CreateJobQueueRequest>(env);
        return Reply(env, protocol::CreateJobQueueReply{create_queue_.jobQueue.jobQueueName});
      case MessageType::kUpdateJobQueue:
        update_queue_ = Decode<protocol::UpdateJobQueueRequest>(env);
        return Reply(env, protocol::DoneReply{update_queue_.jobQueue});
      case MessageType::kSubmitJob:
        submit_ = Decode<protocol::SubmitJobRequest>(env);
        return Reply(env, protocol::SubmitJobReply{"job-0001", submit_.jobName});
      default:
        return {FakeCoordinator::Error(env.requestId, StatusCode::kInvalidArgument, "unexpected")};
    }
  }

  std::mutex mu_;
  std::vector<protocol::NodeView> nodes_;
  std::vector<protocol::NodeControlRequest> controls_;
  protocol::CreateComputeEnvironmentRequest create_ce_;
  protocol::UpdateComputeEnvironmentRequest update_ce_;
  protocol::CreateJobQueueRequest create_queue_;
  protocol::UpdateJobQueueRequest update_queue_;
  protocol::SubmitJobRequest submit_;
  FakeCoordinator coord_;  // last: its thread stops before the rest goes
};

TEST(NodeVerbs, DrainSendsDeadlineAndReasonAndSaysWhen) {
  Recorder fake;
  RunResult r = RunGantry({"node", "drain", "node-3", "--deadline", "600", "--reason", "kernel upgrade", "--endpoint",
                           fake.endpoint()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_THAT(r.out, testing::MatchesRegex("node node-3 draining; running jobs stopped at "
                                           "20[0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]Z\n"));
  auto sent = fake.controls();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].nodeId, "node-3");
  EXPECT_EQ(sent[0].action, NodeAction::kDrain);
  EXPECT_EQ(sent[0].deadlineSeconds, 600u);
  EXPECT_EQ(sent[0].reason, "kernel upgrade");
}

TEST(NodeVerbs, EachActionAndItsJson) {
  Recorder fake;
  const std::string e = fake.endpoint();
  RunResult r = RunGantry({"node", "cordon", "n1", "--endpoint", e});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "node n1 cordoned\n");
  r = RunGantry({"node", "uncordon", "n1", "--endpoint", e});
  EXPECT_EQ(r.out, "node n1 uncordoned\n");
  r = RunGantry({"node", "reclaim", "n1", "--grace", "30", "--endpoint", e});
  EXPECT_EQ(r.out, "node n1 being reclaimed: jobs get SIGTERM now and SIGKILL in 30 s\n");
  r = RunGantry({"node", "drain", "n1", "--endpoint", e, "-o", "json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out), nlohmann::json::parse(R"({"nodeId":"n1","action":"DRAIN"})"));
  auto sent = fake.controls();
  ASSERT_EQ(sent.size(), 4u);
  EXPECT_EQ(sent[0].action, NodeAction::kCordon);
  EXPECT_EQ(sent[1].action, NodeAction::kUncordon);
  EXPECT_EQ(sent[2].action, NodeAction::kReclaim);
  EXPECT_EQ(sent[2].deadlineSeconds, 30u);
  EXPECT_FALSE(sent[3].deadlineSeconds);
}

TEST(NodeVerbs, BadUsageExitsTwoAndSendsNothing) {
  Recorder fake;
  struct Case {
    std::vector<std::string> args;
    std::string err;  // the whole message, or a part of it after "~"
  };
  const std::vector<Case> cases = {
      {{"drain"}, "~NODE is required"},
      {{"cordon", "n1", "--deadline", "60"}, "~--deadline"},
      {{"drain", "n1", "--deadline", "-5"}, "gantry: --deadline must be a whole number of seconds, got \"-5\"\n"},
      {{"drain", "n1", "--deadline=-5"}, "gantry: --deadline must be a whole number of seconds, got \"-5\"\n"},
      {{"drain", "n1", "--deadline", "ten"}, "gantry: --deadline must be a whole number of seconds, got \"ten\"\n"},
      {{"reclaim", "n1", "--grace", "700000"},
       "gantry: --grace must be at most 604800 seconds (7 days), got 700000\n"},
      {{"reclaim", "n1", "--deadline", "5"}, "~--deadline"},
      {{"uncordon", "n1", "--reason", "x"}, "~--reason"},
      {{"drain", "bad/name"}, "gantry: NODE \"bad/name\" may contain only letters, digits, '-' and '_'\n"},
      {{"frob", "n1"}, "~gantry: gantry node: unknown subcommand \"frob\"; one of:\n  cordon "},
      {{}, "~gantry: gantry node needs a subcommand; one of:\n  cordon "},
  };
  for (const Case& c : cases) {
    std::vector<std::string> args = {"node"};
    args.insert(args.end(), c.args.begin(), c.args.end());
    args.push_back("--endpoint");
    args.push_back(fake.endpoint());
    // `gantry node` alone takes no --endpoint; an unknown word is what it sees.
    if (c.args.empty()) args.resize(1);
    RunResult r = RunGantry(args);
    std::string what = testing::PrintToString(c.args);
    EXPECT_EQ(r.exit_code, 2) << what << r.err;
    if (c.err.rfind("~", 0) == 0) {
      EXPECT_NE(r.err.find(c.err.substr(1)), std::string::npos) << what << "\n" << r.err;
    } else {
      EXPECT_EQ(r.err, c.err) << what;
    }
    EXPECT_EQ(r.out, "") << what;
  }
  EXPECT_EQ(fake.requests(), 0);
}

TEST(NodeVerbs, BareNodeListsEverySubcommand) {
  RunResult r = RunGantry({"node"});
  EXPECT_EQ(r.exit_code, 2);
  for (const char* sub : {"cordon", "uncordon", "drain", "reclaim"}) {
    EXPECT_NE(r.err.find(std::string("\n  ") + sub + " "), std::string::npos) << sub << "\n" << r.err;
  }
}

TEST(NodeVerbs, HelpMentionsTheVerbsAndFlags) {
  RunResult r = RunGantry({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  const size_t group = r.out.find("Operator:\n");
  ASSERT_NE(group, std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\n  node  ", group), std::string::npos) << r.out;
  r = RunGantry({"node", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  for (const char* sub : {"cordon", "uncordon", "drain", "reclaim"}) {
    EXPECT_NE(r.out.find(std::string("  ") + sub), std::string::npos) << sub << "\n" << r.out;
  }
  r = RunGantry({"node", "drain", "--help"});
  EXPECT_NE(r.out.find("--deadline SECONDS"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("--reason TEXT"), std::string::npos) << r.out;
  r = RunGantry({"node", "reclaim", "--help"});
  EXPECT_NE(r.out.find("--grace SECONDS"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("default 120"), std::string::npos) << r.out;
  r = RunGantry({"submit-job", "--help"});
  EXPECT_NE(r.out.find("--preemption-retries"), std::string::npos) << r.out;
  r = RunGantry({"create-compute-environment", "--help"});
  EXPECT_NE(r.out.find("--preemptible"), std::string::npos) << r.out;
}

TEST(NodeVerbs, NodesShowsStateCapacityTypeAndRunningIds) {
  Recorder fake;
  protocol::NodeView v;
  v.node.nodeId = "n1";
  v.node.bootId = "b";
  v.node.labels = {{protocol::kCapacityTypeLabel, "spot"}};
  v.node.control = protocol::NodeControl{protocol::NodeControlState::kCordoned, "disk swap", 1, std::nullopt};
  v.state = protocol::NodeState::kCordoned;
  v.runningAttempts = {"j1#1", "j2#3"};
  fake.SetNodes({v});
  RunResult r = RunGantry({"nodes", "--endpoint", fake.endpoint()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, testing::StartsWith("NODE  STATE     CAPACITY  VCPU FREE/TOTAL"));
  EXPECT_THAT(r.out, testing::HasSubstr("\nn1    CORDONED  spot      0/0"));
  EXPECT_THAT(r.out, testing::EndsWith("disk swap\n"));
  r = RunGantry({"nodes", "--endpoint", fake.endpoint(), "-o", "json"});
  auto j = nlohmann::json::parse(r.out)["nodes"][0];
  EXPECT_EQ(j["state"], "CORDONED");
  EXPECT_EQ(j["runningAttempts"], nlohmann::json::parse(R"(["j1#1","j2#3"])"));
  EXPECT_EQ(j["node"]["control"]["state"], "CORDONED");
  EXPECT_EQ(j["node"]["control"]["reason"], "disk swap");
}

TEST(PreemptionVerbs, ComputeEnvironmentFlags) {
  Recorder fake;
  const std::string e = fake.endpoint();
  RunResult r = RunGantry({"create-compute-environment", "--endpoint", e, "--compute-environment-name", "spot",
                           "--provisioning-model", "SPOT", "--preemptible"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(fake.create_ce().computeEnvironment.preemptible, true);
  r = RunGantry({"create-compute-environment", "--endpoint", e, "--compute-environment-name", "od"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(fake.create_ce().computeEnvironment.preemptible);
  r = RunGantry({"update-compute-environment", "--endpoint", e, "--compute-environment", "spot", "--preemptible",
                 "FALSE"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(fake.update_ce().preemptible, false);
  r = RunGantry({"update-compute-environment", "--endpoint", e, "--compute-environment", "spot", "--preemptible",
                 "maybe"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "gantry: --preemptible must be true or false, got \"maybe\"\n");
}

TEST(PreemptionVerbs, QueueAndSubmitPreemptionRetries) {
  Recorder fake;
  const std::string e = fake.endpoint();
  RunResult r = RunGantry({"create-job-queue", "--endpoint", e, "--job-queue-name", "q", "--priority", "1",
                           "--compute-environments", "ce", "--preemption-retries", "7"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(fake.create_queue().jobQueue.preemptionRetries, 7u);
  r = RunGantry({"update-job-queue", "--endpoint", e, "--job-queue", "q", "--preemption-retries", "0"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(fake.update_queue().preemptionRetries, 0u);
  r = RunGantry({"submit-job", "--endpoint", e, "--job-name", "a", "--job-queue", "q", "--preemption-retries",
                 "100"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(fake.submit().preemptionRetries, 100u);
  for (const char* bad : {"101", "-1", "x"}) {
    r = RunGantry({"submit-job", "--endpoint", e, "--job-name", "b", "--job-queue", "q",
                   std::string("--preemption-retries=") + bad});
    EXPECT_EQ(r.exit_code, 2) << bad;
    EXPECT_THAT(r.err, testing::StartsWith("gantry: --preemption-retries must be a whole number from 0 to 100, got "))
        << bad;
  }
  EXPECT_EQ(fake.submit().jobName, "a");  // none of the bad ones was sent
}

// The aws CLI's JSON list forms reach the verbs whole: CLI11 would split a
// value like '[{...}, {...}]' at its commas.
TEST(JsonListFlags, ComputeEnvironmentOrderAndDependsOnTakeJsonLists) {
  Recorder fake;
  const std::string e = fake.endpoint();
  RunResult r = RunGantry({"create-job-queue", "--endpoint", e, "--job-queue-name", "q", "--priority", "1",
                           "--compute-environment-order",
                           R"([{"order": 1, "computeEnvironment": "a"}, {"order": 2, "computeEnvironment": "b"}])"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto& order = fake.create_queue().jobQueue.computeEnvironmentOrder;
  ASSERT_EQ(order.size(), 2u);
  EXPECT_EQ(order[1].computeEnvironment, "b");
  r = RunGantry({"submit-job", "--endpoint", e, "--job-name", "j", "--job-queue", "q", "--depends-on",
                 R"([{"jobId": "x"}, {"jobId": "y"}])"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_EQ(fake.submit().dependsOn.size(), 2u);
  EXPECT_EQ(fake.submit().dependsOn[1].jobId, "y");
}

}  // namespace
}  // namespace gantry::client
