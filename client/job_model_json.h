// Reads the JSON shapes of AWS Batch's job model (what the aws CLI takes as
// --retry-strategy, --timeout, --fairshare-policy, ... and what
// RegisterJobDefinition input holds) into protocol records:
//
//   retryStrategy   {"attempts": 3, "evaluateOnExit": [{"onExitCode": "3",
//                    "onReason": "...", "onStatusReason": "...", "action": "EXIT"}]}
//   timeout         {"attemptDurationSeconds": 60}
//   parameters      {"name": "value", ...}
//   dependsOn       [{"jobId": "...", "type": "N_TO_N"}]  (or one object)
//   fairsharePolicy {"shareDecaySeconds": 3600, "computeReservation": 10,
//                    "shareDistribution": [{"shareIdentifier": "team*", "weightFactor": 0.5}]}
//   jobStateTimeLimitActions [{"reason": "...", "state": "RUNNABLE",
//                              "maxTimeSeconds": 600, "action": "CANCEL"}]
//
// Enum values are case-insensitive, as AWS takes them. A member gantry does
// not know is an error (these shapes are small; a typo must not be dropped
// silently). Every error is kInvalidArgument and names the member under
// `path`, e.g. "--retry-strategy.evaluateOnExit[0].action must be one of
// RETRY|EXIT, got \"stop\"". Ranges are checked by each record's Validate(),
// which the callers run. Pure.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string_view>
#include <vector>

#include "gantry/status.h"
#include "protocol/types.h"

namespace gantry::client {

Result<protocol::RetryStrategy> ReadRetryStrategy(const nlohmann::json& j, std::string_view path);
Result<protocol::JobTimeout> ReadJobTimeout(const nlohmann::json& j, std::string_view path);
Result<protocol::Parameters> ReadParameters(const nlohmann::json& j, std::string_view path);
Result<std::vector<protocol::JobDependency>> ReadDependsOn(const nlohmann::json& j, std::string_view path);
Result<protocol::FairsharePolicy> ReadFairsharePolicy(const nlohmann::json& j, std::string_view path);
// An array, or a single object for one action.
Result<std::vector<protocol::JobStateTimeLimit>> ReadJobStateTimeLimitActions(const nlohmann::json& j,
                                                                              std::string_view path);
// A whole number 0..UINT32_MAX (a JSON number, not a string).
Result<uint32_t> ReadUint32(const nlohmann::json& j, std::string_view path);

}  // namespace gantry::client
