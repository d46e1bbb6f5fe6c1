// MemStateStore: a StateStore in a std::map, for tests. Can be told to fail
// the Nth commit, to test what callers do when the disk does.
#pragma once

#include <map>
#include <mutex>

#include "coordinator/state/state_store.h"

namespace gantry::coordinator {

class MemStateStore final : public StateStore {
 public:
  Result<std::string> Get(std::string_view key) const override;
  Status Scan(std::string_view prefix,
              const std::function<bool(std::string_view, std::string_view)>& fn) const override;
  Status Commit(const WriteBatch& batch) override;
  Status CommitBuffered(const WriteBatch& batch) override { return Commit(batch); }
  // A copy of the map: fine at test sizes.
  std::shared_ptr<const StateView> Pin() const override;
  Status ReplaceAll(const KeyValues& contents) override;

  // The `n`th Commit from now (1 = the next one) fails with kUnavailable and
  // changes nothing.
  void FailCommitForTesting(int n) { fail_in_ = n; }
  size_t SizeForTesting() const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::string, std::less<>> data_;
  int fail_in_ = 0;
};

}  // namespace gantry::coordinator
