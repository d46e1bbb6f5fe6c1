// The verbs end to end: the real CLI parser and RpcClient against a fake
// coordinator, checking what is sent, printed and returned as exit status.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <mutex>

#include "client/fake_coordinator_test_util.h"
#include "client/verb_test_util.h"

namespace gantry::client {
namespace {

using protocol::Envelope;
using protocol::Job;
using protocol::JobStatus;
using protocol::MessageType;

Job MakeJob(std::string id, JobStatus status, std::string reason = "") {
  Job job;
  job.jobId = std::move(id);
  job.jobName = "name-" + job.jobId;
  job.jobQueue = "q";
  job.status = status;
  job.statusReason = std::move(reason);
  return job;
}

// The fields of one Raft operator request the fake received.
struct RaftCall {
  MessageType type{};
  uint64_t id = 0;
  std::string address;
  friend bool operator==(const RaftCall&, const RaftCall&) = default;
};

protocol::RaftPeerInfo Peer(uint64_t id, bool leader = false) {
  return {id, "10.0.0." + std::to_string(id) + ":7420", "voter", leader};
}

bool IsRaftChange(MessageType t) {
  return t == MessageType::kRaftAddVoter || t == MessageType::kRaftRemovePeer ||
         t == MessageType::kRaftTransferLeader;
}

// A coordinator that knows a fixed set of jobs and records the last
// SubmitJob it received, and leads a Raft cluster of replicas 1-3.
class Fake {
 public:
  Fake() : coord_([this](const Envelope& env) { return Handle(env); }) {
    peers_.replicaId = 1;
    peers_.peers = {Peer(2), Peer(1, true), Peer(3)};  // not in id order
  }

  std::string endpoint() const { return coord_.endpoint(); }
  void AddJob(Job job) {
    std::lock_guard<std::mutex> lock(mu_);
    jobs_.push_back(std::move(job));
  }
  protocol::SubmitJobRequest last_submit() {
    std::lock_guard<std::mutex> lock(mu_);
    return last_submit_;
  }
  protocol::ListJobsRequest last_list() {
    std::lock_guard<std::mutex> lock(mu_);
    return last_list_;
  }
  // Job control, update and delete requests, one line each:
  // "<MessageTypeName> <fields>".
  std::vector<std::string> changes() {
    std::lock_guard<std::mutex> lock(mu_);
    return changes_;
  }
  // Answers list-peers as replica 2 (a follower of 1) and refuses the rest.
  void BeFollower() {
    std::lock_guard<std::mutex> lock(mu_);
    peers_.replicaId = 2;
    fail_code_ = StatusCode::kUnavailable;
    fail_message_ = "not the leader; the leader is replica 1 at 10.0.0.1:7420";
  }
  // Membership changes and transfers: no answer at all, or this error.
  void HangOnChanges() {
    std::lock_guard<std::mutex> lock(mu_);
    hang_changes_ = true;
  }
  void FailChangesWith(StatusCode code, std::string message) {
    std::lock_guard<std::mutex> lock(mu_);
    change_code_ = code;
    change_message_ = std::move(message);
  }
  std::vector<RaftCall> raft_calls() {
    std::lock_guard<std::mutex> lock(mu_);
    return raft_calls_;
  }
  void FailWith(StatusCode code, std::string message) {
    std::lock_guard<std::mutex> lock(mu_);
    fail_code_ = code;
    fail_message_ = std::move(message);
  }
  // Node n1's log server, as DescribeNodes reports it.
  void SetLogAddress(std::string address) {
    std::lock_guard<std::mutex> lock(mu_);
    log_address_ = std::move(address);
  }

