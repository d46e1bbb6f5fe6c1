// RocksStateStore: the StateStore on RocksDB. Each Commit is one RocksDB
// WriteBatch written with sync, so an acknowledged change is on disk.
#pragma once

#include <memory>
#include <string>

#include "coordinator/state/state_store.h"

namespace rocksdb {
class DB;
}

namespace gantry::coordinator {

class RocksStateStore final : public StateStore {
 public:
  // Opens (creating if needed) the database in `dir`. kUnavailable if another
  // process holds it, kCorruption if RocksDB finds it damaged.
  static Result<std::unique_ptr<RocksStateStore>> Open(const std::string& dir);
  ~RocksStateStore() override;

  Result<std::string> Get(std::string_view key) const override;
  Status Scan(std::string_view prefix,
              const std::function<bool(std::string_view, std::string_view)>& fn) const override;
  // Thread-safe; may be called from a worker thread.
  Status Commit(const WriteBatch& batch) override;
  Status CommitBuffered(const WriteBatch& batch) override;
  // A RocksDB snapshot: O(1) to take; released when the view is dropped.
  std::shared_ptr<const StateView> Pin() const override;
  // One WriteBatch: a range delete of every key, then the new contents.
  Status ReplaceAll(const KeyValues& contents) override;

 private:
  explicit RocksStateStore(rocksdb::DB* db);
  Status Write(const WriteBatch& batch, bool sync);
  std::unique_ptr<rocksdb::DB> db_;
};

}  // namespace gantry::coordinator
