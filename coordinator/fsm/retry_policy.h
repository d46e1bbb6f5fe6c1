// Whether a failed attempt is tried again: AWS Batch's retryStrategy.
//
// A job gets retryStrategy.attempts tries in all; interrupted attempts
// (reclaim, preemption, drain) do not count, having their own budget. After a failed one it is
// retried if tries are left and either the first evaluateOnExit rule that
// matches the attempt says RETRY, or no rule matches (AWS retries then).
// A rule matches when every condition it gives matches, each a glob with
// an optional trailing '*':
//   onExitCode      the decimal exit code; an attempt without one never matches
//   onReason        the attempt's reason (container.reason)
//   onStatusReason  the attempt's statusReason
// A cancelled or terminated job is never retried. Pure.
#pragma once

#include "protocol/types.h"

namespace gantry::coordinator {

enum class RetryVerdict {
  kRetry,
  kExitByRule,         // the first matching rule says EXIT
  kAttemptsExhausted,  // retryStrategy.attempts tries made
  kStoppedByUser,      // terminated or cancelled
};

bool RuleMatches(const protocol::EvaluateOnExit& rule, const protocol::Attempt& attempt);

// The first rule matching `attempt`, or null.
const protocol::EvaluateOnExit* FirstMatchingRule(const std::vector<protocol::EvaluateOnExit>& rules,
                                                  const protocol::Attempt& attempt);

// Attempts that count against retryStrategy.attempts: all but those
// interrupted from outside (reclaim, preemption, drain).
uint32_t FailureAttempts(const protocol::Job& job);

// Decides for `job`, whose last attempt is the failed one that just ended
// (its exit code, reason and statusReason filled in). Precondition: the job
// has at least one attempt.
RetryVerdict DecideRetry(const protocol::Job& job);

}  // namespace gantry::coordinator
