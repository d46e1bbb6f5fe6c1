// gantry logs JOB_ID [--attempt N] [--follow]: an attempt's output (stdout
// and stderr), read from the node that ran it.
//
//   DescribeJobs ─> the attempt's node ─> DescribeNodes ─> its logAddress
//   ─> ReadLog from offset 0 to the log server on that node, directly (not
//      through the coordinator), until a read comes back empty; with
//      --follow, again every 200 ms until the attempt's log has ended
//   no node, no log server, unreachable, or no log there any more
//   ─> the tail stored with the attempt (its last 64 KiB), and stderr says so
#include <chrono>
#include <iostream>
#include <memory>
#include <thread>

#include "client/job_text.h"
#include "client/verb_common.h"
#include "client/verbs/verbs.h"

namespace gantry::client {
namespace {

using std::chrono::milliseconds;

constexpr milliseconds kNodeTimeout{2000};
constexpr milliseconds kFollowPoll{200};

// The address of the log server on `node_id`; kNotFound saying why there is
// none.
Result<std::string> LogAddressOf(RpcClient& client, const std::string& node_id) {
  if (node_id.empty()) return Status::NotFound("the attempt has no node yet");
  GANTRY_ASSIGN_OR_RETURN(protocol::DescribeNodesReply rep, client.Call(protocol::DescribeNodesRequest{}));
  for (const protocol::NodeView& n : rep.nodes) {
    if (n.node.nodeId != node_id) continue;
    if (n.node.logAddress.empty()) return Status::NotFound("node " + node_id + " runs no log server");
    return n.node.logAddress;
  }
  return Status::NotFound("node " + node_id + " is not known any more");
}

struct Streamed {
  uint64_t start = 0;  // stream offset of the first byte shown
  std::string text;    // what was shown, for -o json
  bool ended = false;  // the node said no more output will come
  char last = '\n';    // the last byte shown
};

// Reads the attempt's log from `address` and hands each piece to `emit`.
// An error before anything was read is returned (the caller falls back);
// one after that fails the verb, since part of the output is out already.
Result<Streamed> StreamFromNode(const std::string& address, const protocol::Job& job,
                                const protocol::Attempt& a, bool follow, bool keep_text,
                                milliseconds timeout) {
  GANTRY_ASSIGN_OR_RETURN(std::unique_ptr<RpcClient> node,
                          RpcClient::Create(RpcOptions{.endpoints = {address}, .timeout = timeout}));
  protocol::ReadLogRequest req{job.jobId, a.attemptNumber, 0, protocol::kMaxReadLogBytes};
  Streamed out;
  bool first = true;
  while (true) {
    Result<protocol::ReadLogReply> rep = node->Call(req);
    if (!rep.ok() && rep.status().code() == StatusCode::kUnavailable) {
      // RpcClient speaks of coordinators; this is the node's log server.
      rep = Status::Unavailable("no answer from its log server at " + address + " within " +
                                FormatTimeout(timeout));
    }
    if (!rep.ok()) {
      if (first) return rep.status();
      Fail("lost the log of attempt " + std::to_string(a.attemptNumber) + " on node " + a.node + ": " +
           rep.status().message());
    }
    if (first) {
      out.start = rep->offset;
      if (rep->offset > 0) {
        PrintError("the first " + std::to_string(rep->offset) + " bytes of output were rotated away on node " +
                   a.node + "; showing the rest");
      }
    } else if (rep->offset > req.offset) {
      PrintError(std::to_string(rep->offset - req.offset) + " bytes were rotated away before they were read");
    }
    first = false;
    if (keep_text) {
      out.text += rep->data;
    } else {
      std::cout << rep->data << std::flush;
    }
    if (!rep->data.empty()) out.last = rep->data.back();
    out.ended = rep->ended;
    req.offset = rep->nextOffset;
    if (!rep->data.empty()) continue;  // more may be there already
    if (rep->ended || !follow) return out;
    std::this_thread::sleep_for(kFollowPoll);
  }
}

void PrintStoredTail(const CommonFlags& common, const protocol::Job& job, const protocol::Attempt& a,
                     const Status& why) {
  const bool ended = a.stoppedAt.has_value();
  const std::string tail = a.logTail.value_or("");
  if (common.format() == OutputFormat::kJson) {
    nlohmann::json out = {{"jobId", job.jobId}, {"attempt", a.attemptNumber}, {"node", a.node},
                          {"ended", ended}, {"source", "stored tail"}};
    if (a.logTail) out["logTail"] = *a.logTail;
    PrintJson(out);
  } else {
    std::cout << tail;
    if (!tail.empty() && tail.back() != '\n') std::cout << "\n";
    std::cout << std::flush;
  }
  const std::string attempt = "attempt " + std::to_string(a.attemptNumber) + " of job " + job.jobId;
  if (!ended) {
    PrintError(attempt + " has not ended yet (" + protocol::EnumName(job.status) + " on node " +
               (a.node.empty() ? "?" : a.node) + ") and its output cannot be read there (" + why.message() +
               "); its tail is stored when the attempt ends");
  } else {
    PrintError("showing only the tail stored with " + attempt + " (at most its last " +
               std::to_string(protocol::kMaxLogTailBytes / 1024) + " KiB): " + why.message());
  }
}

}  // namespace

void AddLogsVerb(CLI::App& app) {
  struct Flags {
    CommonFlags common;
    std::string job_id;
    std::optional<uint32_t> attempt;
    bool follow = false;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* verb = app.add_subcommand(
      "logs", "Print a job attempt's output (stdout and stderr), read from the node that ran it");
  verb->group(kJobsGroup);
  verb->add_option("job-id", f->job_id, "Job id")->required();
  AddOptionalFlag(*verb, "--attempt", f->attempt, "Attempt number, from 1 (default: the last)");
  verb->add_flag("-f,--follow", f->follow, "Keep printing new output until the attempt ends");
  AddCommonFlags(*verb, f->common);
  verb->callback([f] {
    RunVerb([&] {
      const bool json = f->common.format() == OutputFormat::kJson;
      if (json && f->follow) Fail("--follow prints text; it does not go with -o json", kUsageExit);
      auto client = ConnectOrFail(f->common);
      auto jobs = ValueOrFail(DescribeJobsBatched(*client, {f->job_id}));
      if (jobs.empty()) Fail("job " + f->job_id + " not found");
      const protocol::Job& job = jobs.front();
      const protocol::Attempt* a = ValueOrFail(SelectAttempt(job, f->attempt));
      const auto timeout = std::min(
          kNodeTimeout, milliseconds(static_cast<int64_t>(f->common.timeout_seconds * 1000)));
      Result<std::string> address = LogAddressOf(*client, a->node);
      Result<Streamed> streamed =
          address.ok() ? StreamFromNode(*address, job, *a, f->follow, json, std::max(timeout, milliseconds(1)))
                       : Result<Streamed>(address.status());
      if (!streamed.ok()) {
        Status why = streamed.status();
        if (address.ok()) why = why.WithContext("cannot read the log on node " + a->node);
        return PrintStoredTail(f->common, job, *a, why);
      }
      if (json) {
        PrintJson({{"jobId", job.jobId}, {"attempt", a->attemptNumber}, {"node", a->node},
                   {"ended", streamed->ended || a->stoppedAt.has_value()}, {"source", "node"},
                   {"offset", streamed->start}, {"output", streamed->text}});
      } else if (streamed->last != '\n') {
        std::cout << "\n" << std::flush;  // the prompt on a line of its own
      }
    });
  });
}

}  // namespace gantry::client
