// JSON lines for the chaos history. Every record type has a writer and a
// reader here; both name members exactly as history.h's grammar does.
#include "tests/chaos/history.h"

#include <array>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/chaos/record_json.h"

namespace gantry::chaos {
namespace {

using nlohmann::json;

constexpr std::array<const char*, 4> kOpKinds = {"invoke", "ok", "fail", "info"};
constexpr std::array<const char*, 4> kOpNames = {"submit", "cancel", "terminate", "describe"};
constexpr std::array<const char*, 3> kExpects = {"succeed", "fail", "any"};

// Reads the members of one record object; the first error sticks, so a
// reader can read every member and check once.
class Members {
 public:
  Members(const json& j, const char* type) : j_(j), path_(type) {}

  template <class T>
  void Required(const char* name, T& out) {
    if (!status_.ok()) return;
    auto it = j_.find(name);
    if (it == j_.end()) {
      status_ = path_.Error("missing member \"" + std::string(name) + "\"");
      return;
    }
    path_.Push(name);
    status_ = RecordFromJson(*it, out, path_);
    path_.Pop();
  }
  template <class T>
  void Optional(const char* name, std::optional<T>& out) {
    if (!status_.ok()) return;
    auto it = j_.find(name);
    if (it == j_.end() || it->is_null()) return;
    T value{};
    path_.Push(name);
    status_ = RecordFromJson(*it, value, path_);
    path_.Pop();
    if (status_.ok()) out = std::move(value);
  }
  // One of `names`, stored as its index.
  template <class E, size_t N>
  void Named(const char* name, const std::array<const char*, N>& names, E& out) {
    std::string text;
    Required(name, text);
    if (!status_.ok()) return;
    std::string choices;
    for (size_t i = 0; i < N; ++i) {
      if (text == names[i]) {
        out = static_cast<E>(i);
        return;
      }
      choices += (i ? "|" : "") + std::string(names[i]);
    }
    path_.Push(name);
    status_ = path_.Error("must be one of " + choices + ", got \"" + text + "\"");
    path_.Pop();
  }
  // A client id: a string, or an integer read as its decimal text.
  void Process(std::string& out) {
    auto it = j_.find("process");
    if (status_.ok() && it != j_.end() && it->is_number_integer()) {
      out = it->dump();
      return;
    }
    Required("process", out);
  }
  const Status& status() const { return status_; }

