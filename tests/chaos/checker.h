// The chaos suite's verdict: decides, from a History alone (history.h), which
// of gantry's invariants held during a run. Each invariant is a cheap set or
// interval check in the manner of Jepsen's checkers; see
// /work/shared/research/reliability.md §2 for the invariants (I-numbers).
//
//   submissions          I1, I2, I3: every acknowledged submit is in the final
//                        state exactly once and terminal; an indeterminate
//                        (info) submit at most once; a failed one not at all
//   attempt-exclusivity  I5: no two attempts of a job ran at the same time,
//                        unless the earlier one was fenced (its node lost or
//                        restarted, or it was interrupted); those are counted
//                        as "fenced overlaps", not violations
//   runs-known           I4: every run record belongs to an attempt the
//                        coordinator created, on that attempt's node and with
//                        its fencing token; and (when the run has records)
//                        every workload job that SUCCEEDED has an exit-0 end
//                        record of its last attempt
//   terminal-stable      I10: once a describe saw SUCCEEDED or FAILED, every
//                        describe invoked afterwards, and the final state,
//                        agree
//   expected-outcome     a job that was never cancelled or terminated ended
//                        as its command said it would (expect succeed/fail)
//   node-clean           I8: the nodes' probes after the run are empty
//   capacity             I11: no sample has reserved > advertised
//   no-crashes           no process crashed that the nemesis did not kill
//   replicas-agree       I10: equal digests at equal applied indexes, and
//                        every replica reached the highest index
//
// An invariant with nothing to check (e.g. no probes recorded) holds and
// says "no data". Pure; thread-compatible.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tests/chaos/history.h"

namespace gantry::chaos {

struct CheckOptions {
  // Violation examples kept per invariant (all are counted).
  size_t max_examples = 5;
  // A fenced overlap longer than this is a violation (I5's lease_ttl +
  // kill_grace); absent: any length is allowed.
  std::optional<int64_t> max_fenced_overlap_ms;
};

struct InvariantResult {
  std::string name;
  size_t checked = 0;                 // items looked at: jobs, run records, probes, ...
  size_t violations = 0;              // every violation, however many examples are kept
  std::vector<std::string> examples;  // at most CheckOptions::max_examples
  // Tallies that are not violations, e.g. {"fenced overlaps", 2}.
  std::map<std::string, size_t> counts;

  bool held() const { return violations == 0; }
};

struct CheckResult {
  std::vector<InvariantResult> invariants;  // in the order listed above

  // nullptr if no invariant has that name.
  const InvariantResult* Find(const std::string& name) const;
};

CheckResult Check(const History& history, const CheckOptions& options = {});

// True if every invariant held.
bool Ok(const CheckResult& result);

// A table (invariant, checked, violations, verdict, counts), then each
// violated invariant's examples, one per line.
std::string FormatTable(const CheckResult& result);

}  // namespace gantry::chaos
