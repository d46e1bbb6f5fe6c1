// StateStore: the durable key-value store under the coordinator's FSM.
//
// The FSM never writes a key on its own: it fills a WriteBatch with every
// change of one group of commands plus the applied index, and the batch is
// committed atomically. So after a crash the store holds the state as of
// some applied index, never half a command. Two implementations:
// RocksStateStore (production) and MemStateStore (tests).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gantry/status.h"

namespace gantry::coordinator {

class WriteBatch {
 public:
  struct Op {
    bool is_delete = false;
    std::string key;
    std::string value;
  };

  void Put(std::string key, std::string value) { ops_.push_back({false, std::move(key), std::move(value)}); }
  void Delete(std::string key) { ops_.push_back({true, std::move(key), {}}); }
  const std::vector<Op>& ops() const { return ops_; }
  bool empty() const { return ops_.empty(); }
  size_t size() const { return ops_.size(); }
  void Clear() { ops_.clear(); }
  // Appends `other`'s operations after this batch's, in order.
  void Append(WriteBatch&& other);

 private:
  std::vector<Op> ops_;
};

// A consistent read-only view of the whole store as of one moment, which
// later commits do not change. Safe to read from another thread while the
// store keeps being written (snapshots are serialised on a worker thread).
class StateView {
 public:
  virtual ~StateView() = default;
  // As StateStore::Scan, over the pinned contents.
  virtual Status Scan(std::string_view prefix,
                      const std::function<bool(std::string_view key, std::string_view value)>& fn) const = 0;
};

class StateStore {
 public:
  using KeyValues = std::vector<std::pair<std::string, std::string>>;
  virtual ~StateStore() = default;

  // kNotFound when absent.
  virtual Result<std::string> Get(std::string_view key) const = 0;

  // Calls `fn` for every key starting with `prefix`, in key order, until it
  // returns false. The view is valid only during the call.
  virtual Status Scan(std::string_view prefix,
                      const std::function<bool(std::string_view key, std::string_view value)>& fn)
      const = 0;

  // Applies every operation of `batch` atomically and durably (on return
  // the batch survives a crash of the process and of the machine).
  virtual Status Commit(const WriteBatch& batch) = 0;
  // As Commit, but on return the batch survives a crash of the process only
  // (it is in the store's write-ahead log, not yet synced). Enough where a
  // durable log replays whatever a machine crash loses (the Raft log does).
  virtual Status CommitBuffered(const WriteBatch& batch) = 0;

  // Pins the current contents. The view must not outlive the store.
  virtual std::shared_ptr<const StateView> Pin() const = 0;

  // Replaces the whole contents with `contents` atomically and durably: a
  // crash leaves either the old contents or the new, never a mix.
  virtual Status ReplaceAll(const KeyValues& contents) = 0;
};

}  // namespace gantry::coordinator