 private:
  const json& j_;
  JsonPath path_;
  Status status_;
};

json Typed(const char* type) { return json{{"type", type}}; }

Status ReadClient(const json& j, History& h) {
  ClientOp r;
  Members m(j, "client");
  m.Required("t_ms", r.t_ms);
  m.Process(r.process);
  m.Named("kind", kOpKinds, r.kind);
  m.Named("op", kOpNames, r.op);
  m.Required("client_token", r.client_token);
  m.Optional("job_id", r.job_id);
  if (j.contains("expect") && !j["expect"].is_null()) {
    Expect e{};
    m.Named("expect", kExpects, e);
    r.expect = e;
  }
  m.Optional("error", r.error);
  m.Optional("status", r.status);
  GANTRY_RETURN_IF_ERROR(m.status());
  h.ops.push_back(std::move(r));
  return Status::Ok();
}

Status ReadNemesis(const json& j, History& h) {
  static constexpr std::array<const char*, 2> kKinds = {"fault-start", "fault-stop"};
  NemesisEvent r;
  Members m(j, "nemesis");
  size_t kind = 0;
  m.Required("t_ms", r.t_ms);
  m.Named("kind", kKinds, kind);
  m.Required("fault", r.fault);
  m.Required("target", r.target);
  m.Required("detail", r.detail);
  GANTRY_RETURN_IF_ERROR(m.status());
  r.start = kind == 0;
  h.nemesis.push_back(std::move(r));
  return Status::Ok();
}

Status ReadRun(const json& j, History& h) {
  static constexpr std::array<const char*, 2> kEvents = {"start", "end"};
  RunRecord r;
  Members m(j, "run");
  size_t event = 0;
  m.Required("t_ms", r.t_ms);
  m.Required("node", r.node);
  m.Required("job_id", r.job_id);
  m.Required("attempt_number", r.attempt_number);
  m.Optional("fencing_token", r.fencing_token);
  m.Named("event", kEvents, event);
  m.Optional("exit", r.exit);
  GANTRY_RETURN_IF_ERROR(m.status());
  r.start = event == 0;
  h.runs.push_back(std::move(r));
  return Status::Ok();
}

Status ReadFinalJob(const json& j, History& h) {
  FinalJob r;
  Members m(j, "final-job");
  std::optional<std::string> token;
  m.Optional("client_token", token);
  m.Required("job", r.job);
  GANTRY_RETURN_IF_ERROR(m.status());
  r.client_token = token.value_or("");
  h.final_jobs.push_back(std::move(r));
  return Status::Ok();
}

Status ReadProbe(const json& j, History& h) {
  NodeProbe r;
  Members m(j, "node-probe");
  m.Required("node", r.node);
  m.Required("scratch_entries", r.scratch_entries);
  m.Required("mounts", r.mounts);
  m.Required("loop_devices", r.loop_devices);
  m.Required("cgroups", r.cgroups);
  GANTRY_RETURN_IF_ERROR(m.status());
  h.probes.push_back(std::move(r));
  return Status::Ok();
}

Status ReadDigest(const json& j, History& h) {
  ReplicaDigest r;
  Members m(j, "replica-digest");
  m.Required("replica", r.replica);
  m.Required("applied_index", r.applied_index);
  m.Required("digest", r.digest);
  GANTRY_RETURN_IF_ERROR(m.status());
  h.digests.push_back(std::move(r));
  return Status::Ok();
}

Status ReadCrash(const json& j, History& h) {
  CrashRecord r;
  Members m(j, "crash");
  m.Required("process", r.process);
  m.Required("exit_status", r.exit_status);
  m.Required("expected", r.expected);
  GANTRY_RETURN_IF_ERROR(m.status());
  h.crashes.push_back(std::move(r));
  return Status::Ok();
}

Status ReadCapacity(const json& j, History& h) {
  CapacitySample r;
  Members m(j, "capacity");
  m.Required("t_ms", r.t_ms);
  m.Required("node", r.node);
  m.Required("advertised", r.advertised);
  m.Required("reserved", r.reserved);
  GANTRY_RETURN_IF_ERROR(m.status());
  h.capacity.push_back(std::move(r));
  return Status::Ok();
}

Status ReadRecord(const json& j, History& h) {
  if (!j.is_object()) return Status::InvalidArgument("expected a JSON object, got " + JsonTypeName(j));
  auto type = j.find("type");
  if (type == j.end() || !type->is_string()) return Status::InvalidArgument("missing string member \"type\"");
  const std::string& t = type->get_ref<const std::string&>();
  if (t == "client") return ReadClient(j, h);
  if (t == "nemesis") return ReadNemesis(j, h);
  if (t == "run") return ReadRun(j, h);
  if (t == "final-job") return ReadFinalJob(j, h);
  if (t == "node-probe") return ReadProbe(j, h);
  if (t == "replica-digest") return ReadDigest(j, h);
  if (t == "crash") return ReadCrash(j, h);
  if (t == "capacity") return ReadCapacity(j, h);
  return Status::InvalidArgument("unknown record type \"" + t + "\"");
}

}  // namespace

const char* OpKindName(OpKind k) { return kOpKinds.at(static_cast<size_t>(k)); }
const char* OpNameName(OpName o) { return kOpNames.at(static_cast<size_t>(o)); }
const char* ExpectName(Expect e) { return kExpects.at(static_cast<size_t>(e)); }

json ToJson(const ClientOp& r) {
  json j = Typed("client");
  j["t_ms"] = r.t_ms;
  j["process"] = r.process;
  j["kind"] = OpKindName(r.kind);
  j["op"] = OpNameName(r.op);
  j["client_token"] = r.client_token;
  if (r.job_id) j["job_id"] = *r.job_id;
  if (r.expect) j["expect"] = ExpectName(*r.expect);
  if (r.error) j["error"] = *r.error;
  if (r.status) j["status"] = protocol::EnumName(*r.status);
  return j;
}

json ToJson(const NemesisEvent& r) {
  json j = Typed("nemesis");
  j["t_ms"] = r.t_ms;
  j["kind"] = r.start ? "fault-start" : "fault-stop";
  j["fault"] = r.fault;
  j["target"] = r.target;
  j["detail"] = r.detail;
  return j;
}

json ToJson(const RunRecord& r) {
  json j = Typed("run");
  j["t_ms"] = r.t_ms;
  j["node"] = r.node;
  j["job_id"] = r.job_id;
  j["attempt_number"] = r.attempt_number;
  if (r.fencing_token) j["fencing_token"] = *r.fencing_token;
  j["event"] = r.start ? "start" : "end";
  if (r.exit) j["exit"] = *r.exit;
  return j;
}

json ToJson(const FinalJob& r) {
  json j = Typed("final-job");
  if (!r.client_token.empty()) j["client_token"] = r.client_token;
  j["job"] = RecordToJson(r.job);
  return j;
}

json ToJson(const NodeProbe& r) {
  json j = Typed("node-probe");
  j["node"] = r.node;
  j["scratch_entries"] = r.scratch_entries;
  j["mounts"] = r.mounts;
  j["loop_devices"] = r.loop_devices;
  j["cgroups"] = r.cgroups;
  return j;
}

json ToJson(const ReplicaDigest& r) {
  json j = Typed("replica-digest");
  j["replica"] = r.replica;
  j["applied_index"] = r.applied_index;
  j["digest"] = r.digest;
  return j;
}

json ToJson(const CrashRecord& r) {
  json j = Typed("crash");
  j["process"] = r.process;
  j["exit_status"] = r.exit_status;
  j["expected"] = r.expected;
  return j;
}

json ToJson(const CapacitySample& r) {
  json j = Typed("capacity");
  j["t_ms"] = r.t_ms;
  j["node"] = r.node;
  j["advertised"] = RecordToJson(r.advertised);
  j["reserved"] = RecordToJson(r.reserved);
  return j;
}

std::string DumpLine(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

Status AppendLine(std::string_view line, History& history) {
  if (line.find_first_not_of(" \t\r") == std::string_view::npos) return Status::Ok();
  // The readers check every type before reading it; the catch is for the
  // parser, and keeps a library surprise from escaping all the same.
  try {
    const json j = json::parse(line);
    return ReadRecord(j, history);
  } catch (const json::parse_error& e) {
    return Status::InvalidArgument(std::string("not valid JSON: ") + e.what());
  } catch (const json::exception& e) {
    return Status::InvalidArgument(e.what());
  }
}

Result<History> ParseHistory(std::string_view text) {
  History history;
  size_t line_number = 0;
  while (!text.empty()) {
    ++line_number;
    const size_t end = text.find('\n');
    const std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    Status s = AppendLine(line, history);
    if (!s.ok()) return Status::InvalidArgument("line " + std::to_string(line_number) + ": " + s.message());
  }
  return history;
}

std::string FormatHistory(const History& h) {
  std::string out;
  auto add = [&out](const auto& records) {
    for (const auto& r : records) out += ToJsonLine(r) + "\n";
  };
  add(h.ops);
  add(h.nemesis);
  add(h.runs);
  add(h.final_jobs);
  add(h.probes);
  add(h.digests);
  add(h.crashes);
  add(h.capacity);
  return out;
}

Result<History> ReadHistoryFile(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return Status::NotFound("no history file " + path);
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot read history file " + path);
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Status::NotFound("cannot read history file " + path);
  Result<History> h = ParseHistory(text.str());
  if (!h.ok()) return h.status().WithContext(path);
  return h;
}

}  // namespace gantry::chaos
