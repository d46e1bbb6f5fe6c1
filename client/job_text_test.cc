#include "client/job_text.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>

namespace gantry::client {
namespace {

using protocol::Job;
using protocol::JobStatus;

Job MakeJob(std::string id, JobStatus status, std::string reason = "") {
  Job job;
  job.jobId = std::move(id);
  job.jobName = "name-" + job.jobId;
  job.status = status;
  job.statusReason = std::move(reason);
  job.createdAt = 1'700'000'000'000;
  return job;
}

class UtcTest : public testing::Test {
 protected:
  void SetUp() override {
    const char* tz = std::getenv("TZ");
    had_tz_ = tz != nullptr;
    if (had_tz_) saved_ = tz;
    setenv("TZ", "UTC", 1);
    tzset();
  }
  void TearDown() override {
    if (had_tz_) setenv("TZ", saved_.c_str(), 1); else unsetenv("TZ");
    tzset();
  }
  bool had_tz_ = false;
  std::string saved_;
};

using JobText = UtcTest;

TEST_F(JobText, DescribesAJobAndItsAttempts) {
  Job job = MakeJob("j1", JobStatus::kFailed, "Essential container in task exited");
  job.jobQueue = "high";
  job.jobDefinition = "d:1";
  job.command = {"sh", "-c", "exit 3"};
  job.startedAt = 1'700'000'001'000;
  job.stoppedAt = 1'700'000'002'000;
  protocol::Attempt a;
  a.attemptNumber = 1;
  a.node = "n1";
  a.exitCode = 3;
  a.reason = "Essential container in task exited";
  a.startedAt = 1'700'000'001'000;
  a.stoppedAt = 1'700'000'002'000;
  job.attempts = {a};
  EXPECT_EQ(FormatJobText(job),
            "job j1 (name-j1)\n"
            "  queue:      high\n"
            "  definition: d:1\n"
            "  status:     FAILED\n"
            "  reason:     Essential container in task exited\n"
            "  command:    sh -c 'exit 3'\n"
            "  resources:  1 vCPU, 128M memory\n"
            "  created:    2023-11-14T22:13:20.000Z\n"
            "  started:    2023-11-14T22:13:21.000Z\n"
            "  stopped:    2023-11-14T22:13:22.000Z\n"
            "  attempt 1:\n"
            "    node:          n1\n"
            "    exit code:     3\n"
            "    reason:        Essential container in task exited\n"
            "    started:       2023-11-14T22:13:21.000Z\n"
            "    stopped:       2023-11-14T22:13:22.000Z\n");
}

TEST_F(JobText, WaitingJobSaysWhy) {
  Job job = MakeJob("j2", JobStatus::kRunnable, "needs 8 vCPU,\nlargest free node has 4");
  std::string text = FormatJobText(job);
  EXPECT_NE(text.find("  reason:     needs 8 vCPU, largest free node has 4\n"), std::string::npos) << text;
  EXPECT_NE(text.find("  started:    -\n"), std::string::npos) << text;
  EXPECT_NE(text.find("  attempts:   none yet\n"), std::string::npos) << text;
}

TEST_F(JobText, ShowsWhoSubmittedOnlyWhenKnown) {
  Job job = MakeJob("j3", JobStatus::kRunnable, "waiting");
  EXPECT_EQ(FormatJobText(job).find("submitted by"), std::string::npos);
  job.submittedBy = "ci-key";
  std::string text = FormatJobText(job);
  // After the status lines, before the command and resources.
  EXPECT_NE(text.find("  reason:     waiting\n  submitted by: ci-key\n  resources:"), std::string::npos) << text;
}

TEST_F(JobText, ShowsTheJobModelWherePresent) {
  Job job = MakeJob("p", JobStatus::kPending);
  job.arrayProperties = protocol::ArrayProperties{10, std::nullopt, {{"SUCCEEDED", 3}, {"RUNNING", 2}, {"FAILED", 0}}};
  job.dependsOn = {{"a1", protocol::ArrayJobDependency::kNToN}, {"b2", std::nullopt}};
  job.retryStrategy = {3, {protocol::EvaluateOnExit{std::nullopt, std::nullopt, "3", protocol::RetryAction::kExit}}};
  job.attempts.resize(2);
  job.attempts[0].exitCode = 1;
  job.attempts[0].statusReason = "Job attempt duration exceeded timeout";
  job.attempts[1].attemptNumber = 2;
  job.timeout = protocol::JobTimeout{60};
  job.parameters = {{"in", "s3"}};
  job.shareIdentifier = "team-a";
  job.schedulingPriority = 5;
  job.isCancelled = true;
  std::string text = FormatJobText(job);
  // Status counts in lifecycle order; zero counts left out.
  EXPECT_NE(text.find("  array:      size 10: RUNNING 2  SUCCEEDED 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("  depends on: a1 (N_TO_N), b2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("  retry:      2 of 3 attempts used, 1 evaluateOnExit rule\n"), std::string::npos) << text;
  EXPECT_NE(text.find("  timeout:    60s per attempt\n"), std::string::npos) << text;
  EXPECT_NE(text.find("  parameters: in=s3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("  share:      team-a (scheduling priority 5)\n"), std::string::npos) << text;
  EXPECT_NE(text.find("  cancelled:  yes\n"), std::string::npos) << text;
  EXPECT_NE(text.find("    exit code:     1\n    status reason: Job attempt duration exceeded timeout\n"),
            std::string::npos)
      << text;
}

TEST_F(JobText, InterruptedAttemptsSpendNoRetry) {
  Job job = MakeJob("j", JobStatus::kRunning);
  job.retryStrategy = {3, {}};
  job.preemptionRetries = 5;
  job.attempts.resize(3);
  for (uint32_t i = 0; i < 3; ++i) job.attempts[i].attemptNumber = i + 1;
  job.attempts[0].node = "spot-1";
  job.attempts[0].interruption = protocol::Interruption{protocol::InterruptionKind::kReclaimed, "Node reclaimed: spot-1"};
  job.attempts[1].interruption = protocol::Interruption{protocol::InterruptionKind::kPreempted, ""};
  std::string text = FormatJobText(job);
  EXPECT_NE(text.find("  retry:      1 of 3 attempts used\n"), std::string::npos) << text;
  EXPECT_NE(text.find("  preemption: 2 interruptions of 5 allowed\n"), std::string::npos) << text;
  EXPECT_NE(text.find("    node:          spot-1\n    exit code:     -\n"
                      "    interrupted:   RECLAIMED: Node reclaimed: spot-1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("    interrupted:   PREEMPTED\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("attempt 3:\n    node:          -\n    exit code:     -\n    interrupted"), std::string::npos)
      << text;

  // Without its own budget the job shows the count alone; with neither, nothing.
  job.preemptionRetries.reset();
  job.attempts.pop_back();
  job.attempts.pop_back();
  EXPECT_NE(FormatJobText(job).find("  preemption: 1 interruption (the queue's allowance applies)\n"),
            std::string::npos)
      << FormatJobText(job);
  job.attempts[0].interruption.reset();
  EXPECT_EQ(FormatJobText(job).find("preemption:"), std::string::npos);
}

TEST_F(JobText, AnArrayParentPointsAtItsChildrenForAttempts) {
  Job job = MakeJob("p", JobStatus::kSucceeded);
  job.arrayProperties = protocol::ArrayProperties{2, std::nullopt, {{"SUCCEEDED", 2}}};
  std::string text = FormatJobText(job);
  EXPECT_NE(text.find("  attempts:   in its children: gantry list-jobs --array-job-id p\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("none yet"), std::string::npos) << text;
}

TEST_F(JobText, ArrayChildAndSequentialDependency) {
  Job job = MakeJob("p:4", JobStatus::kRunnable);
  job.arrayProperties = protocol::ArrayProperties{10, 4, {}};
  job.dependsOn = {{"", protocol::ArrayJobDependency::kSequential}};
  std::string text = FormatJobText(job);
  EXPECT_NE(text.find("  array:      index 4 of 10\n"), std::string::npos) << text;
  EXPECT_NE(text.find("  depends on: SEQUENTIAL\n"), std::string::npos) << text;
  // A single-attempt job without rules has nothing to say about retries.
  EXPECT_EQ(text.find("retry:"), std::string::npos) << text;
  EXPECT_EQ(text.find("timeout:"), std::string::npos) << text;
}

TEST_F(JobText, Table) {
  EXPECT_EQ(FormatJobTable({MakeJob("j1", JobStatus::kRunning), MakeJob("j22", JobStatus::kRunnable, "no room")}),
            "JOB ID  NAME      STATUS    REASON   CREATED\n"
            "j1      name-j1   RUNNING   -        2023-11-14T22:13:20.000Z\n"
            "j22     name-j22  RUNNABLE  no room  2023-11-14T22:13:20.000Z\n");
}

TEST(SelectAttempt, LastByDefaultOrTheNth) {
  Job job = MakeJob("j1", JobStatus::kRunning);
  job.attempts.resize(2);
  job.attempts[0].attemptNumber = 1;
  job.attempts[1].attemptNumber = 2;
  EXPECT_EQ((*SelectAttempt(job, std::nullopt))->attemptNumber, 2u);
  EXPECT_EQ((*SelectAttempt(job, 1))->attemptNumber, 1u);
  auto bad = SelectAttempt(job, 3);
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message(), "job j1 has 2 attempts; --attempt must be 1-2");
  EXPECT_EQ(SelectAttempt(job, 0).status().code(), StatusCode::kInvalidArgument);
}

TEST(SelectAttempt, NoAttemptYet) {
  Job job = MakeJob("j1", JobStatus::kRunnable, "needs 8 vCPU");
  auto a = SelectAttempt(job, std::nullopt);
  EXPECT_EQ(a.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(a.status().message(), "job j1 has not started an attempt yet (status RUNNABLE: needs 8 vCPU)");
}

TEST(Wait, TalliesStatesAndFailures) {
  std::vector<Job> jobs = {MakeJob("a", JobStatus::kSucceeded), MakeJob("b", JobStatus::kFailed, "exit 1"),
                           MakeJob("c", JobStatus::kRunning)};
  WaitTally t = TallyJobs({"a", "b", "c", "a"}, jobs);
  EXPECT_EQ(t.total, 3u);
  EXPECT_EQ(t.finished, 2u);
  EXPECT_FALSE(t.done());
  ASSERT_EQ(t.failed.size(), 1u);
  EXPECT_EQ(t.failed[0].jobId, "b");
  EXPECT_EQ(t.failed[0].statusReason, "exit 1");
  EXPECT_EQ(FormatWaitProgress(t, 12'300), "2/3 finished  RUNNING 1  SUCCEEDED 1  FAILED 1  12.3s");
}

TEST(Wait, DoneWhenAllTerminal) {
  WaitTally ok = TallyJobs({"a"}, {MakeJob("a", JobStatus::kSucceeded)});
  EXPECT_TRUE(ok.done());
  EXPECT_EQ(ok.ExitCode(), 0);
  WaitTally failed = TallyJobs({"a", "b"}, {MakeJob("a", JobStatus::kSucceeded), MakeJob("b", JobStatus::kFailed)});
  EXPECT_TRUE(failed.done());
  EXPECT_EQ(failed.ExitCode(), 1);
}

TEST(Wait, UnknownIdsAreMissing) {
  WaitTally t = TallyJobs({"a", "zzz"}, {MakeJob("a", JobStatus::kSucceeded)});
  EXPECT_FALSE(t.done());
  EXPECT_EQ(t.missing, std::vector<std::string>{"zzz"});
  EXPECT_EQ(FormatWaitProgress(t, 100), "1/2 finished  SUCCEEDED 1  UNKNOWN 1  100ms");
}

}  // namespace
}  // namespace gantry::client
