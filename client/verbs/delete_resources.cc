// gantry delete-job-queue and delete-compute-environment. As in AWS, a
// queue must be DISABLED with no unfinished job, and a compute environment
// DISABLED and named by no queue; the coordinator says which rule blocks.
#include <memory>

#include "client/control_requests.h"
#include "client/verb_common.h"
#include "client/verbs/verbs.h"

namespace gantry::client {

void AddDeleteJobQueueVerb(CLI::App& app) {
  struct Flags {
    CommonFlags common;
    std::string queue;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* verb = app.add_subcommand("delete-job-queue", "Delete a DISABLED job queue with no unfinished job");
  verb->group(kSetupGroup);
  verb->add_option("--job-queue", f->queue, "Queue name (or ARN)")->required();
  AddCommonFlags(*verb, f->common);
  verb->callback([f] {
    RunVerb([&] {
      auto req = UsageOrFail(BuildDeleteJobQueue(f->queue));
      auto client = ConnectOrFail(f->common);
      PrintDone(f->common, CallOrFail(*client, req), nlohmann::json::object());
    });
  });
}

void AddDeleteComputeEnvironmentVerb(CLI::App& app) {
  struct Flags {
    CommonFlags common;
    std::string ce;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* verb = app.add_subcommand("delete-compute-environment",
                                      "Delete a DISABLED compute environment that no queue names");
  verb->group(kSetupGroup);
  verb->add_option("--compute-environment", f->ce, "Compute environment name (or ARN)")->required();
  AddCommonFlags(*verb, f->common);
  verb->callback([f] {
    RunVerb([&] {
      auto req = UsageOrFail(BuildDeleteComputeEnvironment(f->ce));
      auto client = ConnectOrFail(f->common);
      PrintDone(f->common, CallOrFail(*client, req), nlohmann::json::object());
    });
  });
}

}  // namespace gantry::client
