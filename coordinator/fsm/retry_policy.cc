#include "coordinator/fsm/retry_policy.h"

#include <string>

#include "gantry/check.h"

namespace gantry::coordinator {

bool RuleMatches(const protocol::EvaluateOnExit& rule, const protocol::Attempt& attempt) {
  if (rule.onExitCode &&
      (!attempt.exitCode || !protocol::GlobMatches(*rule.onExitCode, std::to_string(*attempt.exitCode)))) {
    return false;
  }
  if (rule.onReason && !protocol::GlobMatches(*rule.onReason, attempt.reason.value_or(""))) return false;
  if (rule.onStatusReason &&
      !protocol::GlobMatches(*rule.onStatusReason, attempt.statusReason.value_or(""))) {
    return false;
  }
  return true;
}

const protocol::EvaluateOnExit* FirstMatchingRule(const std::vector<protocol::EvaluateOnExit>& rules,
                                                  const protocol::Attempt& attempt) {
  for (const auto& rule : rules) {
    if (RuleMatches(rule, attempt)) return &rule;
  }
  return nullptr;
}

uint32_t FailureAttempts(const protocol::Job& job) {
  uint32_t n = 0;
  for (const protocol::Attempt& a : job.attempts) n += !a.interruption.has_value();
  return n;
}

RetryVerdict DecideRetry(const protocol::Job& job) {
  GANTRY_CHECK(!job.attempts.empty());
  if (job.isTerminated || job.isCancelled) return RetryVerdict::kStoppedByUser;
  if (FailureAttempts(job) >= job.retryStrategy.attempts) return RetryVerdict::kAttemptsExhausted;
  const protocol::EvaluateOnExit* rule = FirstMatchingRule(job.retryStrategy.evaluateOnExit, job.attempts.back());
  if (rule && rule->action == protocol::RetryAction::kExit) return RetryVerdict::kExitByRule;
  return RetryVerdict::kRetry;
}

}  // namespace gantry::coordinator
