// Reads AWS Batch's RegisterJobDefinition JSON (what `aws batch
// register-job-definition --cli-input-json` takes) into a JobDefinition:
//
//   { "jobDefinitionName": "x", "type": "container",
//     "containerProperties": {
//       "command": ["echo", "hi"],
//       "resourceRequirements": [{"type": "VCPU", "value": "2"},
//                                {"type": "MEMORY", "value": "2048"},
//                                {"type": "DISK", "value": "4096"}],   // gantry, MiB
//       "vcpus": 2, "memory": 2048,                                    // legacy
//       "environment": [{"name": "K", "value": "V"}],
//       "ephemeralStorage": {"sizeInGiB": 21} },
//     "parameters": {"k": "v"}, "retryStrategy": {...}, "timeout": {...},
//     "schedulingPriority": 5 }
//
// The job-model members take the shapes in job_model_json.h. Other members
// gantry does not know are ignored, so AWS files work unchanged.
// resourceRequirements win over the legacy vcpus/memory, and DISK over
// ephemeralStorage. Each member that is present overwrites the field in the
// definition passed in; absent members leave it alone, which is how later
// sources (--container-properties, then flags) override earlier ones.
// Errors are kInvalidArgument and name the member, e.g.
// "containerProperties.command must be an array of strings". Pure.
#pragma once

#include <nlohmann/json.hpp>

#include <string_view>

#include "gantry/status.h"
#include "protocol/types.h"

namespace gantry::client {

// Parses `text` as JSON; `what` names the input in errors ("--cli-input-json").
Result<nlohmann::json> ParseJsonText(std::string_view text, std::string_view what);

// Applies a whole RegisterJobDefinition object to `def`.
Status ApplyRegisterJobDefinitionJson(const nlohmann::json& input, protocol::JobDefinition& def);

// Applies a containerProperties object to `def`; `path` prefixes member names
// in errors ("containerProperties", or "--container-properties").
Status ApplyContainerPropertiesJson(const nlohmann::json& props, std::string_view path,
                                    protocol::JobDefinition& def);

// ParseJsonText + ApplyRegisterJobDefinitionJson onto a default definition.
Result<protocol::JobDefinition> ParseJobDefinitionJson(std::string_view text);

}  // namespace gantry::client
