// gantry wait JOB_ID...: blocks until every job has SUCCEEDED or FAILED.
// Exit 0: all SUCCEEDED; 1: one FAILED (or an error); 2: timed out.
//
//   poll DescribeJobs --all terminal--> print result, exit 0|1
//     ^      |    |--unknown id--> exit 1
//     |      |    '--deadline passed--> exit 2
//     '200ms-'
//
// A coordinator that stops answering (failover) is retried for a while
// rather than abandoning the wait at once.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <iostream>
#include <memory>
#include <thread>

#include "client/job_text.h"
#include "client/verb_common.h"
#include "client/verbs/verbs.h"

namespace gantry::client {
namespace {

using Clock = std::chrono::steady_clock;

constexpr auto kPollInterval = std::chrono::milliseconds(200);
// How long the coordinator may stay unreachable before `wait` gives up.
constexpr auto kUnavailableGrace = std::chrono::seconds(60);

int64_t MillisSince(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

// Rewrites one status line on a terminal.
class ProgressLine {
 public:
  explicit ProgressLine(bool enabled) : enabled_(enabled) {}
  void Show(const std::string& text) {
    if (!enabled_) return;
    std::string line = "\r" + text;
    if (text.size() < width_) line.append(width_ - text.size(), ' ');
    width_ = text.size();
    std::cerr << line << std::flush;
  }
  void Clear() {
    if (enabled_ && width_ > 0) std::cerr << "\r" << std::string(width_, ' ') << "\r" << std::flush;
    width_ = 0;
  }

 private:
  bool enabled_;
  size_t width_ = 0;
};

nlohmann::json ResultJson(const std::vector<protocol::Job>& jobs, const char* result) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& job : jobs) {
    nlohmann::json j = {{"jobId", job.jobId}, {"jobName", job.jobName}, {"status", protocol::EnumName(job.status)}};
    if (!job.statusReason.empty()) j["statusReason"] = job.statusReason;
    list.push_back(std::move(j));
  }
  return {{"result", result}, {"jobs", std::move(list)}};
}

}  // namespace

void AddWaitVerb(CLI::App& app) {
  struct Flags {
    CommonFlags common;
    std::vector<std::string> ids;
    double total_seconds = 0;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* verb = app.add_subcommand(
      "wait", "Wait until jobs end. Exit 0: all SUCCEEDED, 1: one FAILED, 2: timed out");
  verb->group(kJobsGroup);
  verb->add_option("ids", f->ids, "Job ids")->required();
  verb->add_option("--timeout-seconds-total", f->total_seconds, "Give up after this long (default: never)")
      ->check(CLI::NonNegativeNumber);
  AddCommonFlags(*verb, f->common);
  verb->callback([f] {
    RunVerb([&] {
      auto client = ConnectOrFail(f->common);
      const bool json = f->common.format() == OutputFormat::kJson;
      ProgressLine progress(!json && isatty(STDERR_FILENO) == 1);
      const auto start = Clock::now();
      const auto deadline = start + std::chrono::milliseconds(static_cast<int64_t>(f->total_seconds * 1000));
      std::optional<Clock::time_point> unavailable_since;
      while (true) {
        Result<std::vector<protocol::Job>> jobs = DescribeJobsBatched(*client, f->ids);
        if (!jobs.ok()) {
          if (jobs.status().code() != StatusCode::kUnavailable) Fail(jobs.status());
          if (!unavailable_since) unavailable_since = Clock::now();
          if (Clock::now() - *unavailable_since > kUnavailableGrace) {
            progress.Clear();
            Fail(jobs.status());
          }
          progress.Show("coordinator unreachable, retrying  " + FormatDuration(MillisSince(start)));
        } else {
          unavailable_since.reset();
          WaitTally tally = TallyJobs(f->ids, *jobs);
          if (!tally.missing.empty()) {
            progress.Clear();
            Fail("job " + tally.missing.front() + " not found");
          }
          if (tally.done()) {
            progress.Clear();
            if (json) PrintJson(ResultJson(*jobs, tally.failed.empty() ? "SUCCEEDED" : "FAILED"));
            for (const auto& failed : tally.failed) {
              PrintError("job " + failed.jobId + " (" + failed.jobName + ") FAILED" +
                         (failed.statusReason.empty() ? "" : ": " + failed.statusReason));
            }
            if (tally.ExitCode() != 0) throw CLI::RuntimeError(tally.ExitCode());
            return;
          }
          progress.Show(FormatWaitProgress(tally, MillisSince(start)));
          if (f->total_seconds > 0 && Clock::now() >= deadline) {
            progress.Clear();
            if (json) PrintJson(ResultJson(*jobs, "TIMEOUT"));
            Fail("timed out after " + FormatDuration(MillisSince(start)) + ": " +
                     std::to_string(tally.total - tally.finished) + " of " + std::to_string(tally.total) +
                     " jobs have not ended (" + FormatWaitProgress(tally, MillisSince(start)) + ")",
                 2);
          }
        }
        if (f->total_seconds > 0 && Clock::now() >= deadline) {
          progress.Clear();
          Fail("timed out after " + FormatDuration(MillisSince(start)) + " (coordinator unreachable)", 2);
        }
        auto pause = std::chrono::duration_cast<Clock::duration>(kPollInterval);
        if (f->total_seconds > 0) pause = std::min(pause, deadline - Clock::now());
        std::this_thread::sleep_for(pause);
      }
    });
  });
}

}  // namespace gantry::client
