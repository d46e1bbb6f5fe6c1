// gantry deregister-job-definition: a revision becomes INACTIVE; jobs that
// use it keep running, new submissions to it are refused.
#include <memory>

#include "client/control_requests.h"
#include "client/verb_common.h"
#include "client/verbs/verbs.h"

namespace gantry::client {

void AddDeregisterJobDefinitionVerb(CLI::App& app) {
  struct Flags {
    CommonFlags common;
    std::string definition;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* verb = app.add_subcommand("deregister-job-definition", "Make a job definition revision INACTIVE");
  verb->group(kSetupGroup);
  verb->add_option("--job-definition", f->definition, "NAME:REVISION (or its ARN)")->required();
  AddCommonFlags(*verb, f->common);
  verb->callback([f] {
    RunVerb([&] {
      auto req = UsageOrFail(BuildDeregisterJobDefinition(f->definition));
      auto client = ConnectOrFail(f->common);
      PrintDone(f->common, CallOrFail(*client, req), nlohmann::json::object());
    });
  });
}

}  // namespace gantry::client
