// gantry update-job-queue: change a queue's state, priority, compute
// environments, scheduling policy, job state time limit actions or
// preemption retries.
#include <memory>

#include "client/control_requests.h"
#include "client/json_format.h"
#include "client/verb_common.h"
#include "client/verbs/verbs.h"

namespace gantry::client {

void AddUpdateJobQueueVerb(CLI::App& app) {
  struct Flags {
    CommonFlags common;
    UpdateJobQueueFlags queue;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* verb = app.add_subcommand("update-job-queue", "Change a job queue; what is not given stays");
  verb->group(kSetupGroup);
  verb->add_option("--job-queue", f->queue.queue, "Queue name (or ARN)")->required();
  verb->add_option("--state", f->queue.state, "ENABLED or DISABLED (a DISABLED queue takes no new jobs)");
  AddOptionalFlag(*verb, "--priority", f->queue.priority, "Priority; higher-priority queues run first");
  AddListFlag(*verb, "--compute-environment-order", f->queue.compute_environment_order,
                   "order=1,computeEnvironment=NAME ... (AWS form; or its JSON list)");
  verb->add_option("--compute-environments", f->queue.compute_environments,
                   "NAME1,NAME2,...: compute environments in order (short form)");
  verb->add_option("--scheduling-policy-arn", f->queue.scheduling_policy_arn,
                   "Scheduling policy (name or ARN): the queue then orders jobs by fair share");
  verb->add_option("--job-state-time-limit-actions", f->queue.job_state_time_limit_actions,
                   "JSON list of {reason, state, maxTimeSeconds, action}, or file://FILE; [] clears");
  verb->add_option("--preemption-retries", f->queue.preemption_retries,
                   "Interruptions (reclaim, preemption, drain) a job survives unless submitted with its own, 0-100")
      ->type_name("N");
  AddCommonFlags(*verb, f->common);
  verb->callback([f] {
    RunVerb([&] {
      f->queue.job_state_time_limit_actions =
          FlagTextOrFail(f->queue.job_state_time_limit_actions, "--job-state-time-limit-actions");
      auto req = UsageOrFail(BuildUpdateJobQueue(f->queue));
      auto client = ConnectOrFail(f->common);
      auto rep = CallOrFail(*client, req);
      PrintDone(f->common, rep, {{"jobQueueName", rep.name}, {"jobQueueArn", JobQueueArn(rep.name)}});
    });
  });
}

}  // namespace gantry::client
