// gantry describe-job-queues [NAMES...]
#include <iostream>
#include <memory>
#include <set>

#include "client/json_format.h"
#include "client/resource_tables.h"
#include "client/verb_common.h"
#include "client/verbs/verbs.h"

namespace gantry::client {

void AddDescribeJobQueuesVerb(CLI::App& app) {
  struct Flags {
    CommonFlags common;
    std::vector<std::string> names;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* verb = app.add_subcommand("describe-job-queues", "Describe job queues (default: all)");
  verb->group(kInspectGroup);
  verb->add_option("names,--job-queues", f->names, "Queue names");
  AddCommonFlags(*verb, f->common);
  verb->callback([f] {
    RunVerb([&] {
      protocol::DescribeJobQueuesRequest req;
      req.jobQueues = f->names;
      auto client = ConnectOrFail(f->common);
      auto rep = CallOrFail(*client, req);
      std::set<std::string> found;
      for (const auto& q : rep.jobQueues) found.insert(q.jobQueueName);
      for (const auto& name : f->names) {
        if (!found.count(name)) PrintError("job queue " + name + " not found");
      }
      if (!f->names.empty() && rep.jobQueues.empty()) throw CLI::RuntimeError(1);
      if (f->common.format() == OutputFormat::kJson) {
        nlohmann::json list = nlohmann::json::array();
        for (const auto& q : rep.jobQueues) list.push_back(JobQueueToAwsJson(q));
        PrintJson({{"jobQueues", std::move(list)}});
      } else {
        std::cout << FormatJobQueueTable(rep.jobQueues);
      }
    });
  });
}

}  // namespace gantry::client
