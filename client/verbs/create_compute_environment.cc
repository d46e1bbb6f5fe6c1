// gantry create-compute-environment: a pool of nodes chosen by labels.
#include <iostream>
#include <memory>

#include "client/json_format.h"
#include "client/requests.h"
#include "client/verb_common.h"
#include "client/verbs/verbs.h"

namespace gantry::client {

void AddCreateComputeEnvironmentVerb(CLI::App& app) {
  struct Flags {
    CommonFlags common;
    ComputeEnvironmentFlags ce;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* verb = app.add_subcommand(
      "create-compute-environment", "Create a compute environment: the nodes whose labels match a selector");
  verb->group(kSetupGroup);
  verb->add_option("--compute-environment-name", f->ce.name, "Name (letters, digits, - and _)")->required();
  verb->add_option("--type", f->ce.type, "MANAGED or UNMANAGED")->capture_default_str();
  verb->add_option("--state", f->ce.state, "ENABLED or DISABLED")->capture_default_str();
  AddOptionalFlag(*verb, "--min-vcpus", f->ce.min_vcpus, "minvCpus (default 0)");
  AddOptionalFlag(*verb, "--max-vcpus", f->ce.max_vcpus,
                  "maxvCpus: the most vCPUs this environment's jobs may hold at once (default 256)");
  AddOptionalFlag(*verb, "--desired-vcpus", f->ce.desired_vcpus, "desiredvCpus (default 0)");
  verb->add_option("--provisioning-model", f->ce.provisioning_model, "ON_DEMAND or SPOT")
      ->capture_default_str();
  verb->add_option("--selector", f->ce.selector,
                   "Node labels a node must all carry to belong here, KEY=VALUE ... (default: every node)");
  verb->add_flag("--preemptible", f->ce.preemptible,
                 "Jobs running here may be stopped and requeued for RUNNABLE jobs of higher-priority queues");
  AddListFlag(*verb, "--tags", f->ce.tags, kTagsHelp);
  AddCommonFlags(*verb, f->common);
  verb->callback([f] {
    RunVerb([&] {
      auto req = UsageOrFail(BuildCreateComputeEnvironment(f->ce));
      auto client = ConnectOrFail(f->common);
      auto rep = CallOrFail(*client, req);
      if (f->common.format() == OutputFormat::kJson) {
        PrintJson({{"computeEnvironmentName", rep.computeEnvironmentName},
                   {"computeEnvironmentArn", ComputeEnvironmentArn(rep.computeEnvironmentName)}});
      } else {
        std::cout << rep.computeEnvironmentName << "\n";
      }
    });
  });
}

}  // namespace gantry::client
