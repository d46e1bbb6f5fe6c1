#include "tests/chaos/net/topology_plan.h"

#include <set>

namespace gantry::chaos::net {
namespace {

bool AllOf(const std::string& s, bool (*ok)(char)) {
  for (char c : s) {
    if (!ok(c)) return false;
  }
  return true;
}
bool LowerOrDigit(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool Hex(char c) { return (c >= 'a' && c <= 'f') || (c >= '0' && c <= '9'); }
bool Lower(char c) { return c >= 'a' && c <= 'z'; }

// Parses a decimal 0..254 without a sign or leading zeros; -1 otherwise.
int ParseSubnet(const std::string& s) {
  if (s.empty() || s.size() > 3 || !AllOf(s, [](char c) { return c >= '0' && c <= '9'; })) return -1;
  if (s.size() > 1 && s[0] == '0') return -1;
  int k = std::stoi(s);
  return k <= 254 ? k : -1;
}

}  // namespace

Status ValidateMemberName(const std::string& member) {
  if (member.empty() || member.size() > 13 || !AllOf(member, LowerOrDigit)) {
    return Status::InvalidArgument("member name \"" + member + "\" must be 1-13 characters of [a-z0-9]");
  }
  return Status::Ok();
}

Status ValidateRunId(const std::string& run_id) {
  if (run_id.empty() || run_id.size() > 8 || !AllOf(run_id, Hex)) {
    return Status::InvalidArgument("run id \"" + run_id + "\" must be 1-8 hex digits");
  }
  return Status::Ok();
}

Status ValidatePrefix(const std::string& prefix) {
  if (prefix.empty() || prefix.size() > 8 || !AllOf(prefix, Lower)) {
    return Status::InvalidArgument("namespace prefix \"" + prefix + "\" must be 1-8 characters of [a-z]");
  }
  return Status::Ok();
}

std::string MemberNamespace(const std::string& prefix, const std::string& run_id, const std::string& member) {
  return prefix + run_id + "-" + member;
}

std::string SwitchNamespace(const std::string& prefix, const std::string& run_id, int subnet) {
  return prefix + run_id + "-sw-" + std::to_string(subnet);
}

std::string PortName(const std::string& member) { return "v-" + member; }

std::string MemberAddress(int subnet, int index) {
  return "10.77." + std::to_string(subnet) + "." + std::to_string(index + 1);
}

std::optional<ParsedName> ParseNamespace(const std::string& prefix, const std::string& name) {
  if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) return std::nullopt;
  std::string rest = name.substr(prefix.size());
  auto dash = rest.find('-');
  ParsedName p;
  p.run_id = rest.substr(0, dash);
  if (dash == std::string::npos) return p;
  std::string tail = rest.substr(dash + 1);
  if (tail.rfind("sw-", 0) == 0) {
    p.subnet = ParseSubnet(tail.substr(3));
    p.is_switch = p.subnet >= 0;
    if (p.is_switch) return p;
  }
  p.member = tail;
  return p;
}

Result<int> ChooseSubnet(const std::vector<std::string>& existing) {
  std::set<int> used;
  for (const auto& name : existing) {
    // Any prefix: a run with another prefix on the same machine counts too.
    auto pos = name.rfind("-sw-");
    if (pos == std::string::npos) continue;
    int k = ParseSubnet(name.substr(pos + 4));
    if (k >= 0) used.insert(k);
  }
  for (int k = 1; k <= 254; ++k) {
    if (!used.count(k)) return k;
  }
  return Status::Unavailable("all 254 chaos subnets 10.77.1-254.0/24 are in use");
}

Result<TopologyScripts> PlanTopology(const std::string& prefix, const std::string& run_id, int subnet,
                                     const std::vector<std::string>& members) {
  GANTRY_RETURN_IF_ERROR(ValidatePrefix(prefix));
  GANTRY_RETURN_IF_ERROR(ValidateRunId(run_id));
  if (subnet < 1 || subnet > 254) return Status::InvalidArgument("subnet must be 1..254");
  if (members.empty()) return Status::InvalidArgument("a topology needs at least one member");
  if (members.size() > static_cast<size_t>(kMaxMembers)) {
    return Status::InvalidArgument("at most " + std::to_string(kMaxMembers) + " members");
  }
  std::set<std::string> seen;
  for (const auto& m : members) {
    GANTRY_RETURN_IF_ERROR(ValidateMemberName(m));
    if (!seen.insert(m).second) return Status::InvalidArgument("member \"" + m + "\" listed twice");
  }

  const std::string sw = SwitchNamespace(prefix, run_id, subnet);
  TopologyScripts s;
  s.root = "netns add " + sw + "\n";
  for (const auto& m : members) s.root += "netns add " + MemberNamespace(prefix, run_id, m) + "\n";
  // Both ends are created directly inside their namespaces, so the names
  // never exist in the root namespace and concurrent runs cannot collide.
  for (const auto& m : members) {
    s.root += "link add " + PortName(m) + " netns " + sw + " type veth peer name " + kMemberLink + " netns " +
              MemberNamespace(prefix, run_id, m) + "\n";
  }
  s.bridge = std::string("link set lo up\nlink add ") + kBridgeName + " type bridge\nlink set " + kBridgeName + " up\n";
  for (const auto& m : members) s.bridge += "link set " + PortName(m) + " master " + kBridgeName + " up\n";
  for (size_t i = 0; i < members.size(); ++i) {
    std::string script = "link set lo up\naddr add " + MemberAddress(subnet, static_cast<int>(i)) + "/24 dev " +
                         kMemberLink + "\nlink set " + kMemberLink + " up\n";
    s.members.emplace_back(MemberNamespace(prefix, run_id, members[i]), script);
  }
  return s;
}

std::string DeleteNamespacesScript(const std::vector<std::string>& namespaces) {
  std::string s;
  for (const auto& ns : namespaces) s += "netns del " + ns + "\n";
  return s;
}

}  // namespace gantry::chaos::net
