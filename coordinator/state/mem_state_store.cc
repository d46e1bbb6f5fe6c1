#include "coordinator/state/mem_state_store.h"

namespace gantry::coordinator {

void WriteBatch::Append(WriteBatch&& other) {
  ops_.reserve(ops_.size() + other.ops_.size());
  for (auto& op : other.ops_) ops_.push_back(std::move(op));
  other.ops_.clear();
}

Result<std::string> MemStateStore::Get(std::string_view key) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = data_.find(key);
  if (it == data_.end()) return Status::NotFound(std::string(key));
  return it->second;
}

Status MemStateStore::Scan(std::string_view prefix,
                           const std::function<bool(std::string_view, std::string_view)>& fn) const {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = data_.lower_bound(prefix); it != data_.end(); ++it) {
    if (it->first.compare(0, prefix.size(), prefix) != 0) break;
    if (!fn(it->first, it->second)) break;
  }
  return Status::Ok();
}

Status MemStateStore::Commit(const WriteBatch& batch) {
  std::lock_guard<std::mutex> lock(mu_);
  if (fail_in_ > 0 && --fail_in_ == 0) return Status::Unavailable("injected commit failure");
  for (const auto& op : batch.ops()) {
    if (op.is_delete) {
      data_.erase(op.key);
    } else {
      data_.insert_or_assign(op.key, op.value);
    }
  }
  return Status::Ok();
}

namespace {

class MapView final : public StateView {
 public:
  explicit MapView(std::map<std::string, std::string, std::less<>> data) : data_(std::move(data)) {}
  Status Scan(std::string_view prefix,
              const std::function<bool(std::string_view, std::string_view)>& fn) const override {
    for (auto it = data_.lower_bound(prefix); it != data_.end(); ++it) {
      if (it->first.compare(0, prefix.size(), prefix) != 0) break;
      if (!fn(it->first, it->second)) break;
    }
    return Status::Ok();
  }

 private:
  const std::map<std::string, std::string, std::less<>> data_;
};

}  // namespace

std::shared_ptr<const StateView> MemStateStore::Pin() const {
  std::lock_guard<std::mutex> lock(mu_);
  return std::make_shared<MapView>(data_);
}

Status MemStateStore::ReplaceAll(const KeyValues& contents) {
  std::lock_guard<std::mutex> lock(mu_);
  if (fail_in_ > 0 && --fail_in_ == 0) return Status::Unavailable("injected commit failure");
  data_.clear();
  for (const auto& [k, v] : contents) data_.insert_or_assign(k, v);
  return Status::Ok();
}

size_t MemStateStore::SizeForTesting() const {
  std::lock_guard<std::mutex> lock(mu_);
  return data_.size();
}

}  // namespace gantry::coordinator
