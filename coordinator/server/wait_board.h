// WaitBoard: the leader's latest waiting reason and AWS reason code for each
// RUNNABLE job, filed by the job's sequence number (unique for ever).
//
// A full scheduler pass files every waiting job, tens of thousands with a
// deep backlog, and most of them share one of a few reasons. So each
// distinct (reason, code) is stored once and a job holds its index: filing
// a job is one integer hash insert, no string copy. Entries of jobs that are
// not RUNNABLE any more stay until the next full pass; readers show an
// entry only for a RUNNABLE job. Thread-compatible.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace gantry::coordinator {

class WaitBoard {
 public:
  struct Entry {
    std::string reason;  // "waiting for capacity: ..."
    std::string code;    // "CAPACITY:INSUFFICIENT_INSTANCE_CAPACITY", ...
  };

  // Forgets every job and reason (a full pass files them all again).
  void Clear();
  // Files (or refiles) job `sequence` under (reason, code).
  void File(uint64_t sequence, std::string_view reason, std::string_view code);
  // The job's entry, or null if no pass filed it since the last Clear.
  const Entry* Find(uint64_t sequence) const;

  size_t jobs() const { return by_job_.size(); }
  size_t distinct_reasons() const { return entries_.size(); }

 private:
  uint32_t Intern(std::string_view reason, std::string_view code);

  std::vector<Entry> entries_;
  std::unordered_map<std::string, uint32_t> by_text_;  // reason + '\n' + code -> entry
  std::unordered_map<uint64_t, uint32_t> by_job_;      // sequence -> entry
  uint32_t last_ = UINT32_MAX;  // consecutive jobs usually share an entry
};

}  // namespace gantry::coordinator
