// The aws CLI's flag forms for the job model: JSON (text starting with '{'
// or '[') or AWS shorthand "key=value,key2=value2", checked with errors that
// name the flag:
//
//   --retry-strategy  '{"attempts":3,"evaluateOnExit":[...]}' or attempts=3
//   --timeout         '{"attemptDurationSeconds":60}' or attemptDurationSeconds=60
//   --depends-on      jobId=ID[,type=N_TO_N|SEQUENTIAL] or type=SEQUENTIAL (repeatable)
//   --array-properties size=N or '{"size":N}'
//   --parameters      k=v, k=v,k2=v2 or '{"k":"v"}' (repeatable; later wins)
//   --filters         name=JOB_NAME,values=abc* or the JSON list
//   --compute-resources minvCpus=N,maxvCpus=N,desiredvCpus=N or JSON
//   --fairshare-policy, --job-state-time-limit-actions: JSON only
//   --preemption-retries N (0-100), --preemptible true|false
//
// In shorthand a comma starts a new pair only when "key=" follows it, so a
// value may hold commas ("msg=a,b" is one pair). All pure; kInvalidArgument.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gantry/status.h"
#include "protocol/messages.h"
#include "protocol/types.h"

namespace gantry::client {

using ShorthandPairs = std::vector<std::pair<std::string, std::string>>;

// "k=v,k2=v2" in order. Empty keys and text without any "k=" fail.
Result<ShorthandPairs> ParseShorthand(std::string_view text, std::string_view flag);

Result<protocol::RetryStrategy> ParseRetryStrategyFlag(std::string_view text, std::string_view flag);
Result<protocol::JobTimeout> ParseTimeoutFlag(std::string_view text, std::string_view flag);
Result<std::vector<protocol::JobDependency>> ParseDependsOnFlags(const std::vector<std::string>& items);
// The array size.
Result<uint32_t> ParseArrayPropertiesFlag(std::string_view text);
Result<protocol::Parameters> ParseParametersFlags(const std::vector<std::string>& items);
Result<std::vector<protocol::KeyValuesPair>> ParseFiltersFlags(const std::vector<std::string>& items);
Result<protocol::FairsharePolicy> ParseFairsharePolicyFlag(std::string_view text);
Result<std::vector<protocol::JobStateTimeLimit>> ParseJobStateTimeLimitActionsFlag(std::string_view text);

// --preemption-retries: a whole number 0..kMaxPreemptionRetries, as typed
// (parsed here: CLI11 would read "010" as octal).
Result<uint32_t> ParsePreemptionRetriesFlag(std::string_view text, std::string_view flag);
// update-compute-environment's --preemptible: true or false, any case.
Result<bool> ParseBoolFlag(std::string_view text, std::string_view flag);

struct ComputeResourcesUpdate {
  std::optional<uint32_t> minvCpus;
  std::optional<uint32_t> maxvCpus;
  std::optional<uint32_t> desiredvCpus;
};
Result<ComputeResourcesUpdate> ParseComputeResourcesFlag(std::string_view text);

}  // namespace gantry::client
