// gantry describe-jobs: jobs by id, with every attempt.
#include <iostream>
#include <memory>
#include <set>

#include "client/job_text.h"
#include "client/json_format.h"
#include "client/verb_common.h"
#include "client/verbs/verbs.h"

namespace gantry::client {

void AddDescribeJobsVerb(CLI::App& app) {
  struct Flags {
    CommonFlags common;
    std::vector<std::string> ids;
    std::vector<std::string> jobs_flag;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* verb = app.add_subcommand("describe-jobs", "Describe jobs by id, with their attempts");
  verb->group(kJobsGroup);
  verb->add_option("ids", f->ids, "Job ids");
  verb->add_option("--jobs", f->jobs_flag, "Job ids (AWS spelling)");
  AddCommonFlags(*verb, f->common);
  verb->callback([f] {
    RunVerb([&] {
      std::vector<std::string> ids = f->ids;
      ids.insert(ids.end(), f->jobs_flag.begin(), f->jobs_flag.end());
      if (ids.empty()) Fail("describe-jobs needs at least one job id");
      auto client = ConnectOrFail(f->common);
      std::vector<protocol::Job> jobs = ValueOrFail(DescribeJobsBatched(*client, ids));
      std::set<std::string> found;
      for (const auto& job : jobs) found.insert(job.jobId);
      for (const auto& id : ids) {
        if (!found.count(id)) PrintError("job " + id + " not found");
      }
      if (jobs.empty()) throw CLI::RuntimeError(1);
      if (f->common.format() == OutputFormat::kJson) {
        nlohmann::json list = nlohmann::json::array();
        for (const auto& job : jobs) list.push_back(JobToAwsJson(job));
        PrintJson({{"jobs", std::move(list)}});
        return;
      }
      for (size_t i = 0; i < jobs.size(); ++i) {
        if (i > 0) std::cout << "\n";
        std::cout << FormatJobText(jobs[i]);
      }
    });
  });
}

}  // namespace gantry::client
