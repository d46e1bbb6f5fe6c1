// gantry logs JOB_ID [--attempt N]: the output tail stored with an attempt
// when it ended. (Live output is served by the node's log server; this
// verb shows only what the coordinator keeps.)
#include <iostream>
#include <memory>

#include "client/job_text.h"
#include "client/verb_common.h"
#include "client/verbs/verbs.h"

namespace gantry::client {

void AddLogsVerb(CLI::App& app) {
  struct Flags {
    CommonFlags common;
    std::string job_id;
    std::optional<uint32_t> attempt;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* verb = app.add_subcommand(
      "logs", "Print the end of a job attempt's output (stdout and stderr), kept when the attempt ends");
  verb->group(kJobsGroup);
  verb->add_option("job-id", f->job_id, "Job id")->required();
  AddOptionalFlag(*verb, "--attempt", f->attempt, "Attempt number, from 1 (default: the last)");
  AddCommonFlags(*verb, f->common);
  verb->callback([f] {
    RunVerb([&] {
      auto client = ConnectOrFail(f->common);
      auto jobs = ValueOrFail(DescribeJobsBatched(*client, {f->job_id}));
      if (jobs.empty()) Fail("job " + f->job_id + " not found");
      const protocol::Job& job = jobs.front();
      const protocol::Attempt* a = ValueOrFail(SelectAttempt(job, f->attempt));
      const bool ended = a->stoppedAt.has_value();
      const std::string tail = a->logTail.value_or("");
      if (f->common.format() == OutputFormat::kJson) {
        nlohmann::json out = {{"jobId", job.jobId}, {"attempt", a->attemptNumber}, {"node", a->node},
                              {"ended", ended}};
        if (a->logTail) out["logTail"] = *a->logTail;
        PrintJson(out);
      } else {
        std::cout << tail;
        if (!tail.empty() && tail.back() != '\n') std::cout << "\n";
        std::cout << std::flush;
      }
      if (!ended) {
        PrintError("attempt " + std::to_string(a->attemptNumber) + " of job " + job.jobId +
                   " has not ended yet (" + protocol::EnumName(job.status) + " on node " +
                   (a->node.empty() ? "?" : a->node) + "); its output is available when the attempt ends");
      }
    });
  });
}

}  // namespace gantry::client
