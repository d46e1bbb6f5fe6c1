// gantry operator raft list-peers | add-voter | remove-peer | transfer-leader:
// the coordinator replicas' Raft membership, like `nomad operator raft`.
//
// list-peers is answered by any replica (the first that answers: its view,
// useful when there is no leader). A change is not: it needs the leader, can
// keep it busy for more than a failover slice (catch-up, a demotion barrier,
// an election), and is not idempotent (sent again, it fails with "no member
// with id 3" or moves the leadership twice). So a change first finds the
// leader, then goes to that endpoint alone and waits for its answer:
//
//   list-peers to each endpoint in turn (a slice each)
//     --a replica says it leads--> the change to that endpoint alone,
//                                  waiting up to the whole budget
//     --none does--> pause 50 ms, ask again ... budget spent --> kUnavailable
//
// Finding the leader and the change each get --rpc-timeout-seconds.
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <thread>

#include "client/json_format.h"
#include "client/requests.h"
#include "client/resource_tables.h"
#include "client/verb_common.h"
#include "client/verbs/verbs.h"
#include "gantry/ports.h"

namespace gantry::client {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr int kUsageExit = 2;
constexpr milliseconds kLeaderPollPause{50};

struct RaftFlags {
  CommonFlags common;
  RaftPeerFlags peer;
};

CLI::App* AddRaftVerb(CLI::App& raft, const std::string& name, const std::string& description,
                      RaftFlags& f) {
  CLI::App* verb = raft.add_subcommand(name, description);
  AddCommonFlags(*verb, f.common);
  return verb;
}

// Bad flags are bad usage, as CLI11's own parse errors are.
template <class Req>
Req BuildOrFail(Result<Req> r) {
  if (!r.ok()) Fail(r.status(), kUsageExit);
  return std::move(r).value();
}

bool AnsweredByTheLeader(const protocol::RaftPeersReply& rep) {
  for (const auto& p : rep.peers) {
    if (p.leader && p.id == rep.replicaId) return true;
  }
  return false;
}

// The endpoint whose replica says it leads. kUnavailable naming the
// endpoints when none does within the budget (overrun by at most a slice:
// each probe keeps its own client, and with it a connected socket).
Result<std::string> FindLeaderEndpoint(const RpcOptions& options) {
  const auto deadline = Clock::now() + options.timeout;
  const milliseconds slice = TryTimeout(options);
  std::vector<std::unique_ptr<RpcClient>> replicas;
  for (const auto& endpoint : options.endpoints) {
    GANTRY_ASSIGN_OR_RETURN(auto client, RpcClient::Create({{endpoint}, slice}));
    replicas.push_back(std::move(client));
  }
  bool any_answered = false;
  while (true) {
    for (auto& replica : replicas) {
      if (Clock::now() >= deadline) {
        const std::string at = JoinEndpoints(options.endpoints);
        const std::string within = FormatTimeout(options.timeout);
        if (!any_answered) {
          return Status::Unavailable("cannot reach the coordinator at " + at + " (no reply within " + within +
                                     ")");
        }
        return Status::Unavailable("no replica at " + at + " said it was the leader within " + within);
      }
      Result<protocol::RaftPeersReply> rep = replica->Call(protocol::RaftListPeersRequest{});
      if (rep.ok() && AnsweredByTheLeader(*rep)) return replica->current_endpoint();
      if (!rep.ok() && rep.status().code() != StatusCode::kUnavailable) return rep.status();
      any_answered = any_answered || rep.ok();
    }
    std::this_thread::sleep_for(kLeaderPollPause);  // an election, most likely
  }
}

template <class Req>
protocol::RaftPeersReply SendChange(const CommonFlags& common, const Req& req) {
  RpcOptions options = ValueOrFail(MakeRpcOptions(common, std::getenv(kEndpointEnv)));
  options.endpoints = {ValueOrFail(FindLeaderEndpoint(options))};
  auto leader = ValueOrFail(RpcClient::Create(std::move(options)));
  Result<protocol::RaftPeersReply> rep = leader->Call(req);
  if (!rep.ok() && rep.status().code() == StatusCode::kUnavailable) {
    // The leader answered list-peers a moment ago: silence now more likely
    // means a change still running (a voter catching up) than a dead replica.
    Fail(rep.status().message() + "; the change may still complete (see gantry operator raft list-peers)");
  }
  return ValueOrFail(std::move(rep));
}

// Text: `headline` (if any), then the table; JSON: the reply alone.
void PrintPeers(const protocol::RaftPeersReply& rep, OutputFormat format, const std::string& headline) {
  if (format == OutputFormat::kJson) {
    PrintJson(RaftPeersReplyToJson(rep));
    return;
  }
  if (!headline.empty()) std::cout << headline << "\n";
  std::cout << FormatRaftPeerTable(rep.peers) << std::flush;
}

std::string LeaderHeadline(const protocol::RaftPeersReply& rep) {
  for (const auto& p : rep.peers) {
    if (p.leader) return "leadership transferred; the leader is replica " + std::to_string(p.id);
  }
  return "leadership transferred";
}

}  // namespace

