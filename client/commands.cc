#include "client/commands.h"

#include "client/verbs/verbs.h"

namespace gantry {

void AddClientCommands(CLI::App& app) {
  client::AddCreateComputeEnvironmentVerb(app);
  client::AddCreateJobQueueVerb(app);
  client::AddRegisterJobDefinitionVerb(app);
  client::AddSubmitJobVerb(app);
  client::AddDescribeJobsVerb(app);
  client::AddListJobsVerb(app);
  client::AddLogsVerb(app);
  client::AddWaitVerb(app);
  client::AddDescribeJobQueuesVerb(app);
  client::AddDescribeComputeEnvironmentsVerb(app);
  client::AddDescribeJobDefinitionsVerb(app);
  client::AddNodesVerb(app);
}

}  // namespace gantry
