// gantry describe-job-definitions [NAME | NAME:REVISION ...]
#include <iostream>
#include <memory>

#include "client/json_format.h"
#include "client/resource_tables.h"
#include "client/verb_common.h"
#include "client/verbs/verbs.h"

namespace gantry::client {
namespace {

// "name" matches every revision, "name:rev" only that one.
bool Matches(const protocol::JobDefinition& d, const std::string& wanted) {
  if (wanted == d.jobDefinitionName) return true;
  return wanted == d.jobDefinitionName + ":" + std::to_string(d.revision);
}

}  // namespace

void AddDescribeJobDefinitionsVerb(CLI::App& app) {
  struct Flags {
    CommonFlags common;
    std::vector<std::string> names;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* verb = app.add_subcommand(
      "describe-job-definitions", "Describe job definitions (default: all); NAME shows every revision");
  verb->group(kInspectGroup);
  verb->add_option("names,--job-definitions", f->names, "NAME or NAME:REVISION");
  AddCommonFlags(*verb, f->common);
  verb->callback([f] {
    RunVerb([&] {
      protocol::DescribeJobDefinitionsRequest req;
      req.jobDefinitions = f->names;
      auto client = ConnectOrFail(f->common);
      auto rep = CallOrFail(*client, req);
      for (const auto& name : f->names) {
        bool found = false;
        for (const auto& d : rep.jobDefinitions) found = found || Matches(d, name);
        if (!found) PrintError("job definition " + name + " not found");
      }
      if (!f->names.empty() && rep.jobDefinitions.empty()) throw CLI::RuntimeError(1);
      if (f->common.format() == OutputFormat::kJson) {
        nlohmann::json list = nlohmann::json::array();
        for (const auto& d : rep.jobDefinitions) list.push_back(JobDefinitionToAwsJson(d));
        PrintJson({{"jobDefinitions", std::move(list)}});
      } else {
        std::cout << FormatJobDefinitionTable(rep.jobDefinitions);
      }
    });
  });
}

}  // namespace gantry::client
