#include "coordinator/raft/raft_options.h"

#include <arpa/inet.h>

#include <charconv>
#include <set>

namespace gantry::coordinator::raft {

Status ValidateAddress(std::string_view address) {
  auto bad = [&](std::string_view why) {
    return Status::InvalidArgument("address \"" + std::string(address) + "\": " + std::string(why));
  };
  size_t colon = address.rfind(':');
  if (colon == std::string_view::npos) return bad("want ip:port");
  std::string host(address.substr(0, colon));
  std::string_view port_text = address.substr(colon + 1);
  in_addr ip{};
  // inet_pton accepts only the dotted quad, which is what 0.15's transport
  // can bind to and connect to.
  if (inet_pton(AF_INET, host.c_str(), &ip) != 1) return bad("host must be an IPv4 dotted quad");
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port_text.empty()) {
    return bad("port is not a number");
  }
  if (port == 0 || port > 65535) return bad("port must be 1-65535");
  return Status::Ok();
}

Result<std::vector<Peer>> ParsePeers(std::string_view list) {
  std::vector<Peer> peers;
  std::set<uint64_t> ids;
  std::set<std::string> addresses;
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    if (comma == std::string_view::npos) comma = list.size();
    std::string_view item = list.substr(start, comma - start);
    start = comma + 1;
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item.empty()) continue;
    auto bad = [&](std::string_view why) {
      return Status::InvalidArgument("peer \"" + std::string(item) + "\": " + std::string(why));
    };
    size_t at = item.find('@');
    if (at == std::string_view::npos) return bad("want id@ip:port");
    std::string_view id_text = item.substr(0, at);
    uint64_t id = 0;
    auto [end, ec] = std::from_chars(id_text.data(), id_text.data() + id_text.size(), id);
    if (ec != std::errc() || end != id_text.data() + id_text.size() || id == 0) {
      return bad("id must be a positive integer");
    }
    std::string address(item.substr(at + 1));
    if (Status s = ValidateAddress(address); !s.ok()) return bad(s.message());
    if (!ids.insert(id).second) return bad("duplicate id");
    if (!addresses.insert(address).second) return bad("duplicate address");
    peers.push_back({id, address});
  }
  if (peers.empty()) return Status::InvalidArgument("peer list is empty");
  return peers;
}

Status RaftOptions::Validate() const {
  auto bad = [](std::string m) { return Status::InvalidArgument("raft options: " + std::move(m)); };
  if (id == 0) return bad("id must be > 0");
  if (Status s = ValidateAddress(address); !s.ok()) return s.WithContext("raft options: address");
  if (dir.empty()) return bad("dir is empty");
  if (heartbeat_timeout_ms == 0) return bad("heartbeat_timeout_ms must be > 0");
  // libraft 0.15 accepts heartbeat >= election silently; the leader then
  // cannot keep followers from starting elections.
  if (heartbeat_timeout_ms >= election_timeout_ms) {
    return bad("heartbeat_timeout_ms (" + std::to_string(heartbeat_timeout_ms) +
               ") must be below election_timeout_ms (" + std::to_string(election_timeout_ms) + ")");
  }
  if (snapshot_threshold == 0) return bad("snapshot_threshold must be > 0");
  if (install_snapshot_timeout_ms == 0) return bad("install_snapshot_timeout_ms must be > 0");
  if (connect_retry_delay_ms == 0) return bad("connect_retry_delay_ms must be > 0");
  if (bootstrap.empty()) return Status::Ok();

  std::set<uint64_t> ids;
  std::set<std::string> addresses;
  bool self_found = false;
  for (const Peer& p : bootstrap) {
    if (p.id == 0) return bad("bootstrap peer id must be > 0");
    if (Status s = ValidateAddress(p.address); !s.ok()) {
      return s.WithContext("raft options: bootstrap peer " + std::to_string(p.id));
    }
    if (!ids.insert(p.id).second) return bad("bootstrap lists id " + std::to_string(p.id) + " twice");
    if (!addresses.insert(p.address).second) return bad("bootstrap lists address " + p.address + " twice");
    if (p.id == id) {
      if (p.address != address) {
        return bad("bootstrap gives this node (id " + std::to_string(id) + ") address " + p.address + ", options say " +
                   address);
      }
      self_found = true;
    }
  }
  if (!self_found) return bad("bootstrap does not list this node (id " + std::to_string(id) + ")");
  return Status::Ok();
}

}  // namespace gantry::coordinator::raft