void AddOperatorRaftVerbs(CLI::App& operator_cmd) {
  CLI::App* raft = operator_cmd.add_subcommand("raft", "The coordinator replicas' Raft membership");
  raft->require_subcommand(1);

  auto list = std::make_shared<RaftFlags>();
  AddRaftVerb(*raft, "list-peers", "List the replicas: id, Raft address, role, leader", *list)
      ->callback([list] {
        RunVerb([&] {
          auto client = ConnectOrFail(list->common);
          PrintPeers(CallOrFail(*client, protocol::RaftListPeersRequest{}), list->common.format(), "");
        });
      });

  auto add = std::make_shared<RaftFlags>();
  CLI::App* add_verb =
      AddRaftVerb(*raft, "add-voter", "Add a replica started with an empty data dir; it votes once caught up",
                  *add);
  add_verb->add_option("--id", add->peer.id, "The new replica's id (> 0, never reused)")
      ->type_name("N")
      ->required();
  add_verb->add_option("--address", add->peer.address, "Its Raft address, a.b.c.d:port")
      ->type_name("A.B.C.D:PORT")
      ->required();
  add_verb->callback([add] {
    RunVerb([&] {
      auto req = BuildOrFail(BuildRaftAddVoter(add->peer));
      auto rep = SendChange(add->common, req);
      PrintPeers(rep, add->common.format(),
                 "added replica " + std::to_string(req.id) + " at " + req.address + " as a voter");
    });
  });

  auto remove = std::make_shared<RaftFlags>();
  CLI::App* remove_verb = AddRaftVerb(*raft, "remove-peer", "Remove a replica from the cluster", *remove);
  remove_verb->add_option("--id", remove->peer.id, "The replica's id")->type_name("N")->required();
  remove_verb->callback([remove] {
    RunVerb([&] {
      auto req = BuildOrFail(BuildRaftRemovePeer(remove->peer));
      auto rep = SendChange(remove->common, req);
      PrintPeers(rep, remove->common.format(), "removed replica " + std::to_string(req.id));
    });
  });

  auto transfer = std::make_shared<RaftFlags>();
  CLI::App* transfer_verb =
      AddRaftVerb(*raft, "transfer-leader", "Hand the leadership to another voter", *transfer);
  transfer_verb
      ->add_option("--id", transfer->peer.id, "The voter to lead (default: the most up-to-date other voter)")
      ->type_name("N");
  transfer_verb->callback([transfer] {
    RunVerb([&] {
      auto req = BuildOrFail(BuildRaftTransferLeader(transfer->peer));
      auto rep = SendChange(transfer->common, req);
      PrintPeers(rep, transfer->common.format(), LeaderHeadline(rep));
    });
  });
}

}  // namespace gantry::client
