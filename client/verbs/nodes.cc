// gantry nodes: every node with its free and total capacity.
#include <iostream>
#include <memory>

#include "client/json_format.h"
#include "client/resource_tables.h"
#include "client/verb_common.h"
#include "client/verbs/verbs.h"

namespace gantry::client {

void AddNodesVerb(CLI::App& app) {
  struct Flags {
    CommonFlags common;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* verb = app.add_subcommand("nodes", "List nodes with free/total vCPU, memory and disk");
  verb->group(kInspectGroup);
  AddCommonFlags(*verb, f->common);
  verb->callback([f] {
    RunVerb([&] {
      auto client = ConnectOrFail(f->common);
      auto rep = CallOrFail(*client, protocol::DescribeNodesRequest{});
      if (f->common.format() == OutputFormat::kJson) {
        nlohmann::json list = nlohmann::json::array();
        for (const auto& n : rep.nodes) list.push_back(NodeViewToJson(n));
        PrintJson({{"nodes", std::move(list)}});
      } else {
        std::cout << FormatNodeTable(rep.nodes);
      }
    });
  });
}

}  // namespace gantry::client
