#include "tests/chaos/net/faults.h"

#include "tests/chaos/net/command.h"

namespace gantry::chaos::net {
namespace {

Status ValidatePort(const std::string& port) {
  bool ok = !port.empty() && port.size() <= 15;
  for (char c : port) ok = ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-');
  // Quoted into nft source below: the character set keeps it inert.
  if (!ok) return Status::InvalidArgument("bad bridge port name \"" + port + "\"");
  return Status::Ok();
}

std::string Quoted(const std::string& port) { return "\"" + port + "\""; }

// { "v-a", "v-b" }
std::string PortSet(const std::vector<std::string>& ports) {
  std::string s = "{ ";
  for (size_t i = 0; i < ports.size(); ++i) s += (i ? ", " : "") + Quoted(ports[i]);
  return s + " }";
}

std::string Chain(FaultId id) { return "f" + std::to_string(id); }

std::string Rule(FaultId id, const std::string& body) {
  return std::string("add rule bridge ") + kFaultTable + " " + Chain(id) + " " + body + "\n";
}

}  // namespace

Result<std::string> FaultStartScript(FaultId id, const FaultSpec& spec) {
  if (id < 1) return Status::InvalidArgument("fault id must be >= 1");
  for (const auto& p : spec.ports) GANTRY_RETURN_IF_ERROR(ValidatePort(p));
  for (const auto& p : spec.ports_b) GANTRY_RETURN_IF_ERROR(ValidatePort(p));
  const bool partition = spec.kind == FaultKind::kPartition;
  if (!partition && (spec.ports.size() != 1 || !spec.ports_b.empty())) {
    return Status::InvalidArgument("this fault takes exactly one member");
  }
  if (partition) {
    if (spec.ports.empty() || spec.ports_b.empty()) return Status::InvalidArgument("partition groups must not be empty");
    for (const auto& a : spec.ports) {
      for (const auto& b : spec.ports_b) {
        if (a == b) return Status::InvalidArgument("port " + a + " is in both partition groups");
      }
    }
  }
  if (spec.kind == FaultKind::kLoss && (spec.loss_percent < 1 || spec.loss_percent > 100)) {
    return Status::InvalidArgument("loss percent must be 1..100");
  }

  std::string s = std::string("add table bridge ") + kFaultTable + "\n";
  s += std::string("add chain bridge ") + kFaultTable + " " + Chain(id) +
       " { type filter hook forward priority 0; policy accept; }\n";
  switch (spec.kind) {
    case FaultKind::kIsolate:
      s += Rule(id, "iifname " + Quoted(spec.ports[0]) + " drop");
      s += Rule(id, "oifname " + Quoted(spec.ports[0]) + " drop");
      break;
    case FaultKind::kIsolateOneWay:
      s += Rule(id, (spec.direction == Direction::kToMember ? "oifname " : "iifname ") + Quoted(spec.ports[0]) +
                        " drop");
      break;
    case FaultKind::kPartition:
      s += Rule(id, "iifname " + PortSet(spec.ports) + " oifname " + PortSet(spec.ports_b) + " drop");
      s += Rule(id, "iifname " + PortSet(spec.ports_b) + " oifname " + PortSet(spec.ports) + " drop");
      break;
    case FaultKind::kLoss: {
      std::string p = std::to_string(spec.loss_percent);
      s += Rule(id, "iifname " + Quoted(spec.ports[0]) + " numgen random mod 100 < " + p + " drop");
      s += Rule(id, "oifname " + Quoted(spec.ports[0]) + " numgen random mod 100 < " + p + " drop");
      break;
    }
  }
  return s;
}

std::string FaultHealScript(FaultId id) {
  // Deleting a chain drops its rules with it; nothing jumps to it.
  return std::string("delete chain bridge ") + kFaultTable + " " + Chain(id) + "\n";
}

std::string HealAllScript() {
  // "add" first makes the delete succeed when no fault was ever started.
  return std::string("add table bridge ") + kFaultTable + "\ndelete table bridge " + kFaultTable + "\n";
}

std::string DescribeFault(const FaultSpec& spec) {
  auto group = [](const std::vector<std::string>& ports) {
    std::string s = "{";
    for (size_t i = 0; i < ports.size(); ++i) s += (i ? "," : "") + ports[i];
    return s + "}";
  };
  std::string first = spec.ports.empty() ? "" : spec.ports[0];
  switch (spec.kind) {
    case FaultKind::kIsolate:
      return "isolate " + first;
    case FaultKind::kIsolateOneWay:
      return std::string("isolate-one-way ") + (spec.direction == Direction::kToMember ? "to " : "from ") + first;
    case FaultKind::kPartition:
      return "partition " + group(spec.ports) + " | " + group(spec.ports_b);
    case FaultKind::kLoss:
      return "loss " + std::to_string(spec.loss_percent) + "% " + first;
  }
  return "?";
}

NetFaults::NetFaults(const Topology& topology, const Clock* clock)
    : topology_(topology), clock_(clock ? clock : &system_clock_) {}

Result<std::vector<std::string>> NetFaults::Ports(const std::vector<std::string>& members) const {
  std::vector<std::string> ports;
  for (const auto& m : members) {
    GANTRY_ASSIGN_OR_RETURN(std::string p, topology_.PortOf(m));
    ports.push_back(p);
  }
  return ports;
}

Status NetFaults::RunNft(const std::string& script) {
  if (nft_.empty()) {
    GANTRY_ASSIGN_OR_RETURN(nft_, FindTool("nft"));
  }
  std::string sw = topology_.switch_namespace();
  if (sw.empty()) return Status::Unavailable("the topology is not created");
  return RunChecked({topology_.ip_path(), "netns", "exec", sw, nft_, "-f", "-"}, script).status();
}

Result<FaultId> NetFaults::Start(FaultSpec spec) {
  std::lock_guard<std::mutex> lock(mu_);
  FaultId id = next_id_;
  GANTRY_ASSIGN_OR_RETURN(std::string script, FaultStartScript(id, spec));
  GANTRY_RETURN_IF_ERROR(RunNft(script));
  ++next_id_;
  active_.insert(id);
  history_.push_back(FaultRecord{id, DescribeFault(spec), clock_->NowMillis(), -1});
  return id;
}

Result<FaultId> NetFaults::Isolate(const std::string& member) {
  FaultSpec spec{.kind = FaultKind::kIsolate};
  GANTRY_ASSIGN_OR_RETURN(spec.ports, Ports({member}));
  return Start(std::move(spec));
}

Result<FaultId> NetFaults::IsolateOneWay(const std::string& member, Direction direction) {
  FaultSpec spec{.kind = FaultKind::kIsolateOneWay, .direction = direction};
  GANTRY_ASSIGN_OR_RETURN(spec.ports, Ports({member}));
  return Start(std::move(spec));
}

Result<FaultId> NetFaults::Partition(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  FaultSpec spec{.kind = FaultKind::kPartition};
  GANTRY_ASSIGN_OR_RETURN(spec.ports, Ports(a));
  GANTRY_ASSIGN_OR_RETURN(spec.ports_b, Ports(b));
  return Start(std::move(spec));
}

Result<FaultId> NetFaults::Loss(const std::string& member, int percent) {
  FaultSpec spec{.kind = FaultKind::kLoss, .loss_percent = percent};
  GANTRY_ASSIGN_OR_RETURN(spec.ports, Ports({member}));
  return Start(std::move(spec));
}

Status NetFaults::Heal(FaultId id) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!active_.count(id)) return Status::NotFound("fault " + std::to_string(id) + " is not active");
  GANTRY_RETURN_IF_ERROR(RunNft(FaultHealScript(id)));
  active_.erase(id);
  int64_t now = clock_->NowMillis();
  for (auto& r : history_) {
    if (r.id == id) r.stop_ms = now;
  }
  return Status::Ok();
}

Status NetFaults::HealAll() {
  std::lock_guard<std::mutex> lock(mu_);
  GANTRY_RETURN_IF_ERROR(RunNft(HealAllScript()));
  int64_t now = clock_->NowMillis();
  for (auto& r : history_) {
    if (active_.count(r.id)) r.stop_ms = now;
  }
  active_.clear();
  return Status::Ok();
}

std::vector<FaultId> NetFaults::Active() const {
  std::lock_guard<std::mutex> lock(mu_);
  return {active_.begin(), active_.end()};
}

std::vector<FaultRecord> NetFaults::History() const {
  std::lock_guard<std::mutex> lock(mu_);
  return history_;
}

}  // namespace gantry::chaos::net
