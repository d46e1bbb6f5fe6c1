// Check() runs each invariant group over shared indexes of the history;
// FormatTable() prints the verdict. The groups live in checker_jobs.cc,
// checker_attempts.cc and checker_cluster.cc.
#include "tests/chaos/checker.h"

#include <algorithm>
#include <cstdio>

#include "tests/chaos/checker_internal.h"

namespace gantry::chaos {
namespace internal {

void AddViolation(InvariantResult& r, const CheckOptions& options, std::string example) {
  ++r.violations;
  if (r.examples.size() < options.max_examples) r.examples.push_back(std::move(example));
}

std::vector<PairedOp> PairOps(const std::vector<ClientOp>& ops) {
  std::vector<PairedOp> out;
  std::map<std::string, size_t> pending;  // process -> its open invoke in `out`
  for (const ClientOp& op : ops) {
    if (op.kind == OpKind::kInvoke) {
      // A process that invokes again gave up on its previous operation,
      // which stays indeterminate (info, open-ended).
      PairedOp p;
      p.invoke = &op;
      p.op = op.op;
      p.start_ms = op.t_ms;
      p.client_token = op.client_token;
      p.job_id = op.job_id.value_or("");
      p.expect = op.expect;
      pending[op.process] = out.size();
      out.push_back(std::move(p));
      continue;
    }
    auto it = pending.find(op.process);
    if (it != pending.end() && out[it->second].op == op.op) {
      PairedOp& p = out[it->second];
      p.done = &op;
      p.outcome = op.kind;
      p.end_ms = op.t_ms;
      if (p.client_token.empty()) p.client_token = op.client_token;
      if (op.job_id) p.job_id = *op.job_id;
      if (!p.expect) p.expect = op.expect;
      pending.erase(it);
      continue;
    }
    PairedOp p;
    p.done = &op;
    p.op = op.op;
    p.outcome = op.kind;
    p.start_ms = p.end_ms = op.t_ms;
    p.client_token = op.client_token;
    p.job_id = op.job_id.value_or("");
    p.expect = op.expect;
    out.push_back(std::move(p));
  }
  return out;
}

FinalIndex IndexFinal(const History& history) {
  FinalIndex index;
  for (const FinalJob& f : history.final_jobs) {
    index.by_id.emplace(f.job.jobId, &f.job);
    if (!f.client_token.empty()) index.by_token[f.client_token].push_back(&f);
  }
  return index;
}

std::string At(int64_t t_ms) { return t_ms == kForever ? "t=?" : "t=" + std::to_string(t_ms); }

}  // namespace internal

const InvariantResult* CheckResult::Find(const std::string& name) const {
  for (const auto& r : invariants) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

CheckResult Check(const History& history, const CheckOptions& options) {
  using namespace internal;  // NOLINT(google-build-using-namespace): the invariant groups
  const std::vector<PairedOp> ops = PairOps(history.ops);
  const FinalIndex fin = IndexFinal(history);
  CheckResult result;
  result.invariants.push_back(CheckSubmissions(ops, fin, options));
  result.invariants.push_back(CheckAttemptExclusivity(history, options));
  result.invariants.push_back(CheckRunsKnown(history, fin, options));
  result.invariants.push_back(CheckTerminalStable(ops, fin, options));
  result.invariants.push_back(CheckExpectedOutcome(ops, fin, options));
  result.invariants.push_back(CheckNodeClean(history, options));
  result.invariants.push_back(CheckCapacity(history, options));
  result.invariants.push_back(CheckNoCrashes(history, options));
  result.invariants.push_back(CheckReplicasAgree(history, options));
  return result;
}

bool Ok(const CheckResult& result) {
  return std::all_of(result.invariants.begin(), result.invariants.end(),
                     [](const InvariantResult& r) { return r.held(); });
}

std::string FormatTable(const CheckResult& result) {
  size_t name_width = std::string("invariant").size();
  for (const auto& r : result.invariants) name_width = std::max(name_width, r.name.size());
  std::string out;
  char line[512];
  std::snprintf(line, sizeof line, "%-*s  %8s  %10s  %-8s  %s\n", static_cast<int>(name_width), "invariant", "checked",
                "violations", "verdict", "notes");
  out += line;
  for (const auto& r : result.invariants) {
    const char* verdict = !r.held() ? "VIOLATED" : r.checked == 0 ? "no data" : "held";
    std::string notes;
    for (const auto& [what, n] : r.counts) notes += (notes.empty() ? "" : ", ") + what + "=" + std::to_string(n);
    std::snprintf(line, sizeof line, "%-*s  %8zu  %10zu  ", static_cast<int>(name_width), r.name.c_str(), r.checked,
                  r.violations);
    out += line;
    if (notes.empty()) {
      out += std::string(verdict) + "\n";
    } else {
      std::snprintf(line, sizeof line, "%-8s  ", verdict);
      out += line + notes + "\n";
    }
  }
  bool header = false;
  for (const auto& r : result.invariants) {
    if (r.held()) continue;
    if (!header) out += "\nexamples:\n";
    header = true;
    for (const auto& e : r.examples) out += "  " + r.name + ": " + e + "\n";
    if (r.violations > r.examples.size()) {
      out += "  " + r.name + ": ... and " + std::to_string(r.violations - r.examples.size()) + " more\n";
    }
  }
  out += Ok(result) ? "\nverdict: every invariant held\n" : "\nverdict: VIOLATED\n";
  return out;
}

}  // namespace gantry::chaos
