#include "coordinator/state/rocks_state_store.h"

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

namespace gantry::coordinator {
namespace {

Status FromRocks(const rocksdb::Status& s, std::string_view what) {
  if (s.ok()) return Status::Ok();
  std::string m = std::string(what) + ": " + s.ToString();
  if (s.IsNotFound()) return Status::NotFound(m);
  if (s.IsCorruption()) return Status::Corruption(m);
  if (s.IsIOError() || s.IsBusy() || s.IsTryAgain()) return Status::Unavailable(m);
  return Status::Internal(m);
}

}  // namespace

Result<std::unique_ptr<RocksStateStore>> RocksStateStore::Open(const std::string& dir) {
  rocksdb::Options options;
  options.create_if_missing = true;
  options.compression = rocksdb::kLZ4Compression;
  options.max_background_jobs = 2;
  options.keep_log_file_num = 3;
  options.max_log_file_size = 8 << 20;
  rocksdb::DB* db = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(options, dir, &db);
  if (!s.ok()) return FromRocks(s, "open state store " + dir);
  return std::unique_ptr<RocksStateStore>(new RocksStateStore(db));
}

RocksStateStore::RocksStateStore(rocksdb::DB* db) : db_(db) {}

RocksStateStore::~RocksStateStore() {
  if (db_) {
    rocksdb::Status s = db_->Close();
    (void)s;  // nothing useful to do with a close error at shutdown
  }
}

Result<std::string> RocksStateStore::Get(std::string_view key) const {
  std::string value;
  rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), rocksdb::Slice(key.data(), key.size()), &value);
  if (s.IsNotFound()) return Status::NotFound(std::string(key));
  if (!s.ok()) return FromRocks(s, "get");
  return value;
}

Status RocksStateStore::Scan(std::string_view prefix,
                             const std::function<bool(std::string_view, std::string_view)>& fn) const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  rocksdb::Slice p(prefix.data(), prefix.size());
  for (it->Seek(p); it->Valid() && it->key().starts_with(p); it->Next()) {
    if (!fn(std::string_view(it->key().data(), it->key().size()),
            std::string_view(it->value().data(), it->value().size()))) {
      break;
    }
  }
  return FromRocks(it->status(), "scan");
}

Status RocksStateStore::Commit(const WriteBatch& batch) { return Write(batch, true); }

Status RocksStateStore::CommitBuffered(const WriteBatch& batch) { return Write(batch, false); }

Status RocksStateStore::Write(const WriteBatch& batch, bool sync) {
  rocksdb::WriteBatch wb;
  for (const auto& op : batch.ops()) {
    rocksdb::Status s = op.is_delete ? wb.Delete(op.key) : wb.Put(op.key, op.value);
    if (!s.ok()) return FromRocks(s, "build write batch");
  }
  rocksdb::WriteOptions wo;
  wo.sync = sync;
  return FromRocks(db_->Write(wo, &wb), "commit");
}

namespace {

class RocksView final : public StateView {
 public:
  RocksView(rocksdb::DB* db, const rocksdb::Snapshot* snapshot) : db_(db), snapshot_(snapshot) {}
  ~RocksView() override { db_->ReleaseSnapshot(snapshot_); }
  RocksView(const RocksView&) = delete;
  RocksView& operator=(const RocksView&) = delete;

  Status Scan(std::string_view prefix,
              const std::function<bool(std::string_view, std::string_view)>& fn) const override {
    rocksdb::ReadOptions ro;
    ro.snapshot = snapshot_;
    ro.fill_cache = false;  // a full scan would evict what the loop reads
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro));
    rocksdb::Slice p(prefix.data(), prefix.size());
    for (it->Seek(p); it->Valid() && it->key().starts_with(p); it->Next()) {
      if (!fn(std::string_view(it->key().data(), it->key().size()),
              std::string_view(it->value().data(), it->value().size()))) {
        break;
      }
    }
    return FromRocks(it->status(), "scan pinned view");
  }

 private:
  rocksdb::DB* db_;
  const rocksdb::Snapshot* snapshot_;
};

}  // namespace

std::shared_ptr<const StateView> RocksStateStore::Pin() const {
  return std::make_shared<RocksView>(db_.get(), db_->GetSnapshot());
}

Status RocksStateStore::ReplaceAll(const KeyValues& contents) {
  rocksdb::WriteBatch wb;
  // Keys are printable ASCII ("job/...", "m/applied"), so [\0, \xff) holds
  // them all; the check below keeps that true.
  rocksdb::Status s = wb.DeleteRange(rocksdb::Slice("", 0), rocksdb::Slice("\xff", 1));
  if (!s.ok()) return FromRocks(s, "build replace batch");
  for (const auto& [k, v] : contents) {
    if (!k.empty() && static_cast<unsigned char>(k[0]) == 0xff) {
      return Status::InvalidArgument("state key starts with 0xff");
    }
    s = wb.Put(k, v);
    if (!s.ok()) return FromRocks(s, "build replace batch");
  }
  rocksdb::WriteOptions wo;
  wo.sync = true;
  return FromRocks(db_->Write(wo, &wb), "replace state");
}

}  // namespace gantry::coordinator
