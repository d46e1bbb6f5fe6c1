// gantry submit-job: one job into a queue; prints its id alone, so
// `ID=$(gantry submit-job ...)` works.
#include <iostream>
#include <memory>

#include "client/requests.h"
#include "client/verb_common.h"
#include "client/verbs/verbs.h"

namespace gantry::client {

void AddSubmitJobVerb(CLI::App& app) {
  struct Flags {
    CommonFlags common;
    SubmitJobFlags job;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* verb = app.add_subcommand(
      "submit-job", "Submit a job and print its id; the command, if any, follows --");
  verb->group(kJobsGroup);
  verb->add_option("--job-name", f->job.name, "Name (letters, digits, - and _)")->required();
  verb->add_option("--job-queue", f->job.queue, "Queue to submit to")->required();
  verb->add_option("--job-definition", f->job.definition, "NAME (latest revision) or NAME:REVISION")
      ->capture_default_str();
  AddOptionalFlag(*verb, "--vcpus", f->job.vcpus, "vCPUs (default: the definition's)");
  AddOptionalFlag(*verb, "--memory", f->job.memory_mib, "Memory in MiB (default: the definition's)");
  AddOptionalFlag(*verb, "--disk", f->job.disk_mib, "Scratch disk in MiB (default: the definition's)");
  verb->add_option("--env", f->job.env, "Environment variables over the definition's, KEY=VALUE ...");
  AddListFlag(*verb, "--parameters", f->job.parameters,
                   "Ref::NAME values over the definition's: NAME=VALUE, NAME=V,NAME2=V2 or JSON ...");
  verb->add_option("--retry-strategy", f->job.retry_strategy,
                   "JSON {attempts, evaluateOnExit: [{onExitCode, onReason, onStatusReason, action}]}, "
                   "attempts=N, or file://FILE");
  AddOptionalFlag(*verb, "--retry-attempts", f->job.retry_attempts, "Attempts 1-10 (short for --retry-strategy)");
  verb->add_option("--timeout", f->job.timeout,
                   "JSON {\"attemptDurationSeconds\": N} or attemptDurationSeconds=N: each attempt's limit");
  AddOptionalFlag(*verb, "--timeout-seconds,--attempt-duration-seconds", f->job.attempt_duration_seconds,
                  "Each attempt's time limit (short for --timeout)");
  verb->add_option("--array-properties", f->job.array_properties, "size=N: an array job of N children (2-10000)");
  AddOptionalFlag(*verb, "--array-size", f->job.array_size, "N children (short for --array-properties)");
  AddListFlag(*verb, "--depends-on", f->job.depends_on,
                   "jobId=ID[,type=N_TO_N|SEQUENTIAL] or type=SEQUENTIAL (an array's children in order) ...");
  verb->add_option("--share-identifier", f->job.share_identifier, "Fair-share identifier (fair-share queues)");
  AddOptionalFlag(*verb, "--scheduling-priority-override", f->job.scheduling_priority_override,
                  "Scheduling priority 0-9999 within a fair-share queue (over the definition's)");
  verb->add_option("--preemption-retries", f->job.preemption_retries,
                   "Interruptions (reclaim, preemption, drain) the job survives, each requeued without spending "
                   "a retry attempt, 0-100 (default: the queue's)")
      ->type_name("N");
  AddListFlag(*verb, "--tags", f->job.tags, kTagsHelp);
  // Everything from the first positional on is the command, so its own
  // flags (`-- sh -c ...`) are not taken for ours, even after a list flag
  // such as --env (which CLI11 ends at "--").
  verb->positionals_at_end();
  verb->add_option("command", f->job.command, "The command and its arguments, after -- (default: the definition's)");
  AddCommonFlags(*verb, f->common);
  verb->callback([f] {
    RunVerb([&] {
      // One token per invocation: the RPC client's retry on another replica
      // carries the same token, so the job is created once.
      f->job.retry_strategy = FlagTextOrFail(f->job.retry_strategy, "--retry-strategy");
      f->job.timeout = FlagTextOrFail(f->job.timeout, "--timeout");
      auto req = UsageOrFail(BuildSubmitJob(f->job, NewClientToken()));
      auto client = ConnectOrFail(f->common);
      auto rep = CallOrFail(*client, req);
      if (f->common.format() == OutputFormat::kJson) {
        PrintJson({{"jobId", rep.jobId}, {"jobName", rep.jobName}});
      } else {
        std::cout << rep.jobId << "\n";
      }
    });
  });
}

}  // namespace gantry::client
