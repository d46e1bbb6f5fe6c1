// gantry register-job-definition: a named, revisioned job template.
#include <iostream>
#include <memory>

#include "client/json_format.h"
#include "client/requests.h"
#include "client/verb_common.h"
#include "client/verbs/verbs.h"

namespace gantry::client {

void AddRegisterJobDefinitionVerb(CLI::App& app) {
  struct Flags {
    CommonFlags common;
    JobDefinitionFlags def;
    std::string container_properties_arg;
    std::string cli_input_json_arg;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* verb = app.add_subcommand(
      "register-job-definition",
      "Register a job definition (a new revision if the name exists); the command follows --");
  verb->group(kSetupGroup);
  verb->add_option("--job-definition-name", f->def.name, "Name (or jobDefinitionName in --cli-input-json)");
  verb->add_option("--type", f->def.type, "container (the only type)");
  verb->add_option("--container-properties", f->container_properties_arg,
                   "containerProperties as JSON, or file://FILE");
  verb->add_option("--cli-input-json", f->cli_input_json_arg,
                   "AWS RegisterJobDefinition JSON: FILE, file://FILE, - (stdin) or the JSON itself");
  AddOptionalFlag(*verb, "--vcpus", f->def.vcpus, "vCPUs per job (default 1)");
  AddOptionalFlag(*verb, "--memory", f->def.memory_mib, "Memory per job in MiB (default 128)");
  AddOptionalFlag(*verb, "--disk", f->def.disk_mib, "Scratch disk per job in MiB (default 0)");
  verb->add_option("--env", f->def.env, "Environment variables, KEY=VALUE ...");
  AddListFlag(*verb, "--parameters", f->def.parameters,
                   "Defaults for Ref::NAME in the command: NAME=VALUE, NAME=V,NAME2=V2 or JSON ...");
  verb->add_option("--retry-strategy", f->def.retry_strategy,
                   "JSON {attempts, evaluateOnExit: [...]}, attempts=N, or file://FILE");
  verb->add_option("--timeout", f->def.timeout, "JSON {\"attemptDurationSeconds\": N} or attemptDurationSeconds=N");
  AddOptionalFlag(*verb, "--scheduling-priority", f->def.scheduling_priority,
                  "0-9999: higher runs first within a fair-share queue");
  AddListFlag(*verb, "--tags", f->def.tags, std::string(kTagsHelp) + ", over --cli-input-json's tags");
  // Everything from the first positional on is the command, so its own
  // flags (`-- sh -c ...`) are not taken for ours, even after a list flag
  // such as --env (which CLI11 ends at "--").
  verb->positionals_at_end();
  verb->add_option("command", f->def.command, "The command and its arguments, after --");
  AddCommonFlags(*verb, f->common);
  verb->callback([f] {
    RunVerb([&] {
      if (!f->cli_input_json_arg.empty()) {
        f->def.cli_input_json = UsageOrFail(ReadJsonArgument(f->cli_input_json_arg, "--cli-input-json"));
      }
      if (!f->container_properties_arg.empty()) {
        f->def.container_properties =
            UsageOrFail(ReadJsonArgument(f->container_properties_arg, "--container-properties"));
      }
      f->def.retry_strategy = FlagTextOrFail(f->def.retry_strategy, "--retry-strategy");
      f->def.timeout = FlagTextOrFail(f->def.timeout, "--timeout");
      auto req = UsageOrFail(BuildRegisterJobDefinition(f->def));
      auto client = ConnectOrFail(f->common);
      auto rep = CallOrFail(*client, req);
      if (f->common.format() == OutputFormat::kJson) {
        PrintJson({{"jobDefinitionName", rep.jobDefinitionName},
                   {"jobDefinitionArn", JobDefinitionArn(rep.jobDefinitionName, rep.revision)},
                   {"revision", rep.revision}});
      } else {
        std::cout << rep.jobDefinitionName << ":" << rep.revision << "\n";
      }
    });
  });
}

}  // namespace gantry::client
