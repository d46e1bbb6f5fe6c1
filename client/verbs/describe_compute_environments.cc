// gantry describe-compute-environments [NAMES...]
#include <iostream>
#include <memory>
#include <set>

#include "client/json_format.h"
#include "client/resource_tables.h"
#include "client/verb_common.h"
#include "client/verbs/verbs.h"

namespace gantry::client {

void AddDescribeComputeEnvironmentsVerb(CLI::App& app) {
  struct Flags {
    CommonFlags common;
    std::vector<std::string> names;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* verb = app.add_subcommand(
      "describe-compute-environments",
      "Describe compute environments (default: all), with the vCPUs their jobs hold and their nodes");
  verb->group(kInspectGroup);
  verb->add_option("names,--compute-environments", f->names, "Compute environment names");
  AddCommonFlags(*verb, f->common);
  verb->callback([f] {
    RunVerb([&] {
      protocol::DescribeComputeEnvironmentsRequest req;
      req.computeEnvironments = f->names;
      auto client = ConnectOrFail(f->common);
      auto rep = CallOrFail(*client, req);
      std::set<std::string> found;
      for (const auto& ce : rep.computeEnvironments) found.insert(ce.computeEnvironment.computeEnvironmentName);
      for (const auto& name : f->names) {
        if (!found.count(name)) PrintError("compute environment " + name + " not found");
      }
      if (!f->names.empty() && rep.computeEnvironments.empty()) throw CLI::RuntimeError(1);
      if (f->common.format() == OutputFormat::kJson) {
        nlohmann::json list = nlohmann::json::array();
        for (const auto& ce : rep.computeEnvironments) list.push_back(ComputeEnvironmentToAwsJson(ce));
        PrintJson({{"computeEnvironments", std::move(list)}});
      } else {
        std::cout << FormatComputeEnvironmentTable(rep.computeEnvironments);
      }
    });
  });
}

}  // namespace gantry::client
