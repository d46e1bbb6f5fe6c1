// gantry cancel-job and terminate-job: stop a job, with a reason that
// becomes its statusReason. On an array parent they stop every child.
#include <memory>

#include "client/control_requests.h"
#include "client/verb_common.h"
#include "client/verbs/verbs.h"

namespace gantry::client {
namespace {

template <class Req>
void AddStopJobVerb(CLI::App& app, const char* name, const char* description,
                    Result<Req> (*build)(const StopJobFlags&)) {
  struct Flags {
    CommonFlags common;
    StopJobFlags stop;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* verb = app.add_subcommand(name, description);
  verb->group(kJobsGroup);
  verb->add_option("--job-id", f->stop.job_id, "The job's id")->required();
  verb->add_option("--reason", f->stop.reason, "Why; becomes the job's statusReason (required, as in AWS)")
      ->required();
  AddCommonFlags(*verb, f->common);
  verb->callback([f, build] {
    RunVerb([&] {
      auto req = UsageOrFail(build(f->stop));
      auto client = ConnectOrFail(f->common);
      PrintDone(f->common, CallOrFail(*client, req), nlohmann::json::object());
    });
  });
}

}  // namespace

void AddCancelJobVerb(CLI::App& app) {
  AddStopJobVerb<protocol::CancelJobRequest>(
      app, "cancel-job",
      "Cancel a job that has not started (SUBMITTED, PENDING, RUNNABLE); it ends FAILED. A started job "
      "runs on (see terminate-job)",
      &BuildCancelJob);
}

void AddTerminateJobVerb(CLI::App& app) {
  AddStopJobVerb<protocol::TerminateJobRequest>(
      app, "terminate-job", "Stop a job in any state; a running attempt is killed and the job ends FAILED",
      &BuildTerminateJob);
}

}  // namespace gantry::client
