// The Raft membership requests of `gantry operator raft ...`. Any replica
// lists the peers it knows (useful when there is no leader); changes need the
// ready leader, and their replies go out once RaftNode has finished them.
#include "coordinator/server/coordinator_server.h"

namespace gantry::coordinator {

protocol::RaftPeersReply CoordinatorServer::PeersReply() const {
  protocol::RaftPeersReply reply;
  reply.replicaId = config_.raft.id;
  std::optional<raft::Peer> leader = raft_->Leader();
  for (const auto& [peer, role] : raft_->Peers()) {
    reply.peers.push_back({peer.id, peer.address, role, leader && leader->id == peer.id});
  }
  return reply;
}

void CoordinatorServer::HandleRaftOperator(const Prefix& prefix, const protocol::Envelope& env) {
  using protocol::MessageType;
  const uint64_t id = env.requestId;
  auto answer = [this, prefix, id](Status s) {
    if (!s.ok()) return ReplyError(prefix, id, s);
    Reply(prefix, id, PeersReply());
  };
  switch (env.type) {
    case MessageType::kRaftListPeers: {
      auto req = protocol::DecodeBody<protocol::RaftListPeersRequest>(env);
      if (!req.ok()) return ReplyError(prefix, id, req.status());
      protocol::RaftPeersReply reply = PeersReply();
      if (req->withDigest.value_or(false)) {
        reply.appliedIndex = state_.applied_index();
        reply.stateDigest = state_.Digest();
      }
      return Reply(prefix, id, reply);
    }
    case MessageType::kRaftAddVoter: {
      auto req = protocol::DecodeBody<protocol::RaftAddVoterRequest>(env);
      if (!req.ok()) return ReplyError(prefix, id, req.status());
      if (Status s = raft::ValidateAddress(req->address); !s.ok()) return ReplyError(prefix, id, s);
      raft_log_->info("operator: add voter id={} address={}", req->id, req->address);
      return raft_->AddVoter(raft::Peer{req->id, req->address}, answer);
    }
    case MessageType::kRaftRemovePeer: {
      auto req = protocol::DecodeBody<protocol::RaftRemovePeerRequest>(env);
      if (!req.ok()) return ReplyError(prefix, id, req.status());
      raft_log_->info("operator: remove peer id={}", req->id);
      return raft_->RemovePeer(req->id, answer);
    }
    case MessageType::kRaftTransferLeader: {
      auto req = protocol::DecodeBody<protocol::RaftTransferLeaderRequest>(env);
      if (!req.ok()) return ReplyError(prefix, id, req.status());
      raft_log_->info("operator: transfer leadership to={}", req->id);
      return raft_->TransferLeadership(req->id, answer);
    }
    default:
      return ReplyError(prefix, id, Status::Internal("not a Raft operator request"));
  }
}

}  // namespace gantry::coordinator
