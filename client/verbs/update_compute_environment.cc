// gantry update-compute-environment: change a compute environment's state
// vCPU limits or whether its jobs may be preempted.
#include <memory>

#include "client/control_requests.h"
#include "client/json_format.h"
#include "client/verb_common.h"
#include "client/verbs/verbs.h"

namespace gantry::client {

void AddUpdateComputeEnvironmentVerb(CLI::App& app) {
  struct Flags {
    CommonFlags common;
    UpdateComputeEnvironmentFlags ce;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* verb =
      app.add_subcommand("update-compute-environment", "Change a compute environment; what is not given stays");
  verb->group(kSetupGroup);
  verb->add_option("--compute-environment", f->ce.compute_environment, "Compute environment name (or ARN)")
      ->required();
  verb->add_option("--state", f->ce.state, "ENABLED or DISABLED");
  verb->add_option("--compute-resources", f->ce.compute_resources,
                   "minvCpus=N,maxvCpus=N,desiredvCpus=N (AWS form; or JSON)");
  AddOptionalFlag(*verb, "--min-vcpus", f->ce.min_vcpus, "minvCpus (short form)");
  AddOptionalFlag(*verb, "--max-vcpus", f->ce.max_vcpus, "maxvCpus (short form)");
  AddOptionalFlag(*verb, "--desired-vcpus", f->ce.desired_vcpus, "desiredvCpus (short form)");
  verb->add_option("--preemptible", f->ce.preemptible,
                   "true: jobs running here may be preempted by higher-priority queues' jobs; false: never")
      ->type_name("true|false");
  AddCommonFlags(*verb, f->common);
  verb->callback([f] {
    RunVerb([&] {
      auto req = UsageOrFail(BuildUpdateComputeEnvironment(f->ce));
      auto client = ConnectOrFail(f->common);
      auto rep = CallOrFail(*client, req);
      PrintDone(f->common, rep,
                {{"computeEnvironmentName", rep.name}, {"computeEnvironmentArn", ComputeEnvironmentArn(rep.name)}});
    });
  });
}

}  // namespace gantry::client
