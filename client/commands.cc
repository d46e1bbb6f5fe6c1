#include "client/commands.h"

#include "client/verbs/verbs.h"

namespace gantry {

void AddClientCommands(CLI::App& app) {
  client::AddCreateComputeEnvironmentVerb(app);
  client::AddCreateJobQueueVerb(app);
  client::AddRegisterJobDefinitionVerb(app);
  client::AddCreateSchedulingPolicyVerb(app);
  client::AddUpdateJobQueueVerb(app);
  client::AddUpdateComputeEnvironmentVerb(app);
  client::AddUpdateSchedulingPolicyVerb(app);
  client::AddDeregisterJobDefinitionVerb(app);
  client::AddDeleteJobQueueVerb(app);
  client::AddDeleteComputeEnvironmentVerb(app);
  client::AddDeleteSchedulingPolicyVerb(app);
  client::AddSubmitJobVerb(app);
  client::AddDescribeJobsVerb(app);
  client::AddListJobsVerb(app);
  client::AddCancelJobVerb(app);
  client::AddTerminateJobVerb(app);
  client::AddLogsVerb(app);
  client::AddWaitVerb(app);
  client::AddDescribeJobQueuesVerb(app);
  client::AddDescribeComputeEnvironmentsVerb(app);
  client::AddDescribeJobDefinitionsVerb(app);
  client::AddDescribeSchedulingPoliciesVerb(app);
  client::AddTagResourceVerb(app);
  client::AddUntagResourceVerb(app);
  client::AddListTagsForResourceVerb(app);
  client::AddNodesVerb(app);
  CLI::App* op = app.add_subcommand("operator", "Operate the coordinator's replicas");
  op->require_subcommand(1);
  client::AddOperatorRaftVerbs(*op);
  // Only now: a subcommand inherits its parent's help group when added.
  op->group(client::kOperatorGroup);
  client::AddNodeVerbs(app);
}

}  // namespace gantry
