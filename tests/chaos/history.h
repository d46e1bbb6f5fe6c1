// The chaos suite's history: what the harness saw during a run (client
// operations, nemesis faults, the jobs' own run records) and the final state
// it collected afterwards (jobs, node probes, replica digests, process
// crashes, capacity samples). The checker (checker.h) judges a History.
//
// On disk a history is JSON lines, one record per line, each an object whose
// "type" says which record it is ("?" marks an optional member; times are
// epoch milliseconds):
//
//   client          t_ms, process, kind: invoke|ok|fail|info,
//                   op: submit|cancel|terminate|describe, client_token,
//                   job_id?, expect?: succeed|fail|any, error?, status?
//   nemesis         t_ms, kind: fault-start|fault-stop, fault, target, detail
//   run             t_ms, node, job_id, attempt_number, fencing_token?,
//                   event: start|end, exit?
//   final-job       client_token?, job: a protocol::Job (record_json.h)
//   node-probe      node, scratch_entries, mounts, loop_devices, cgroups
//                   (arrays of strings)
//   replica-digest  replica, applied_index, digest
//   crash           process, exit_status, expected
//   capacity        t_ms, node, advertised, reserved
//                   (each {vcpus, memoryMib, diskMib})
//
// Client kinds follow Jepsen: `invoke` when an operation starts, then one of
// `ok` (it happened), `fail` (it certainly did not) or `info` (unknown: timed
// out, the connection dropped; it may or may not have happened). `process`
// is a string or an integer; an integer is read as its decimal text.
// `status` is what an ok describe observed (a JobStatus name). `expect` is
// what the job's command does when it runs: always exit 0, always exit
// non-zero, or either. A final job's client_token is the token the workload
// submitted it with (the workload names each job after its token so the
// harness can tell); absent or "" means the job is not the workload's.
// Run records are written by the jobs themselves, with the node's wall clock.
//
// Blank lines are skipped; unknown members are ignored; anything else that
// does not fit is an error naming the line. Pure apart from the file helpers.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gantry/status.h"
#include "protocol/types.h"

namespace gantry::chaos {

enum class OpKind : uint8_t { kInvoke, kOk, kFail, kInfo };
enum class OpName : uint8_t { kSubmit, kCancel, kTerminate, kDescribe };
enum class Expect : uint8_t { kSucceed, kFail, kAny };

struct ClientOp {
  int64_t t_ms = 0;
  std::string process;
  OpKind kind = OpKind::kInvoke;
  OpName op = OpName::kSubmit;
  std::string client_token;
  std::optional<std::string> job_id;
  std::optional<Expect> expect;
  std::optional<std::string> error;
  std::optional<protocol::JobStatus> status;  // an ok describe's observation
};

struct NemesisEvent {
  int64_t t_ms = 0;
  bool start = true;  // fault-start, else fault-stop
  std::string fault;  // e.g. "kill-leader", "pause-agent", "partition-replica"
  std::string target;
  std::string detail;
};

struct RunRecord {
  int64_t t_ms = 0;  // the node's wall clock, as the job read it
  std::string node;
  std::string job_id;
  uint32_t attempt_number = 1;
  std::optional<uint64_t> fencing_token;
  bool start = true;  // event start, else end
  std::optional<int32_t> exit;
};

struct FinalJob {
  std::string client_token;  // "" when the job is not the workload's
  protocol::Job job;
};

// What is left on a node after the run; every entry is a leak.
struct NodeProbe {
  std::string node;
  std::vector<std::string> scratch_entries;
  std::vector<std::string> mounts;
  std::vector<std::string> loop_devices;
  std::vector<std::string> cgroups;
};

struct ReplicaDigest {
  std::string replica;
  uint64_t applied_index = 0;
  std::string digest;
};

struct CrashRecord {
  std::string process;
  int64_t exit_status = 0;
  bool expected = false;  // the nemesis killed it on purpose
};

struct CapacitySample {
  int64_t t_ms = 0;
  std::string node;
  protocol::NodeCapacity advertised;
  protocol::NodeCapacity reserved;
};

// Records by kind, each list in the order read.
struct History {
  std::vector<ClientOp> ops;
  std::vector<NemesisEvent> nemesis;
  std::vector<RunRecord> runs;
  std::vector<FinalJob> final_jobs;
  std::vector<NodeProbe> probes;
  std::vector<ReplicaDigest> digests;
  std::vector<CrashRecord> crashes;
  std::vector<CapacitySample> capacity;
};

// Names as written in the history ("invoke", "submit", "succeed").
const char* OpKindName(OpKind k);
const char* OpNameName(OpName o);
const char* ExpectName(Expect e);

// One record as a JSON object, "type" included.
nlohmann::json ToJson(const ClientOp& r);
nlohmann::json ToJson(const NemesisEvent& r);
nlohmann::json ToJson(const RunRecord& r);
nlohmann::json ToJson(const FinalJob& r);
nlohmann::json ToJson(const NodeProbe& r);
nlohmann::json ToJson(const ReplicaDigest& r);
nlohmann::json ToJson(const CrashRecord& r);
nlohmann::json ToJson(const CapacitySample& r);

// `j` as one line (no newline). Bytes that are not UTF-8 (a log tail may
// hold any) become U+FFFD. Never throws.
std::string DumpLine(const nlohmann::json& j);
template <class R>
std::string ToJsonLine(const R& record) {
  return DumpLine(ToJson(record));
}

// Parses one line and appends its record to `history`. kInvalidArgument,
// naming the member, when the line is not JSON, has no known "type", or a
// member is missing or of the wrong type; `history` is then unchanged.
// A blank line is ok and adds nothing. Never throws.
Status AppendLine(std::string_view line, History& history);

// Parses a whole file's text. The first bad line fails the lot with
// kInvalidArgument "line N: ...". Never throws.
Result<History> ParseHistory(std::string_view text);

// Every record as JSON lines: the client ops, nemesis events and run records,
// then the final state. ParseHistory(FormatHistory(h)) gives h back.
std::string FormatHistory(const History& history);

// ParseHistory on a file's contents; kNotFound if it cannot be read.
Result<History> ReadHistoryFile(const std::string& path);

}  // namespace gantry::chaos
