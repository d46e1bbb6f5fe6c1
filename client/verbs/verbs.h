// One function per client verb, each registering a subcommand on `app`.
// Each lives in its own file beside this header (close pairs share one); AddClientCommands
// (commands.cc) calls them all.
#pragma once

#include <CLI/CLI.hpp>

namespace gantry::client {

void AddCreateComputeEnvironmentVerb(CLI::App& app);
void AddCreateJobQueueVerb(CLI::App& app);
void AddRegisterJobDefinitionVerb(CLI::App& app);
void AddSubmitJobVerb(CLI::App& app);
void AddDescribeJobsVerb(CLI::App& app);
void AddListJobsVerb(CLI::App& app);
void AddDescribeJobQueuesVerb(CLI::App& app);
void AddDescribeComputeEnvironmentsVerb(CLI::App& app);
void AddDescribeJobDefinitionsVerb(CLI::App& app);
void AddLogsVerb(CLI::App& app);
void AddWaitVerb(CLI::App& app);
void AddNodesVerb(CLI::App& app);
// stop_job.cc
void AddCancelJobVerb(CLI::App& app);
void AddTerminateJobVerb(CLI::App& app);
void AddDeregisterJobDefinitionVerb(CLI::App& app);
void AddUpdateJobQueueVerb(CLI::App& app);
void AddUpdateComputeEnvironmentVerb(CLI::App& app);
// delete_resources.cc
void AddDeleteJobQueueVerb(CLI::App& app);
void AddDeleteComputeEnvironmentVerb(CLI::App& app);
// scheduling_policies.cc
void AddCreateSchedulingPolicyVerb(CLI::App& app);
void AddUpdateSchedulingPolicyVerb(CLI::App& app);
void AddDeleteSchedulingPolicyVerb(CLI::App& app);
void AddDescribeSchedulingPoliciesVerb(CLI::App& app);
// tags.cc
void AddTagResourceVerb(CLI::App& app);
void AddUntagResourceVerb(CLI::App& app);
void AddListTagsForResourceVerb(CLI::App& app);
// `gantry node` and its verbs: cordon, uncordon, drain, reclaim (node.cc).
void AddNodeVerbs(CLI::App& app);
// `raft` and its verbs (operator_raft.cc), under `gantry operator`.
void AddOperatorRaftVerbs(CLI::App& operator_cmd);

// Help groups the verbs are listed under.
inline constexpr const char* kSetupGroup = "Set-up";
inline constexpr const char* kJobsGroup = "Jobs";
inline constexpr const char* kInspectGroup = "Inspection";
inline constexpr const char* kOperatorGroup = "Operator";

// The help of --tags on every verb that takes it (tag_requests.h).
inline constexpr const char* kTagsHelp =
    "Tags, KEY=VALUE, K=V,K2=V2 or JSON {\"k\": \"v\"} (repeatable; AWS's limits: 50, aws: keys reserved)";

}  // namespace gantry::client
