// gantry create-job-queue: a queue feeding up to 3 compute environments.
#include <iostream>
#include <memory>

#include "client/json_format.h"
#include "client/requests.h"
#include "client/verb_common.h"
#include "client/verbs/verbs.h"

namespace gantry::client {

void AddCreateJobQueueVerb(CLI::App& app) {
  struct Flags {
    CommonFlags common;
    JobQueueFlags queue;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* verb = app.add_subcommand("create-job-queue", "Create a job queue");
  verb->group(kSetupGroup);
  verb->add_option("--job-queue-name", f->queue.name, "Name (letters, digits, - and _)")->required();
  AddOptionalFlag(*verb, "--priority", f->queue.priority, "Priority; higher-priority queues run first")
      ->required();
  verb->add_option("--state", f->queue.state, "ENABLED or DISABLED")->capture_default_str();
  AddListFlag(*verb, "--compute-environment-order", f->queue.compute_environment_order,
                   "order=1,computeEnvironment=NAME ... (AWS form; or its JSON list)");
  verb->add_option("--compute-environments", f->queue.compute_environments,
                   "NAME1,NAME2,...: compute environments in order (short form)");
  verb->add_option("--scheduling-policy-arn", f->queue.scheduling_policy_arn,
                   "Scheduling policy (name or ARN): the queue orders jobs by fair share (default FIFO)");
  verb->add_option("--job-state-time-limit-actions", f->queue.job_state_time_limit_actions,
                   "JSON list of {reason, state, maxTimeSeconds, action}, or file://FILE");
  verb->add_option("--preemption-retries", f->queue.preemption_retries,
                   "Interruptions (reclaim, preemption, drain) a job survives unless submitted with its own, "
                   "0-100 (default " + std::to_string(protocol::kDefaultPreemptionRetries) + ")")
      ->type_name("N");
  AddListFlag(*verb, "--tags", f->queue.tags, kTagsHelp);
  AddCommonFlags(*verb, f->common);
  verb->callback([f] {
    RunVerb([&] {
      f->queue.job_state_time_limit_actions =
          FlagTextOrFail(f->queue.job_state_time_limit_actions, "--job-state-time-limit-actions");
      auto req = UsageOrFail(BuildCreateJobQueue(f->queue));
      auto client = ConnectOrFail(f->common);
      auto rep = CallOrFail(*client, req);
      if (f->common.format() == OutputFormat::kJson) {
        PrintJson({{"jobQueueName", rep.jobQueueName}, {"jobQueueArn", JobQueueArn(rep.jobQueueName)}});
      } else {
        std::cout << rep.jobQueueName << "\n";
      }
    });
  });
}

}  // namespace gantry::client
