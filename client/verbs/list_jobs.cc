// gantry list-jobs: the jobs of a queue or the children of an array job,
// optionally of one status or matching one filter.
#include <iostream>
#include <memory>

#include "client/job_text.h"
#include "client/json_format.h"
#include "client/requests.h"
#include "client/verb_common.h"
#include "client/verbs/verbs.h"

namespace gantry::client {

void AddListJobsVerb(CLI::App& app) {
  struct Flags {
    CommonFlags common;
    ListJobsFlags list;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* verb = app.add_subcommand("list-jobs", "List the jobs of a queue or the children of an array job");
  verb->group(kJobsGroup);
  verb->add_option("--job-queue", f->list.queue, "Queue name (or --array-job-id)");
  verb->add_option("--array-job-id", f->list.array_job_id, "An array job's id: list its children (or --job-queue)");
  verb->add_option("--job-status", f->list.status,
                   "Only jobs in this status: SUBMITTED, PENDING, RUNNABLE, STARTING, RUNNING, "
                   "SUCCEEDED or FAILED (default: every status, unlike AWS, which lists RUNNING)");
  AddOptionalFlag(*verb, "--max-results", f->list.max_results,
                  "At most this many jobs (1-" + std::to_string(protocol::kDefaultListJobsResults) +
                      ", default " + std::to_string(protocol::kDefaultListJobsResults) + ")");
  verb->add_option("--next-token", f->list.next_token, "Continue from an earlier call's nextToken");
  AddListFlag(*verb, "--filters", f->list.filters,
                   "name=JOB_NAME|JOB_DEFINITION|BEFORE_CREATED_AT|AFTER_CREATED_AT|SHARE_IDENTIFIER,values=V "
                   "(one filter; JOB_NAME takes a trailing *)");
  AddCommonFlags(*verb, f->common);
  verb->callback([f] {
    RunVerb([&] {
      auto req = UsageOrFail(BuildListJobs(f->list));
      auto client = ConnectOrFail(f->common);
      auto rep = CallOrFail(*client, req);
      if (f->common.format() == OutputFormat::kJson) {
        nlohmann::json list = nlohmann::json::array();
        for (const auto& job : rep.jobSummaryList) list.push_back(JobSummaryToAwsJson(job));
        nlohmann::json out = {{"jobSummaryList", std::move(list)}};
        if (rep.nextToken) out["nextToken"] = *rep.nextToken;
        PrintJson(out);
        return;
      }
      std::cout << FormatJobTable(rep.jobSummaryList) << std::flush;
      if (rep.nextToken) std::cerr << "more jobs: add --next-token " << *rep.nextToken << "\n";
    });
  });
}

}  // namespace gantry::client