 private:
  std::vector<std::string> Handle(const Envelope& env) {
    std::lock_guard<std::mutex> lock(mu_);
    if (fail_code_ != StatusCode::kOk && !(peers_.replicaId != 1 && env.type == MessageType::kRaftListPeers)) {
      return {FakeCoordinator::Error(env.requestId, fail_code_, fail_message_)};
    }
    if (IsRaftChange(env.type)) {
      raft_calls_.push_back({env.type});
      if (hang_changes_) return {};
      if (change_code_ != StatusCode::kOk) {
        return {FakeCoordinator::Error(env.requestId, change_code_, change_message_)};
      }
      raft_calls_.pop_back();
    }
    switch (env.type) {
      case MessageType::kSubmitJob: {
        last_submit_ = *protocol::DecodeBody<protocol::SubmitJobRequest>(env);
        return Reply(env, protocol::SubmitJobReply{"job-0001", last_submit_.jobName});
      }
      case MessageType::kDescribeJobs: {
        auto req = protocol::DecodeBody<protocol::DescribeJobsRequest>(env);
        protocol::DescribeJobsReply rep;
        for (const auto& id : req->jobs) {
          for (const auto& job : jobs_) {
            if (job.jobId == id) rep.jobs.push_back(job);
          }
        }
        return Reply(env, rep);
      }
      case MessageType::kListJobs: {
        last_list_ = *protocol::DecodeBody<protocol::ListJobsRequest>(env);
        protocol::ListJobsReply rep;
        rep.jobSummaryList = jobs_;
        rep.nextToken = "next";
        return Reply(env, rep);
      }
      case MessageType::kRegisterJobDefinition: {
        auto req = protocol::DecodeBody<protocol::RegisterJobDefinitionRequest>(env);
        return Reply(env, protocol::RegisterJobDefinitionReply{req->jobDefinition.jobDefinitionName, 4});
      }
      case MessageType::kCancelJob: {
        auto req = protocol::DecodeBody<protocol::CancelJobRequest>(env);
        return Done(env, req->jobId, req->jobId + " " + req->reason);
      }
      case MessageType::kTerminateJob: {
        auto req = protocol::DecodeBody<protocol::TerminateJobRequest>(env);
        return Done(env, req->jobId, req->jobId + " " + req->reason);
      }
      case MessageType::kDeregisterJobDefinition: {
        auto req = protocol::DecodeBody<protocol::DeregisterJobDefinitionRequest>(env);
        return Done(env, req->jobDefinition, req->jobDefinition);
      }
      case MessageType::kUpdateJobQueue: {
        auto req = protocol::DecodeBody<protocol::UpdateJobQueueRequest>(env);
        std::string fields = req->jobQueue;
        if (req->state) fields += std::string(" state=") + protocol::EnumName(*req->state);
        if (req->priority) fields += " priority=" + std::to_string(*req->priority);
        if (req->schedulingPolicyArn) fields += " policy=" + *req->schedulingPolicyArn;
        return Done(env, req->jobQueue, fields);
      }
      case MessageType::kUpdateComputeEnvironment: {
        auto req = protocol::DecodeBody<protocol::UpdateComputeEnvironmentRequest>(env);
        std::string fields = req->computeEnvironment;
        if (req->minvCpus) fields += " min=" + std::to_string(*req->minvCpus);
        if (req->maxvCpus) fields += " max=" + std::to_string(*req->maxvCpus);
        return Done(env, req->computeEnvironment, fields);
      }
      case MessageType::kDeleteJobQueue: {
        auto req = protocol::DecodeBody<protocol::DeleteJobQueueRequest>(env);
        return Done(env, req->jobQueue, req->jobQueue);
      }
      case MessageType::kDeleteComputeEnvironment: {
        auto req = protocol::DecodeBody<protocol::DeleteComputeEnvironmentRequest>(env);
        return Done(env, req->computeEnvironment, req->computeEnvironment);
      }
      case MessageType::kCreateSchedulingPolicy: {
        auto req = protocol::DecodeBody<protocol::CreateSchedulingPolicyRequest>(env);
        const auto& p = req->schedulingPolicy;
        return Done(env, p.name, p.name + " reservation=" + std::to_string(p.fairsharePolicy.computeReservation));
      }
      case MessageType::kUpdateSchedulingPolicy: {
        auto req = protocol::DecodeBody<protocol::UpdateSchedulingPolicyRequest>(env);
        return Done(env, req->arn, req->arn + " decay=" + std::to_string(req->fairsharePolicy.shareDecaySeconds));
      }
      case MessageType::kDeleteSchedulingPolicy: {
        auto req = protocol::DecodeBody<protocol::DeleteSchedulingPolicyRequest>(env);
        return Done(env, req->arn, req->arn);
      }
      case MessageType::kDescribeSchedulingPolicies: {
        protocol::DescribeSchedulingPoliciesReply rep;
        rep.schedulingPolicies.push_back({"fair", {3600, 10, {{"team*", 0.5}}}, 0});
        return Reply(env, rep);
      }
      case MessageType::kDescribeNodes: {
        protocol::DescribeNodesReply rep;
        rep.nodes.resize(1);
        rep.nodes[0].node.nodeId = "n1";
        rep.nodes[0].node.bootId = "boot";
        rep.nodes[0].node.logAddress = log_address_;
        return Reply(env, rep);
      }
      case MessageType::kRaftListPeers:
        raft_calls_.push_back({env.type});
        return Reply(env, peers_);
      case MessageType::kRaftAddVoter: {
        auto req = protocol::DecodeBody<protocol::RaftAddVoterRequest>(env);
        raft_calls_.push_back({env.type, req->id, req->address});
        protocol::RaftPeersReply rep = peers_;
        rep.peers.push_back({req->id, req->address, "voter", false});
        return Reply(env, rep);
      }
      case MessageType::kRaftRemovePeer: {
        auto req = protocol::DecodeBody<protocol::RaftRemovePeerRequest>(env);
        raft_calls_.push_back({env.type, req->id});
        protocol::RaftPeersReply rep = peers_;
        std::erase_if(rep.peers, [&](const auto& p) { return p.id == req->id; });
        return Reply(env, rep);
      }
      case MessageType::kRaftTransferLeader: {
        auto req = protocol::DecodeBody<protocol::RaftTransferLeaderRequest>(env);
        raft_calls_.push_back({env.type, req->id});
        protocol::RaftPeersReply rep = peers_;
        for (auto& p : rep.peers) p.leader = p.id == (req->id == 0 ? 2 : req->id);
        return Reply(env, rep);
      }
      default:
        return {FakeCoordinator::Error(env.requestId, StatusCode::kInvalidArgument, "unexpected")};
    }
  }

  // Records "<type> <fields>" and answers DoneReply{name}. Called locked.
  std::vector<std::string> Done(const Envelope& env, const std::string& name, const std::string& fields) {
    changes_.push_back(std::string(protocol::MessageTypeName(env.type)) + " " + fields);
    return Reply(env, protocol::DoneReply{name});
  }

