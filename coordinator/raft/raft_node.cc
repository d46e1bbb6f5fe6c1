#include "coordinator/raft/raft_node.h"

#include <csignal>

#include "coordinator/raft/raft_core.h"

namespace gantry::coordinator::raft {
namespace {

// libuv writes to peers with write(2), not send(MSG_NOSIGNAL): a peer that
// just closed its end raises SIGPIPE, whose default action kills the whole
// process (seen in the tests when a node stops). gantry's main ignores it;
// a RaftNode makes sure, without overriding a handler someone installed.
void IgnoreSigpipeIfDefault() {
  struct sigaction current {};
  if (sigaction(SIGPIPE, nullptr, &current) == 0 && current.sa_handler == SIG_DFL) {
    std::signal(SIGPIPE, SIG_IGN);
  }
}

}  // namespace

Result<std::unique_ptr<RaftNode>> RaftNode::Create(uv_loop_t* loop, RaftOptions options, StateMachine* state_machine,
                                                   Logger log) {
  if (loop == nullptr || state_machine == nullptr) {
    return Status::InvalidArgument("raft node needs a loop and a state machine");
  }
  GANTRY_RETURN_IF_ERROR(options.Validate());
  if (!log) log = NullLogger("raft");
  IgnoreSigpipeIfDefault();
  auto core = std::make_unique<RaftCore>(loop, std::move(options), state_machine, std::move(log));
  GANTRY_RETURN_IF_ERROR(core->Init());
  return std::unique_ptr<RaftNode>(new RaftNode(std::move(core)));
}

RaftNode::RaftNode(std::unique_ptr<RaftCore> core) : core_(std::move(core)) {}
RaftNode::~RaftNode() = default;  // RaftCore checks that Close completed

Status RaftNode::Start() { return core_->Start(); }
void RaftNode::Propose(std::vector<std::string> payloads, Done done) {
  core_->Propose(std::move(payloads), std::move(done));
}
bool RaftNode::IsReadyLeader() const { return core_->IsReadyLeader(); }
std::optional<Peer> RaftNode::Leader() const { return core_->Leader(); }
void RaftNode::OnRoleChange(std::function<void(bool)> cb) { core_->OnRoleChange(std::move(cb)); }
void RaftNode::AddVoter(Peer peer, Done done) { core_->AddVoter(std::move(peer), std::move(done)); }
void RaftNode::RemovePeer(uint64_t id, Done done) { core_->RemovePeer(id, std::move(done)); }
void RaftNode::TransferLeadership(uint64_t id, Done done) { core_->TransferLeadership(id, std::move(done)); }
std::vector<std::pair<Peer, std::string>> RaftNode::Peers() const { return core_->Peers(); }
bool RaftNode::RemovedFromCluster() const { return core_->RemovedFromCluster(); }
void RaftNode::OnRemoved(std::function<void()> cb) { core_->OnRemoved(std::move(cb)); }
void RaftNode::Close(std::function<void()> done) { core_->Close(std::move(done)); }
bool RaftNode::RestartedForTesting() const { return core_->restarted(); }
uint64_t RaftNode::LastIndexForTesting() const { return core_->last_index(); }
uint64_t RaftNode::LastAppliedForTesting() const { return core_->last_applied(); }
uint64_t RaftNode::TermForTesting() const { return core_->term(); }
uint64_t RaftNode::CommitIndexForTesting() const { return core_->commit_index(); }

}  // namespace gantry::coordinator::raft
