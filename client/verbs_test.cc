// The verbs end to end: the real CLI parser and RpcClient against a fake
// coordinator, checking what is sent, printed and returned as exit status.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <mutex>

#include "client/commands.h"
#include "client/fake_coordinator_test_util.h"

namespace gantry::client {
namespace {

using protocol::Envelope;
using protocol::Job;
using protocol::JobStatus;
using protocol::MessageType;

struct RunResult {
  int exit_code = 0;
  std::string out;
  std::string err;
};

RunResult RunGantry(std::vector<std::string> args) {
  CLI::App app{"gantry"};
  app.require_subcommand(1);
  AddClientCommands(app);
  args.insert(args.begin(), "gantry");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  RunResult r;
  testing::internal::CaptureStdout();
  testing::internal::CaptureStderr();
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::ParseError& e) {
    r.exit_code = app.exit(e);
  }
  std::cout.flush();
  std::cerr.flush();
  r.out = testing::internal::GetCapturedStdout();
  r.err = testing::internal::GetCapturedStderr();
  return r;
}

Job MakeJob(std::string id, JobStatus status, std::string reason = "") {
  Job job;
  job.jobId = std::move(id);
  job.jobName = "name-" + job.jobId;
  job.jobQueue = "q";
  job.status = status;
  job.statusReason = std::move(reason);
  return job;
}

// A coordinator that knows a fixed set of jobs and records the last
// SubmitJob it received.
class Fake {
 public:
  Fake() : coord_([this](const Envelope& env) { return Handle(env); }) {}

  std::string endpoint() const { return coord_.endpoint(); }
  void AddJob(Job job) {
    std::lock_guard<std::mutex> lock(mu_);
    jobs_.push_back(std::move(job));
  }
  protocol::SubmitJobRequest last_submit() {
    std::lock_guard<std::mutex> lock(mu_);
    return last_submit_;
  }
  void FailWith(StatusCode code, std::string message) {
    std::lock_guard<std::mutex> lock(mu_);
    fail_code_ = code;
    fail_message_ = std::move(message);
  }

 private:
  std::vector<std::string> Handle(const Envelope& env) {
    std::lock_guard<std::mutex> lock(mu_);
    if (fail_code_ != StatusCode::kOk) return {FakeCoordinator::Error(env.requestId, fail_code_, fail_message_)};
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
        protocol::ListJobsReply rep;
        rep.jobSummaryList = jobs_;
        rep.nextToken = "next";
        return Reply(env, rep);
      }
      case MessageType::kRegisterJobDefinition: {
        auto req = protocol::DecodeBody<protocol::RegisterJobDefinitionRequest>(env);
        return Reply(env, protocol::RegisterJobDefinitionReply{req->jobDefinition.jobDefinitionName, 4});
      }
      case MessageType::kDescribeNodes: {
        protocol::DescribeNodesReply rep;
        rep.nodes.resize(1);
        rep.nodes[0].node.nodeId = "n1";
        rep.nodes[0].node.bootId = "boot";
        return Reply(env, rep);
      }
      default:
        return {FakeCoordinator::Error(env.requestId, StatusCode::kInvalidArgument, "unexpected")};
    }
  }

  std::mutex mu_;
  std::vector<Job> jobs_;
  protocol::SubmitJobRequest last_submit_;
  StatusCode fail_code_ = StatusCode::kOk;
  std::string fail_message_;
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
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "gantry: jobName \"no spaces\" may contain only letters, digits, '-' and '_'\n");
}

TEST(Verbs, UnreachableCoordinator) {
  std::string closed;
  {
    zmq::context_t ctx;
    zmq::socket_t s(ctx, zmq::socket_type::router);
    s.set(zmq::sockopt::linger, 0);
    s.bind("tcp://127.0.0.1:*");
    closed = s.get(zmq::sockopt::last_endpoint);
  }
  RunResult r = RunGantry({"nodes", "--endpoint", closed, "--timeout-seconds", "0.1"});
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
            "gantry: attempt 1 of job j1 has not ended yet (RUNNING on node n1); its output is available when "
            "the attempt ends\n");
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
  RunResult r = RunGantry({"describe-jobs", "--timeout-seconds", "0.2", "j1"});
  unsetenv("GANTRY_ENDPOINT");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("job j1 (name-j1)\n", 0), 0u) << r.out;
}

}  // namespace
}  // namespace gantry::client