  std::mutex mu_;
  std::vector<Job> jobs_;
  protocol::SubmitJobRequest last_submit_;
  protocol::ListJobsRequest last_list_;
  std::vector<std::string> changes_;
  protocol::RaftPeersReply peers_;
  std::vector<RaftCall> raft_calls_;
  bool hang_changes_ = false;
  StatusCode change_code_ = StatusCode::kOk;
  std::string change_message_;
  StatusCode fail_code_ = StatusCode::kOk;
  std::string fail_message_;
  std::string log_address_;
  FakeCoordinator coord_;  // last: its thread stops before the rest goes
};

TEST(Verbs, SubmitJobPrintsTheIdAlone) {
  Fake fake;
  RunResult r = RunGantry({"submit-job", "--endpoint", fake.endpoint(), "--job-name", "hello", "--job-queue", "q",
                     "--env", "A=1", "--", "echo", "-n", "hi"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "job-0001\n");
  EXPECT_EQ(r.err, "");
  protocol::SubmitJobRequest req = fake.last_submit();
  EXPECT_EQ(req.jobName, "hello");
  EXPECT_EQ(req.jobDefinition, "default");
  EXPECT_EQ(req.command, (std::vector<std::string>{"echo", "-n", "hi"}));
  EXPECT_EQ(req.environment, (protocol::Environment{{"A", "1"}}));
  ASSERT_TRUE(req.clientToken.has_value());
  EXPECT_EQ(req.clientToken->size(), 32u);
}

TEST(Verbs, SubmitJobCommandWithoutListFlagBefore) {
  Fake fake;
  RunResult r = RunGantry({"submit-job", "--endpoint", fake.endpoint(), "--job-name", "hello", "--job-queue", "q",
                           "--", "sh", "-c", "echo hi", "--job-name", "inner"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(fake.last_submit().jobName, "hello");
  EXPECT_EQ(fake.last_submit().command, (std::vector<std::string>{"sh", "-c", "echo hi", "--job-name", "inner"}));
}

TEST(Verbs, SubmitJobJson) {
  Fake fake;
  RunResult r = RunGantry({"submit-job", "--endpoint", fake.endpoint(), "--job-name", "hello", "--job-queue", "q",
                     "-o", "json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out), nlohmann::json::parse(R"({"jobId":"job-0001","jobName":"hello"})"));
}

TEST(Verbs, CoordinatorErrorIsOneLine) {
  Fake fake;
  fake.FailWith(StatusCode::kNotFound, "job queue nope not found");
  RunResult r = RunGantry({"submit-job", "--endpoint", fake.endpoint(), "--job-name", "x", "--job-queue", "nope"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "gantry: job queue nope not found\n");
}

TEST(Verbs, BadFlagsFailBeforeAnyRequest) {
  RunResult r = RunGantry({"submit-job", "--endpoint", "tcp://127.0.0.1:1", "--job-name", "no spaces", "--job-queue", "q"});
  EXPECT_EQ(r.exit_code, 2);  // a usage error
  EXPECT_EQ(r.err, "gantry: jobName \"no spaces\" may contain only letters, digits, '-' and '_'\n");
}

TEST(Verbs, UnreachableCoordinator) {
  std::string closed = ClosedEndpoint();
  RunResult r = RunGantry({"nodes", "--endpoint", closed, "--rpc-timeout-seconds", "0.1"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "gantry: cannot reach the coordinator at " + closed + " (no reply within 0.1s)\n");
}

TEST(Verbs, DescribeJobsJsonAndMissingIds) {
  Fake fake;
  fake.AddJob(MakeJob("j1", JobStatus::kRunning));
  RunResult r = RunGantry({"describe-jobs", "--endpoint", fake.endpoint(), "-o", "json", "j1", "nope"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "gantry: job nope not found\n");
  auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["jobs"].size(), 1u);
  EXPECT_EQ(j["jobs"][0]["jobId"], "j1");
  EXPECT_EQ(j["jobs"][0]["status"], "RUNNING");
}

TEST(Verbs, DescribeJobsFailsWhenNoneIsFound) {
  Fake fake;
  RunResult r = RunGantry({"describe-jobs", "--endpoint", fake.endpoint(), "nope"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "gantry: job nope not found\n");
}

TEST(Verbs, ListJobsTableMentionsNextToken) {
  Fake fake;
  fake.AddJob(MakeJob("j1", JobStatus::kRunnable, "needs 8 vCPU"));
  RunResult r = RunGantry({"list-jobs", "--endpoint", fake.endpoint(), "--job-queue", "q"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("JOB ID  NAME     STATUS    REASON        CREATED\nj1      name-j1  RUNNABLE  needs 8 vCPU", 0), 0u)
      << r.out;
  EXPECT_EQ(r.err, "more jobs: add --next-token next\n");
}

TEST(Verbs, RegisterJobDefinitionPrintsNameAndRevision) {
  Fake fake;
  RunResult r = RunGantry({"register-job-definition", "--endpoint", fake.endpoint(), "--job-definition-name", "sleeper",
                     "--", "sleep", "1"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "sleeper:4\n");
  r = RunGantry({"register-job-definition", "--endpoint", fake.endpoint(), "--job-definition-name", "sleeper", "-o",
           "json"});
  EXPECT_EQ(nlohmann::json::parse(r.out),
            nlohmann::json::parse(R"({"jobDefinitionName":"sleeper",
                "jobDefinitionArn":"arn:gantry:batch:local:job-definition/sleeper:4","revision":4})"));
}

TEST(Verbs, WaitSucceeds) {
  Fake fake;
  fake.AddJob(MakeJob("a", JobStatus::kSucceeded));
  fake.AddJob(MakeJob("b", JobStatus::kSucceeded));
  RunResult r = RunGantry({"wait", "--endpoint", fake.endpoint(), "a", "b"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
}

TEST(Verbs, WaitReportsFailedJobs) {
  Fake fake;
  fake.AddJob(MakeJob("a", JobStatus::kSucceeded));
  fake.AddJob(MakeJob("b", JobStatus::kFailed, "Essential container in task exited"));
  RunResult r = RunGantry({"wait", "--endpoint", fake.endpoint(), "a", "b"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "gantry: job b (name-b) FAILED: Essential container in task exited\n");
}

TEST(Verbs, WaitTimesOut) {
  Fake fake;
  fake.AddJob(MakeJob("a", JobStatus::kRunning));
  RunResult r = RunGantry({"wait", "--endpoint", fake.endpoint(), "--timeout-seconds-total", "0.001", "a"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("timed out"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("RUNNING 1"), std::string::npos) << r.err;
}

TEST(Verbs, WaitUnknownJob) {
  Fake fake;
  RunResult r = RunGantry({"wait", "--endpoint", fake.endpoint(), "ghost"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "gantry: job ghost not found\n");
}

TEST(Verbs, LogsPrintsTheTail) {
  Fake fake;
  Job job = MakeJob("j1", JobStatus::kSucceeded);
  job.attempts.resize(2);
  job.attempts[0].attemptNumber = 1;
  job.attempts[0].stoppedAt = 5;
  job.attempts[0].logTail = "first\n";
  job.attempts[1].attemptNumber = 2;
  job.attempts[1].stoppedAt = 9;
  job.attempts[1].logTail = "second";
  fake.AddJob(job);
  RunResult r = RunGantry({"logs", "--endpoint", fake.endpoint(), "j1"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "second\n");
  r = RunGantry({"logs", "--endpoint", fake.endpoint(), "j1", "--attempt", "1"});
  EXPECT_EQ(r.out, "first\n");
  r = RunGantry({"logs", "--endpoint", fake.endpoint(), "j1", "--attempt", "3"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "gantry: job j1 has 2 attempts; --attempt must be 1-2\n");
}

TEST(Verbs, LogsOfARunningAttemptSaysWhen) {
  Fake fake;
  Job job = MakeJob("j1", JobStatus::kRunning);
  job.attempts.resize(1);
  job.attempts[0].node = "n1";
  fake.AddJob(job);
  RunResult r = RunGantry({"logs", "--endpoint", fake.endpoint(), "j1"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err,
            "gantry: attempt 1 of job j1 has not ended yet (RUNNING on node n1) and its output cannot be read "
            "there (node n1 runs no log server); its tail is stored when the attempt ends\n");
}

// A node agent's log server holding `stream`: each ReadLog gets at most
// `chunk` bytes; `ended_after` reads in, the log says it has ended.
class FakeLogServer {
 public:
  FakeLogServer(std::string stream, size_t chunk, int ended_after = 0)
      : stream_(std::move(stream)), chunk_(chunk), ended_after_(ended_after),
        server_([this](const Envelope& env) { return Handle(env); }) {}
  std::string endpoint() const { return server_.endpoint(); }
  // Output that arrives once `reads` requests have been answered.
  void AppendAfter(int reads, std::string more) {
    std::lock_guard<std::mutex> lock(mu_);
    later_ = std::move(more);
    later_after_ = reads;
  }
  std::vector<protocol::ReadLogRequest> requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }

 private:
  std::vector<std::string> Handle(const Envelope& env) {
    std::lock_guard<std::mutex> lock(mu_);
    auto req = protocol::DecodeBody<protocol::ReadLogRequest>(env);
    if (!req.ok()) return {FakeCoordinator::Error(env.requestId, StatusCode::kInvalidArgument, "bad")};
    requests_.push_back(*req);
    if (!later_.empty() && static_cast<int>(requests_.size()) > later_after_) {
      stream_ += later_;
      later_.clear();
    }
    protocol::ReadLogReply rep;
    rep.offset = std::min<uint64_t>(req->offset, stream_.size());
    rep.data = stream_.substr(rep.offset, std::min<size_t>(chunk_, req->maxBytes));
    rep.nextOffset = rep.offset + rep.data.size();
    rep.ended = static_cast<int>(requests_.size()) > ended_after_;
    return Reply(env, rep);
  }

  std::mutex mu_;
  std::string stream_;
  size_t chunk_;
  int ended_after_;
  std::string later_;
  int later_after_ = 0;
  std::vector<protocol::ReadLogRequest> requests_;
  FakeCoordinator server_;  // last: its thread stops before the rest goes
};

Job EndedJobOnN1(std::string tail) {
  Job job = MakeJob("j1", JobStatus::kSucceeded);
  job.attempts.resize(2);
  job.attempts[0].attemptNumber = 1;
  job.attempts[1].attemptNumber = 2;
  job.attempts[1].node = "n1";
  job.attempts[1].stoppedAt = 9;
  job.attempts[1].logTail = std::move(tail);
  return job;
}

TEST(Verbs, LogsReadsTheWholeLogFromTheNode) {
  Fake fake;
  fake.AddJob(EndedJobOnN1("tail only\n"));
  FakeLogServer node("line one\nline two\n", 4);
  fake.SetLogAddress(node.endpoint());
  RunResult r = RunGantry({"logs", "--endpoint", fake.endpoint(), "j1"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "line one\nline two\n");
  EXPECT_EQ(r.err, "");
  std::vector<protocol::ReadLogRequest> reqs = node.requests();
  ASSERT_EQ(reqs.size(), 6u);  // five chunks of at most 4 bytes, then an empty read
  EXPECT_EQ(reqs[0].jobId, "j1");
  EXPECT_EQ(reqs[0].attemptNumber, 2u);
  EXPECT_EQ(reqs[0].offset, 0u);
  EXPECT_EQ(reqs[5].offset, 18u);
}

TEST(Verbs, LogsFollowsUntilTheLogEnds) {
  Fake fake;
  Job job = EndedJobOnN1("");
  job.status = JobStatus::kRunning;
  job.attempts[1].stoppedAt.reset();
  fake.AddJob(job);
  FakeLogServer node("started\n", 1 << 20, /*ended_after=*/4);
  node.AppendAfter(2, "working\n");  // comes while the client polls
  fake.SetLogAddress(node.endpoint());
  RunResult r = RunGantry({"logs", "--endpoint", fake.endpoint(), "j1", "--follow"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "started\nworking\n");
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(node.requests().size(), 5u);  // data, nothing yet, data, nothing yet, ended

  // Without --follow, what is there now and no waiting.
  FakeLogServer again("started\n", 1 << 20, /*ended_after=*/100);
  fake.SetLogAddress(again.endpoint());
  r = RunGantry({"logs", "--endpoint", fake.endpoint(), "j1"});
  EXPECT_EQ(r.out, "started\n");
  EXPECT_EQ(again.requests().size(), 2u);
}

TEST(Verbs, LogsFallsBackToTheStoredTailWhenTheNodeIsUnreachable) {
  Fake fake;
  fake.AddJob(EndedJobOnN1("the stored tail"));
  fake.SetLogAddress(ClosedEndpoint());
  RunResult r = RunGantry({"logs", "--endpoint", fake.endpoint(), "--rpc-timeout-seconds", "0.3", "j1"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "the stored tail\n");
  EXPECT_THAT(r.err, ::testing::StartsWith("gantry: showing only the tail stored with attempt 2 of job j1 (at "
                                           "most its last 64 KiB): cannot read the log on node n1: "));
}

TEST(Verbs, NodesJson) {
  Fake fake;
  RunResult r = RunGantry({"nodes", "--endpoint", fake.endpoint(), "--output", "json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["nodes"][0]["node"]["nodeId"], "n1");
}

TEST(Verbs, EndpointFromTheEnvironment) {
  Fake fake;
  fake.AddJob(MakeJob("j1", JobStatus::kRunning));
  setenv("GANTRY_ENDPOINT", ("tcp://127.0.0.1:1," + fake.endpoint()).c_str(), 1);
  RunResult r = RunGantry({"describe-jobs", "--rpc-timeout-seconds", "0.2", "j1"});
  unsetenv("GANTRY_ENDPOINT");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("job j1 (name-j1)\n", 0), 0u) << r.out;
}

// ---- the job model -------------------------------------------------------------

TEST(JobModelVerbs, SubmitJobSendsTheJobModelFlags) {
  Fake fake;
  RunResult r = RunGantry({"submit-job", "--endpoint", fake.endpoint(), "--job-name", "a", "--job-queue", "q",
                           "--array-size", "4", "--retry-strategy",
                           R"({"attempts":3,"evaluateOnExit":[{"onExitCode":"3","action":"exit"}]})", "--timeout",
                           R"({"attemptDurationSeconds":60})", "--depends-on", "jobId=p1,type=N_TO_N",
                           "--depends-on", "type=SEQUENTIAL", "--parameters", "a=1,b=2", "--parameters", "c=3",
                           "--share-identifier", "team", "--scheduling-priority-override", "9"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  protocol::SubmitJobRequest req = fake.last_submit();
  EXPECT_EQ(req.arraySize, 4u);
  ASSERT_TRUE(req.retryStrategy);
  EXPECT_EQ(req.retryStrategy->attempts, 3u);
  EXPECT_EQ(req.retryStrategy->evaluateOnExit.at(0).action, protocol::RetryAction::kExit);
  EXPECT_EQ(req.timeout, (protocol::JobTimeout{60}));
  EXPECT_EQ(req.dependsOn, (std::vector<protocol::JobDependency>{{"p1", protocol::ArrayJobDependency::kNToN},
                                                                 {"", protocol::ArrayJobDependency::kSequential}}));
  EXPECT_EQ(req.parameters, (protocol::Parameters{{"a", "1"}, {"b", "2"}, {"c", "3"}}));
  EXPECT_EQ(req.shareIdentifier, "team");
  EXPECT_EQ(req.schedulingPriorityOverride, 9u);
}

TEST(JobModelVerbs, BadJobModelFlagsAreUsageErrorsAndSendNothing) {
  Fake fake;
  struct Case {
    std::vector<std::string> args;
    std::string err;
  };
  const std::vector<Case> cases = {
      {{"submit-job", "--job-name", "a", "--job-queue", "q", "--array-size", "3", "--array-properties", "size=3"},
       "gantry: give --array-size or --array-properties, not both\n"},
      {{"submit-job", "--job-name", "a", "--job-queue", "q", "--retry-strategy", R"({"attempts":)"},
       "gantry: --retry-strategy is not valid JSON: parse error at line 1, column 13: syntax error while parsing "
       "value - unexpected end of input; expected '[', '{', or a literal\n"},
      {{"submit-job", "--job-name", "a", "--job-queue", "q", "--retry-strategy",
        R"({"evaluateOnExit":[{"action":"STOP"}]})"},
       "gantry: --retry-strategy.evaluateOnExit[0].action must be one of RETRY|EXIT, got \"STOP\"\n"},
      {{"submit-job", "--job-name", "a", "--job-queue", "q", "--depends-on", "jobId=x,type=ALL"},
       "gantry: --depends-on type must be one of N_TO_N|SEQUENTIAL, got \"ALL\"\n"},
      {{"submit-job", "--job-name", "a", "--job-queue", "q", "--timeout", "file:///nonexistent/t.json"},
       "gantry: --timeout: cannot read /nonexistent/t.json: No such file or directory\n"},
      {{"cancel-job", "--job-id", "j1"}, ""},
      {{"terminate-job", "--job-id", "j1", "--reason", ""},
       "gantry: --reason is required (it becomes the job's statusReason)\n"},
      {{"update-job-queue", "--job-queue", "q", "--state", "paused"},
       "gantry: --state must be one of ENABLED|DISABLED, got \"paused\"\n"},
      {{"update-compute-environment", "--compute-environment", "ce", "--compute-resources", "maxvCpus=4",
        "--max-vcpus", "4"},
       "gantry: give --max-vcpus or --compute-resources, not both\n"},
      {{"create-scheduling-policy", "--name", "p", "--fairshare-policy", "{\"computeReservation\":\"x\"}"},
       "gantry: --fairshare-policy.computeReservation must be a number\n"},
      {{"create-job-queue", "--job-queue-name", "q", "--priority", "1", "--compute-environments", "ce",
        "--job-state-time-limit-actions", R"([{"reason":"CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY","maxTimeSeconds":5,"action":"PAUSE"}])"},
       "gantry: --job-state-time-limit-actions[0].action must be one of CANCEL|TERMINATE, got \"PAUSE\"\n"},
      {{"list-jobs", "--job-queue", "q", "--array-job-id", "p"}, "gantry: give --job-queue or --array-job-id, not both\n"},
      {{"list-jobs", "--job-queue", "q", "--job-status", "done"},
       "gantry: --job-status must be one of SUBMITTED|PENDING|RUNNABLE|STARTING|RUNNING|SUCCEEDED|FAILED, got "
       "\"done\"\n"},
      {{"deregister-job-definition", "--job-definition", "d"},
       "gantry: --job-definition must be NAME:REVISION, got \"d\"\n"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> args = c.args;
    args.push_back("--endpoint");
    args.push_back(fake.endpoint());
    RunResult r = RunGantry(args);
    std::string what = testing::PrintToString(c.args);
    EXPECT_EQ(r.exit_code, 2) << what << r.err;
    EXPECT_NE(r.err, "") << what;
    if (!c.err.empty()) {
      EXPECT_EQ(r.err, c.err) << what;
    }
    EXPECT_EQ(r.out, "") << what;
  }
  EXPECT_EQ(fake.last_submit().jobName, "");
  EXPECT_TRUE(fake.changes().empty());
}

TEST(JobModelVerbs, CancelAndTerminateSendIdAndReason) {
  Fake fake;
  RunResult r = RunGantry({"cancel-job", "--endpoint", fake.endpoint(), "--job-id", "j1", "--reason", "not needed"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "j1\n");
  r = RunGantry({"terminate-job", "--endpoint", fake.endpoint(), "--job-id", "j2", "--reason", "stuck", "-o", "json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out), nlohmann::json::object());  // AWS answers {}
  EXPECT_EQ(fake.changes(), (std::vector<std::string>{"CancelJob j1 not needed", "TerminateJob j2 stuck"}));
}

TEST(JobModelVerbs, UpdatesAndDeletes) {
  Fake fake;
  const std::string e = fake.endpoint();
  RunResult r = RunGantry({"update-job-queue", "--endpoint", e, "--job-queue", "q", "--state", "disabled",
                           "--priority", "5", "--scheduling-policy-arn", "fair", "-o", "json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out),
            nlohmann::json::parse(R"({"jobQueueName":"q","jobQueueArn":"arn:gantry:batch:local:job-queue/q"})"));
  r = RunGantry({"update-compute-environment", "--endpoint", e, "--compute-environment", "ce", "--compute-resources",
                 "minvCpus=1,maxvCpus=16"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "ce\n");
  r = RunGantry({"update-compute-environment", "--endpoint", e, "--compute-environment", "ce", "--max-vcpus", "8"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(RunGantry({"delete-job-queue", "--endpoint", e, "--job-queue", "q"}).exit_code, 0);
  EXPECT_EQ(RunGantry({"delete-compute-environment", "--endpoint", e, "--compute-environment", "ce"}).exit_code, 0);
  EXPECT_EQ(RunGantry({"deregister-job-definition", "--endpoint", e, "--job-definition", "d:2"}).exit_code, 0);
  EXPECT_EQ(fake.changes(), (std::vector<std::string>{"UpdateJobQueue q state=DISABLED priority=5 policy=fair",
                                                      "UpdateComputeEnvironment ce min=1 max=16",
                                                      "UpdateComputeEnvironment ce max=8", "DeleteJobQueue q",
                                                      "DeleteComputeEnvironment ce", "DeregisterJobDefinition d:2"}));
}

TEST(JobModelVerbs, SchedulingPolicies) {
  Fake fake;
  const std::string e = fake.endpoint();
  RunResult r = RunGantry({"create-scheduling-policy", "--endpoint", e, "--name", "fair", "--fairshare-policy",
                           R"({"shareDecaySeconds":3600,"computeReservation":10,"shareDistribution":[{"shareIdentifier":"team*","weightFactor":0.5}]})",
                           "-o", "json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out),
            nlohmann::json::parse(R"({"name":"fair","arn":"arn:gantry:batch:local:scheduling-policy/fair"})"));
  r = RunGantry({"update-scheduling-policy", "--endpoint", e, "--arn", "fair", "--fairshare-policy",
                 R"({"shareDecaySeconds":60})"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  r = RunGantry({"delete-scheduling-policy", "--endpoint", e, "--arn", "fair"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(fake.changes(), (std::vector<std::string>{"CreateSchedulingPolicy fair reservation=10",
                                                      "UpdateSchedulingPolicy fair decay=60",
                                                      "DeleteSchedulingPolicy fair"}));
  r = RunGantry({"describe-scheduling-policies", "--endpoint", e});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "NAME  SHARE DECAY  RESERVATION  SHARES (weight)\n"
            "fair  3600s        10%          team*=0.5\n");
  r = RunGantry({"describe-scheduling-policies", "--endpoint", e, "-o", "json"});
  EXPECT_EQ(nlohmann::json::parse(r.out)["schedulingPolicies"][0]["fairsharePolicy"]["shareDistribution"][0]
                                        ["weightFactor"],
            0.5);
}

TEST(JobModelVerbs, ListJobsOfAnArrayWithAFilter) {
  Fake fake;
  RunResult r = RunGantry({"list-jobs", "--endpoint", fake.endpoint(), "--array-job-id", "p1", "--filters",
                           "name=JOB_NAME,values=abc*", "-o", "json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  protocol::ListJobsRequest req = fake.last_list();
  EXPECT_EQ(req.arrayJobId, "p1");
  EXPECT_EQ(req.jobQueue, "");
  ASSERT_EQ(req.filters.size(), 1u);
  EXPECT_EQ(req.filters[0].name, "JOB_NAME");
  EXPECT_EQ(req.filters[0].values, std::vector<std::string>{"abc*"});
  EXPECT_FALSE(req.jobStatus);
}

TEST(JobModelVerbs, HelpListsTheNewVerbs) {
  RunResult r = RunGantry({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  for (const char* verb : {"cancel-job", "terminate-job", "deregister-job-definition", "update-job-queue",
                           "update-compute-environment", "delete-job-queue", "delete-compute-environment",
                           "create-scheduling-policy", "update-scheduling-policy", "delete-scheduling-policy",
                           "describe-scheduling-policies"}) {
    EXPECT_NE(r.out.find(std::string("\n  ") + verb), std::string::npos) << verb << "\n" << r.out;
  }
}

// ---- gantry operator raft ---------------------------------------------------

constexpr const char* kPeerTable =
    "ID  ADDRESS        ROLE   LEADER\n"
    "1   10.0.0.1:7420  voter  true\n"
    "2   10.0.0.2:7420  voter  false\n"
    "3   10.0.0.3:7420  voter  false\n";

TEST(OperatorRaft, ListPeersTable) {
  Fake fake;
  RunResult r = RunGantry({"operator", "raft", "list-peers", "--endpoint", fake.endpoint()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, kPeerTable);
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(fake.raft_calls(), std::vector<RaftCall>{{MessageType::kRaftListPeers}});
}

TEST(OperatorRaft, ListPeersJson) {
  Fake fake;
  RunResult r = RunGantry({"operator", "raft", "list-peers", "--endpoint", fake.endpoint(), "-o", "json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["replicaId"], 1);
  ASSERT_EQ(j["peers"].size(), 3u);
  EXPECT_EQ(j["peers"][1], nlohmann::json::parse(
                               R"({"id":1,"address":"10.0.0.1:7420","role":"voter","leader":true})"));
}

TEST(OperatorRaft, AddVoterSendsIdAndAddressToTheLeader) {
  Fake fake;
  RunResult r = RunGantry({"operator", "raft", "add-voter", "--endpoint", fake.endpoint(), "--id", "4",
                           "--address", "10.0.0.4:7420"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, std::string("added replica 4 at 10.0.0.4:7420 as a voter\n") + kPeerTable +
                       "4   10.0.0.4:7420  voter  false\n");
  // list-peers first finds the leader; then the change itself.
  EXPECT_EQ(fake.raft_calls(),
            (std::vector<RaftCall>{{MessageType::kRaftListPeers},
                                   {MessageType::kRaftAddVoter, 4, "10.0.0.4:7420"}}));
}

TEST(OperatorRaft, RemovePeerSendsTheId) {
  Fake fake;
  RunResult r = RunGantry({"operator", "raft", "remove-peer", "--endpoint", fake.endpoint(), "--id", "3"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("removed replica 3\nID  ADDRESS", 0), 0u) << r.out;
  EXPECT_EQ(r.out.find("10.0.0.3"), std::string::npos) << r.out;
  EXPECT_EQ(fake.raft_calls().back(), (RaftCall{MessageType::kRaftRemovePeer, 3}));
}

TEST(OperatorRaft, TransferLeaderWithoutIdAsksForAny) {
  Fake fake;
  RunResult r = RunGantry({"operator", "raft", "transfer-leader", "--endpoint", fake.endpoint()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("leadership transferred; the leader is replica 2\n", 0), 0u) << r.out;
  EXPECT_EQ(fake.raft_calls().back(), (RaftCall{MessageType::kRaftTransferLeader, 0}));
}

TEST(OperatorRaft, TransferLeaderToAnId) {
  Fake fake;
  RunResult r =
      RunGantry({"operator", "raft", "transfer-leader", "--endpoint", fake.endpoint(), "--id", "3", "-o", "json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(fake.raft_calls().back(), (RaftCall{MessageType::kRaftTransferLeader, 3}));
  EXPECT_EQ(nlohmann::json::parse(r.out)["peers"][2]["leader"], true);
}

TEST(OperatorRaft, ListPeersTakesAnyReplicasView) {
  Fake follower;
  follower.BeFollower();
  Fake leader;
  RunResult r = RunGantry({"operator", "raft", "list-peers", "--endpoint",
                           follower.endpoint() + "," + leader.endpoint(), "-o", "json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["replicaId"], 2);
  EXPECT_TRUE(leader.raft_calls().empty());
}

TEST(OperatorRaft, AChangeGoesToTheReplicaThatLeads) {
  Fake follower;
  follower.BeFollower();
  Fake leader;
  RunResult r = RunGantry({"operator", "raft", "remove-peer", "--endpoint",
                           follower.endpoint() + "," + leader.endpoint(), "--id", "2"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(follower.raft_calls(), std::vector<RaftCall>{{MessageType::kRaftListPeers}});
  EXPECT_EQ(leader.raft_calls(),
            (std::vector<RaftCall>{{MessageType::kRaftListPeers}, {MessageType::kRaftRemovePeer, 2}}));
}

TEST(OperatorRaft, AChangeSkipsADeadReplica) {
  std::string dead = ClosedEndpoint();
  Fake leader;
  RunResult r = RunGantry({"operator", "raft", "transfer-leader", "--endpoint", dead + "," + leader.endpoint(),
                           "--rpc-timeout-seconds", "0.4"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(leader.raft_calls().back(), (RaftCall{MessageType::kRaftTransferLeader, 0}));
}

TEST(OperatorRaft, AChangeWithoutALeaderFails) {
  Fake a;
  a.BeFollower();
  Fake b;
  b.BeFollower();
  RunResult r = RunGantry({"operator", "raft", "remove-peer", "--endpoint", a.endpoint() + "," + b.endpoint(),
                           "--id", "3", "--rpc-timeout-seconds", "0.3"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "gantry: no replica at " + a.endpoint() + " or " + b.endpoint() +
                       " said it was the leader within 0.3s\n");
  for (Fake* f : {&a, &b}) {
    for (const RaftCall& call : f->raft_calls()) EXPECT_EQ(call.type, MessageType::kRaftListPeers);
  }
}

TEST(OperatorRaft, TheLeadersRefusalIsTheError) {
  Fake leader;
  leader.FailChangesWith(StatusCode::kNotFound, "remove peer: no member with id 9");
  RunResult r = RunGantry({"operator", "raft", "remove-peer", "--endpoint", leader.endpoint(), "--id", "9"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "gantry: remove peer: no member with id 9\n");
}

TEST(OperatorRaft, ASilentLeaderMayStillBeMakingTheChange) {
  Fake leader;
  leader.HangOnChanges();
  Fake follower;
  follower.BeFollower();
  RunResult r = RunGantry({"operator", "raft", "add-voter", "--endpoint",
                           leader.endpoint() + "," + follower.endpoint(), "--id", "4", "--address",
                           "10.0.0.4:7420", "--rpc-timeout-seconds", "0.2"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "gantry: cannot reach the coordinator at " + leader.endpoint() +
                       " (no reply within 0.2s); the change may still complete (see gantry operator raft "
                       "list-peers)\n");
  // Sent once, to the leader alone.
  EXPECT_EQ(leader.raft_calls(),
            (std::vector<RaftCall>{{MessageType::kRaftListPeers}, {MessageType::kRaftAddVoter}}));
  EXPECT_TRUE(follower.raft_calls().empty());
}

TEST(OperatorRaft, BadFlagsAreUsageErrorsAndSendNothing) {
  Fake fake;
  const std::string e = fake.endpoint();
  struct Case {
    std::vector<std::string> args;
    std::string err;  // the whole message, or "" to check only the exit code
  };
  const std::vector<Case> cases = {
      {{"add-voter", "--id", "0", "--address", "10.0.0.4:7420"},
       "gantry: --id must be a replica id > 0, got \"0\"\n"},
      {{"add-voter", "--id", "4", "--address", "10.0.0.4"},
       "gantry: --address \"10.0.0.4\": no port (want the replica's Raft address a.b.c.d:port)\n"},
      {{"add-voter", "--id", "4", "--address", "node4:7420"},
       "gantry: --address \"node4:7420\": not an IPv4 address (want the replica's Raft address "
       "a.b.c.d:port)\n"},
      {{"add-voter", "--id", "4", "--address", "tcp://10.0.0.4:7420"}, ""},
      {{"add-voter", "--id", "4", "--address", "10.0.0.4:70000"},
       "gantry: --address \"10.0.0.4:70000\": the port must be 1-65535 (want the replica's Raft address "
       "a.b.c.d:port)\n"},
      {{"add-voter", "--id", "4", "--address", "10.0.0.4:"}, ""},
      {{"add-voter", "--address", "10.0.0.4:7420"}, ""},
      {{"add-voter", "--id", "4"}, ""},
      {{"remove-peer", "--id", "0"}, "gantry: --id must be a replica id > 0, got \"0\"\n"},
      {{"remove-peer", "--id=-1"}, "gantry: --id must be a replica id > 0, got \"-1\"\n"},
      {{"remove-peer", "--id", "-1"}, ""},
      {{"remove-peer", "--id", "three"}, "gantry: --id must be a replica id > 0, got \"three\"\n"},
      {{"remove-peer"}, ""},
      {{"transfer-leader", "--id", "0"}, "gantry: --id must be a replica id > 0, got \"0\"\n"},
      {{}, ""},
  };
  for (const Case& c : cases) {
    std::vector<std::string> args = {"operator", "raft"};
    args.insert(args.end(), c.args.begin(), c.args.end());
    if (!c.args.empty()) {
      args.push_back("--endpoint");
      args.push_back(e);
    }
    RunResult r = RunGantry(args);
    std::string what = testing::PrintToString(c.args);
    EXPECT_EQ(r.exit_code, 2) << what << r.err;
    EXPECT_NE(r.err, "") << what;
    if (!c.err.empty()) {
      EXPECT_EQ(r.err, c.err) << what;
    }
    EXPECT_EQ(r.out, "") << what;
  }
  EXPECT_TRUE(fake.raft_calls().empty());
}

TEST(OperatorRaft, ListedUnderTheOperatorHelpGroup) {
  RunResult r = RunGantry({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("Operator:\n  operator"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace gantry::client
