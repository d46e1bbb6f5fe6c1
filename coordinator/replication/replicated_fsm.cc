#include "coordinator/replication/replicated_fsm.h"

#include <cstdlib>

#include "coordinator/replication/state_snapshot.h"

namespace gantry::coordinator {

ReplicatedFsm::ReplicatedFsm(ClusterState* state, StateStore* store, Logger log)
    : state_(state), store_(store), log_(std::move(log)), fsm_(state) {}

void ReplicatedFsm::Fatal(const std::string& what) {
  log_->critical("{}; stopping so this replica cannot diverge from the others", what);
  log_->flush();
  std::abort();
}

void ReplicatedFsm::Apply(uint64_t index, std::string_view payload) {
  Result<CommandEntry> entry = DecodeCommandEntry(payload);
  if (!entry.ok()) Fatal("log entry " + std::to_string(index) + " does not decode: " + entry.status().message());
  if (entry->commands.size() > kMaxCommandsPerEntry) {
    Fatal("log entry " + std::to_string(index) + " holds " + std::to_string(entry->commands.size()) + " commands");
  }
  WriteBatch batch;
  std::vector<Result<ApplyResult>> results;
  results.reserve(entry->commands.size());
  for (size_t i = 0; i < entry->commands.size(); ++i) {
    Result<Command> command = DecodeCommand(entry->commands[i]);
    if (!command.ok()) {
      Fatal("command " + std::to_string(i) + " of log entry " + std::to_string(index) +
            " does not decode: " + command.status().message());
    }
    results.push_back(fsm_.Apply(*command, CommandIndex(index, i), batch));
  }
  // The whole entry is applied, whatever it held (even nothing).
  state_->SetAppliedIndex(EntryEndIndex(index), batch);
  if (Status s = store_->CommitBuffered(batch); !s.ok()) {
    Fatal("state store write failed at log entry " + std::to_string(index) + ": " + s.ToString());
  }
  if (on_entry_applied_) on_entry_applied_(entry->nonce, results);
}

std::shared_ptr<void> ReplicatedFsm::PinSnapshot() {
  return std::const_pointer_cast<StateView>(store_->Pin());
}

std::string ReplicatedFsm::SerializeSnapshot(const std::shared_ptr<void>& pinned) {
  Result<std::string> data = SerializeState(*static_cast<const StateView*>(pinned.get()));
  // A worker thread cannot fail the snapshot through this interface; a
  // store that cannot be read is as fatal here as on the loop.
  if (!data.ok()) Fatal(data.status().message());
  return std::move(data).value();
}

void ReplicatedFsm::ReleaseSnapshot(std::shared_ptr<void> pinned) { pinned.reset(); }

void ReplicatedFsm::Restore(uint64_t snapshot_index, std::string_view data) {
  Result<StateStore::KeyValues> contents = ParseState(data);
  if (!contents.ok()) Fatal("snapshot " + std::to_string(snapshot_index) + ": " + contents.status().message());
  if (Status s = store_->ReplaceAll(*contents); !s.ok()) {
    Fatal("state store write failed restoring snapshot " + std::to_string(snapshot_index) + ": " + s.ToString());
  }
  Result<ClusterState> loaded = ClusterState::Load(*store_);
  if (!loaded.ok()) Fatal("restored snapshot does not load: " + loaded.status().ToString());
  if (RaftIndexOf(loaded->applied_index()) != snapshot_index) {
    Fatal("snapshot " + std::to_string(snapshot_index) + " holds the state of log entry " +
          std::to_string(RaftIndexOf(loaded->applied_index())));
  }
  *state_ = std::move(loaded).value();
  log_->info("snapshot restored index={} jobs={} nodes={}", snapshot_index, state_->job_count(),
             state_->nodes().size());
}

}  // namespace gantry::coordinator
