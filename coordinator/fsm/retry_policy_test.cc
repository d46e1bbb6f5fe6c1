#include "coordinator/fsm/retry_policy.h"

#include <gtest/gtest.h>

namespace gantry::coordinator {
namespace {

using protocol::EvaluateOnExit;
using protocol::RetryAction;

protocol::Attempt Failed(std::optional<int32_t> exit_code, std::string reason = "Essential container in task exited",
                         std::string status_reason = "Essential container in task exited") {
  protocol::Attempt a;
  a.exitCode = exit_code;
  a.reason = std::move(reason);
  a.statusReason = std::move(status_reason);
  return a;
}

// A job with `made` failed attempts, the last one `last`.
protocol::Job JobWith(uint32_t allowed, uint32_t made, protocol::Attempt last,
                      std::vector<EvaluateOnExit> rules = {}) {
  protocol::Job job;
  job.retryStrategy.attempts = allowed;
  job.retryStrategy.evaluateOnExit = std::move(rules);
  job.attempts.resize(made);
  job.attempts.back() = std::move(last);
  return job;
}

EvaluateOnExit Rule(RetryAction action, std::optional<std::string> code, std::optional<std::string> reason = {},
                    std::optional<std::string> status_reason = {}) {
  EvaluateOnExit r;
  r.action = action;
  r.onExitCode = std::move(code);
  r.onReason = std::move(reason);
  r.onStatusReason = std::move(status_reason);
  return r;
}

TEST(RetryPolicy, DefaultStrategyNeverRetries) {
  EXPECT_EQ(DecideRetry(JobWith(1, 1, Failed(1))), RetryVerdict::kAttemptsExhausted);
}

TEST(RetryPolicy, RetriesWhileAttemptsRemainAndNoRuleMatches) {
  EXPECT_EQ(DecideRetry(JobWith(3, 1, Failed(1))), RetryVerdict::kRetry);
  EXPECT_EQ(DecideRetry(JobWith(3, 2, Failed(1))), RetryVerdict::kRetry);
  EXPECT_EQ(DecideRetry(JobWith(3, 3, Failed(1))), RetryVerdict::kAttemptsExhausted);
  // Rules that match nothing: AWS retries.
  EXPECT_EQ(DecideRetry(JobWith(3, 1, Failed(1), {Rule(RetryAction::kExit, "3")})), RetryVerdict::kRetry);
}

TEST(RetryPolicy, FirstMatchingRuleWins) {
  std::vector<EvaluateOnExit> rules = {Rule(RetryAction::kExit, "3"), Rule(RetryAction::kRetry, "*")};
  EXPECT_EQ(DecideRetry(JobWith(5, 1, Failed(3), rules)), RetryVerdict::kExitByRule);
  EXPECT_EQ(DecideRetry(JobWith(5, 1, Failed(4), rules)), RetryVerdict::kRetry);
  std::vector<EvaluateOnExit> reversed = {rules[1], rules[0]};
  EXPECT_EQ(DecideRetry(JobWith(5, 1, Failed(3), reversed)), RetryVerdict::kRetry);
}

TEST(RetryPolicy, ExitCodeGlobsAndMissingExitCode) {
  EXPECT_TRUE(RuleMatches(Rule(RetryAction::kExit, "1*"), Failed(137)));
  EXPECT_FALSE(RuleMatches(Rule(RetryAction::kExit, "1*"), Failed(37)));
  EXPECT_FALSE(RuleMatches(Rule(RetryAction::kExit, "*"), Failed(std::nullopt)));
  // A rule with no condition matches every attempt, exit code or not.
  EXPECT_TRUE(RuleMatches(Rule(RetryAction::kExit, std::nullopt), Failed(std::nullopt)));
}

TEST(RetryPolicy, EveryGivenConditionMustMatch) {
  const EvaluateOnExit rule = Rule(RetryAction::kExit, "2", "Out*", "Job attempt duration*");
  EXPECT_TRUE(RuleMatches(rule, Failed(2, "OutOfMemory", "Job attempt duration exceeded timeout")));
  EXPECT_FALSE(RuleMatches(rule, Failed(3, "OutOfMemory", "Job attempt duration exceeded timeout")));
  EXPECT_FALSE(RuleMatches(rule, Failed(2, "Killed", "Job attempt duration exceeded timeout")));
  EXPECT_FALSE(RuleMatches(rule, Failed(2, "OutOfMemory", "Essential container in task exited")));
}

TEST(RetryPolicy, TimeoutMatchedByStatusReason) {
  std::vector<EvaluateOnExit> rules = {Rule(RetryAction::kExit, std::nullopt, std::nullopt, "Job attempt duration*")};
  const protocol::Attempt timed_out = Failed(143, "Killed", "Job attempt duration exceeded timeout");
  EXPECT_EQ(DecideRetry(JobWith(3, 1, timed_out, rules)), RetryVerdict::kExitByRule);
  EXPECT_EQ(DecideRetry(JobWith(3, 1, Failed(1), rules)), RetryVerdict::kRetry);
}

TEST(RetryPolicy, StoppedJobsAreNeverRetried) {
  protocol::Job terminated = JobWith(5, 1, Failed(1));
  terminated.isTerminated = true;
  EXPECT_EQ(DecideRetry(terminated), RetryVerdict::kStoppedByUser);
  protocol::Job cancelled = JobWith(5, 1, Failed(1));
  cancelled.isCancelled = true;
  EXPECT_EQ(DecideRetry(cancelled), RetryVerdict::kStoppedByUser);
}

}  // namespace
}  // namespace gantry::coordinator
