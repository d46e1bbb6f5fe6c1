#include "coordinator/server/wait_board.h"

namespace gantry::coordinator {

void WaitBoard::Clear() {
  entries_.clear();
  by_text_.clear();
  by_job_.clear();
  last_ = UINT32_MAX;
}

uint32_t WaitBoard::Intern(std::string_view reason, std::string_view code) {
  if (last_ != UINT32_MAX && entries_[last_].reason == reason && entries_[last_].code == code) return last_;
  std::string key;
  key.reserve(reason.size() + 1 + code.size());
  key.append(reason).append(1, '\n').append(code);
  auto [it, added] = by_text_.try_emplace(std::move(key), static_cast<uint32_t>(entries_.size()));
  if (added) entries_.push_back({std::string(reason), std::string(code)});
  last_ = it->second;
  return last_;
}

void WaitBoard::File(uint64_t sequence, std::string_view reason, std::string_view code) {
  by_job_.insert_or_assign(sequence, Intern(reason, code));
}

const WaitBoard::Entry* WaitBoard::Find(uint64_t sequence) const {
  auto it = by_job_.find(sequence);
  return it == by_job_.end() ? nullptr : &entries_[it->second];
}

}  // namespace gantry::coordinator
