// gantry nodes: every node with its state (and why), capacity type, free and
// total capacity, and running attempts (their ids with -o json).
#include <chrono>
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
  CLI::App* verb = app.add_subcommand(
      "nodes", "List nodes: state and why, spot or on-demand, free/total vCPU, memory and disk, running jobs");
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
        const auto now = std::chrono::system_clock::now().time_since_epoch();
        const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(now).count();
        std::cout << FormatNodeTable(rep.nodes, now_ms);
      }
    });
  });
}

}  // namespace gantry::client
