#include "coordinator/state/cluster_state.h"

#include <cmath>
#include <cstdio>

#include "protocol/codec.h"

namespace gantry::coordinator {
namespace {

using protocol::DecodeLimits;

std::string RevisionKey(const std::string& name, uint32_t rev) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%010u", rev);
  return "jd/" + name + "/" + buf;
}

template <class T>
Status LoadPrefix(const StateStore& store, std::string_view prefix, const char* what,
                  const std::function<void(T&&)>& put) {
  Status decode_error;
  Status scan = store.Scan(prefix, [&](std::string_view key, std::string_view value) {
    auto rec = protocol::Decode<T>(value, what, DecodeLimits::Internal());
    if (!rec.ok()) {
      decode_error = Status::Corruption("load " + std::string(key), rec.status().message());
      return false;
    }
    put(std::move(rec).value());
    return true;
  });
  GANTRY_RETURN_IF_ERROR(scan);
  return decode_error;
}

void Add(protocol::NodeCapacity& c, const protocol::Resources& r) {
  c.vcpus += r.vcpus;
  c.memoryMib += r.memoryMib;
  c.diskMib += r.diskMib;
}

void Sub(protocol::NodeCapacity& c, const protocol::Resources& r) {
  c.vcpus -= std::min(c.vcpus, r.vcpus);
  c.memoryMib -= std::min(c.memoryMib, r.memoryMib);
  c.diskMib -= std::min(c.diskMib, r.diskMib);
}

bool IsLive(protocol::JobStatus s) {
  return s == protocol::JobStatus::kStarting || s == protocol::JobStatus::kRunning;
}

}  // namespace

protocol::NodeCapacity NodeRecord::Free() const {
  protocol::NodeCapacity f = node.capacity;
  f.vcpus -= std::min(f.vcpus, reserved.vcpus);
  f.memoryMib -= std::min(f.memoryMib, reserved.memoryMib);
  f.diskMib -= std::min(f.diskMib, reserved.diskMib);
  return f;
}

double ShareUsage::DecayedTo(int64_t now, uint32_t decay_seconds) const {
  if (decay_seconds == 0) return 0;
  const double elapsed_s = static_cast<double>(std::max<int64_t>(0, now - at)) / 1000.0;
  return vcpuSeconds * std::exp(-elapsed_s / decay_seconds);
}

const protocol::Attempt* LiveAttempt(const protocol::Job& job) {
  if (!IsLive(job.status) || job.attempts.empty()) return nullptr;
  return &job.attempts.back();
}

Result<ClusterState> ClusterState::Load(const StateStore& store) {
  ClusterState s;
  auto applied = store.Get("m/applied");
  if (applied.ok()) {
    s.applied_index_ = std::strtoull(applied->c_str(), nullptr, 10);
  } else if (applied.status().code() != StatusCode::kNotFound) {
    return applied.status();
  }
  // The jobs with the highest sequences may have been purged: m/seq keeps
  // the counter a replica reached, so a reloaded one hands out the same
  // sequences as one that never restarted.
  auto next_sequence = store.Get("m/seq");
  if (next_sequence.ok()) {
    s.next_sequence_ = std::max<uint64_t>(s.next_sequence_, std::strtoull(next_sequence->c_str(), nullptr, 10));
  } else if (next_sequence.status().code() != StatusCode::kNotFound) {
    return next_sequence.status();
  }
  GANTRY_RETURN_IF_ERROR(LoadPrefix<protocol::ComputeEnvironment>(
      store, "ce/", "ComputeEnvironment", [&](auto&& ce) { s.ces_[ce.computeEnvironmentName] = ce; }));
  GANTRY_RETURN_IF_ERROR(LoadPrefix<protocol::JobQueue>(
      store, "jq/", "JobQueue", [&](auto&& q) { s.queues_[q.jobQueueName] = q; }));
  GANTRY_RETURN_IF_ERROR(LoadPrefix<protocol::JobDefinition>(
      store, "jd/", "JobDefinition", [&](auto&& d) { s.defs_[d.jobDefinitionName][d.revision] = d; }));
  GANTRY_RETURN_IF_ERROR(LoadPrefix<protocol::Node>(
      store, "node/", "Node", [&](auto&& n) { s.nodes_[n.nodeId].node = n; }));
  GANTRY_RETURN_IF_ERROR(LoadPrefix<protocol::Job>(store, "job/", "Job", [&](auto&& j) {
    s.next_sequence_ = std::max(s.next_sequence_, j.sequence + 1);
    std::string id = j.jobId;
    auto [it, _] = s.jobs_.insert_or_assign(std::move(id), std::move(j));
    s.Index(it->second);
  }));
  GANTRY_RETURN_IF_ERROR(LoadPrefix<protocol::SchedulingPolicy>(
      store, "sp/", "SchedulingPolicy", [&](auto&& p) { s.policies_[p.name] = p; }));
  Status scan = store.Scan("tok/", [&](std::string_view key, std::string_view value) {
    s.client_tokens_.emplace(std::string(key.substr(4)), std::string(value));
    s.token_of_job_.emplace(std::string(value), std::string(key.substr(4)));
    return true;
  });
  GANTRY_RETURN_IF_ERROR(scan);
  Status decode_error;
  scan = store.Scan("su/", [&](std::string_view key, std::string_view value) {
    // su/<queue>/<share>: names hold no '/'.
    std::string_view rest = key.substr(3);
    const size_t slash = rest.find('/');
    auto rec = protocol::Decode<ShareUsage>(value, "ShareUsage", DecodeLimits::Internal());
    if (slash == std::string_view::npos || !rec.ok()) {
      decode_error = Status::Corruption("load " + std::string(key), rec.ok() ? "bad key" : rec.status().message());
      return false;
    }
    s.share_usage_[std::string(rest.substr(0, slash))][std::string(rest.substr(slash + 1))] = *rec;
    return true;
  });
  GANTRY_RETURN_IF_ERROR(scan);
  GANTRY_RETURN_IF_ERROR(decode_error);
  return s;
}

const protocol::ComputeEnvironment* ClusterState::FindComputeEnvironment(const std::string& name) const {
  auto it = ces_.find(name);
  return it == ces_.end() ? nullptr : &it->second;
}

const protocol::JobQueue* ClusterState::FindJobQueue(const std::string& name) const {
  auto it = queues_.find(name);
  return it == queues_.end() ? nullptr : &it->second;
}

Result<const protocol::JobDefinition*> ClusterState::ResolveJobDefinition(const std::string& ref) const {
  std::string name = ref;
  std::optional<uint32_t> revision;
  if (auto colon = ref.rfind(':'); colon != std::string::npos) {
    name = ref.substr(0, colon);
    std::string rev = ref.substr(colon + 1);
    char* end = nullptr;
    unsigned long v = std::strtoul(rev.c_str(), &end, 10);
    if (rev.empty() || *end != '\0' || v == 0 || v > UINT32_MAX) {
      return Status::InvalidArgument("job definition \"" + ref.substr(0, 200) +
                                     "\": revision must be a positive number");
    }
    revision = static_cast<uint32_t>(v);
  }
  auto it = defs_.find(name);
  if (it == defs_.end()) return Status::NotFound("job definition " + name.substr(0, 200) + " not found");
  if (revision) {
    auto r = it->second.find(*revision);
    if (r == it->second.end()) return Status::NotFound("job definition " + ref.substr(0, 200) + " not found");
    return &r->second;
  }
  for (auto r = it->second.rbegin(); r != it->second.rend(); ++r) {
    if (r->second.status == "ACTIVE") return &r->second;
  }
  return Status::NotFound("job definition " + name + " has no ACTIVE revision");
}

const protocol::SchedulingPolicy* ClusterState::FindSchedulingPolicy(const std::string& ref) const {
  auto it = policies_.find(protocol::SchedulingPolicyName(ref));
  return it == policies_.end() ? nullptr : &it->second;
}

const protocol::SchedulingPolicy* ClusterState::PolicyOf(const protocol::JobQueue& q) const {
  return q.schedulingPolicyArn ? FindSchedulingPolicy(*q.schedulingPolicyArn) : nullptr;
}

const std::set<std::string>* ClusterState::DependentsOf(const std::string& id) const {
  auto it = dependents_.find(id);
  return it == dependents_.end() ? nullptr : &it->second;
}

StatusCounts ClusterState::ArrayCounts(const std::string& parent_id) const {
  auto it = array_counts_.find(parent_id);
  return it == array_counts_.end() ? StatusCounts{} : it->second;
}

size_t ClusterState::ActiveJobs(const std::string& queue) const {
  auto it = active_by_queue_.find(queue);
  return it == active_by_queue_.end() ? 0 : it->second;
}

const protocol::Job* ClusterState::FindJob(const std::string& id) const {
  auto it = jobs_.find(id);
  return it == jobs_.end() ? nullptr : &it->second;
}

const protocol::Job* ClusterState::FindJobByAttempt(const std::string& attempt_id) const {
  auto it = attempt_to_job_.find(attempt_id);
  return it == attempt_to_job_.end() ? nullptr : FindJob(it->second);
}

const NodeRecord* ClusterState::FindNode(const std::string& id) const {
  auto it = nodes_.find(id);
  return it == nodes_.end() ? nullptr : &it->second;
}

std::optional<std::string> ClusterState::FindJobByClientToken(const std::string& token) const {
  auto it = client_tokens_.find(token);
  if (it == client_tokens_.end()) return std::nullopt;
  return it->second;
}

uint32_t ClusterState::UsedVcpus(const std::string& ce) const {
  auto it = ce_used_vcpus_.find(ce);
  return it == ce_used_vcpus_.end() ? 0 : it->second;
}

void ClusterState::PutComputeEnvironment(const protocol::ComputeEnvironment& ce, WriteBatch& batch) {
  ces_[ce.computeEnvironmentName] = ce;
  batch.Put("ce/" + ce.computeEnvironmentName, protocol::Encode(ce));
}

void ClusterState::PutJobQueue(const protocol::JobQueue& q, WriteBatch& batch) {
  queues_[q.jobQueueName] = q;
  batch.Put("jq/" + q.jobQueueName, protocol::Encode(q));
}

void ClusterState::PutJobDefinition(const protocol::JobDefinition& d, WriteBatch& batch) {
  defs_[d.jobDefinitionName][d.revision] = d;
  batch.Put(RevisionKey(d.jobDefinitionName, d.revision), protocol::Encode(d));
}

void ClusterState::PutNode(const protocol::Node& n, WriteBatch& batch) {
  nodes_[n.nodeId].node = n;
  batch.Put("node/" + n.nodeId, protocol::Encode(n));
}

void ClusterState::PutClientToken(const std::string& token, const std::string& job_id, WriteBatch& batch) {
  client_tokens_[token] = job_id;
  token_of_job_[job_id] = token;
  batch.Put("tok/" + token, job_id);
}

void ClusterState::RemoveJob(const std::string& id, WriteBatch& batch) {
  auto it = jobs_.find(id);
  if (it == jobs_.end()) return;
  Unindex(it->second);
  for (const auto& a : it->second.attempts) attempt_to_job_.erase(a.attemptId);
  if (auto q = by_queue_.find(it->second.jobQueue); q != by_queue_.end()) {
    q->second.erase(it->second.sequence);
    if (q->second.empty()) by_queue_.erase(q);
  }
  array_counts_.erase(id);
  if (auto t = token_of_job_.find(id); t != token_of_job_.end()) {
    client_tokens_.erase(t->second);
    batch.Delete("tok/" + t->second);
    token_of_job_.erase(t);
  }
  batch.Delete("job/" + id);
  batch.Put("m/seq", std::to_string(next_sequence_));
  jobs_.erase(it);
}

void ClusterState::DeleteJobQueue(const std::string& name, WriteBatch& batch) {
  queues_.erase(name);
  // A queue created later under the same name starts with no usage.
  if (auto u = share_usage_.find(name); u != share_usage_.end()) {
    for (const auto& [share, _] : u->second) batch.Delete("su/" + name + "/" + share);
    share_usage_.erase(u);
  }
  batch.Delete("jq/" + name);
}

void ClusterState::DeleteComputeEnvironment(const std::string& name, WriteBatch& batch) {
  ces_.erase(name);
  batch.Delete("ce/" + name);
}

void ClusterState::PutSchedulingPolicy(const protocol::SchedulingPolicy& p, WriteBatch& batch) {
  policies_[p.name] = p;
  batch.Put("sp/" + p.name, protocol::Encode(p));
}

void ClusterState::DeleteSchedulingPolicy(const std::string& name, WriteBatch& batch) {
  policies_.erase(name);
  batch.Delete("sp/" + name);
}

void ClusterState::AddShareUsage(const std::string& queue, const std::string& share, double vcpu_seconds,
                                 int64_t at, uint32_t decay_seconds, WriteBatch& batch) {
  ShareUsage& u = share_usage_[queue][share];
  u.vcpuSeconds = u.DecayedTo(at, decay_seconds) + vcpu_seconds;
  u.at = at;
  batch.Put("su/" + queue + "/" + share, protocol::Encode(u));
}

void ClusterState::SetAppliedIndex(uint64_t index, WriteBatch& batch) {
  applied_index_ = index;
  batch.Put("m/applied", std::to_string(index));
}

namespace {

// The parent of an array child: the id before ':'.
std::string ParentOf(const protocol::Job& job) { return job.jobId.substr(0, job.jobId.find(':')); }

}  // namespace

void ClusterState::Unindex(const protocol::Job& job) {
  if (job.IsArrayChild()) {
    // find, not []: a child removed after its parent must not bring back
    // the parent's (erased) counts.
    if (auto c = array_counts_.find(ParentOf(job)); c != array_counts_.end()) {
      uint32_t& n = c->second[static_cast<size_t>(job.status)];
      n -= std::min<uint32_t>(n, 1);
    }
  } else if (protocol::IsTerminal(job.status)) {
    finished_.erase({job.stoppedAt.value_or(job.createdAt), job.jobId});
  } else if (auto q = active_by_queue_.find(job.jobQueue); q != active_by_queue_.end()) {
    if (--q->second == 0) active_by_queue_.erase(q);
  }
  if (job.status == protocol::JobStatus::kPending && !job.IsArrayParent()) {
    for (const auto& d : job.dependsOn) {
      auto it = dependents_.find(d.jobId);
      if (it == dependents_.end()) continue;
      it->second.erase(job.jobId);
      if (it->second.empty()) dependents_.erase(it);
    }
  }
  if (job.status == protocol::JobStatus::kRunnable) {
    auto it = runnable_.find(job.jobQueue);
    if (it != runnable_.end()) {
      it->second.erase(job.sequence);
      if (it->second.empty()) runnable_.erase(it);
    }
  }
  if (const protocol::Attempt* a = LiveAttempt(job)) {
    auto n = nodes_.find(a->node);
    if (n != nodes_.end()) {
      Sub(n->second.reserved, job.resources);
      n->second.live_attempts.erase(a->attemptId);
    }
    auto& used = ce_used_vcpus_[a->computeEnvironment];
    used -= std::min(used, job.resources.vcpus);
    if (job.shareIdentifier) {
      // Entries at zero go, so the index equals one rebuilt by Load.
      auto& shares = share_running_[job.jobQueue];
      auto share = shares.find(*job.shareIdentifier);
      if (share != shares.end()) {
        share->second -= std::min(share->second, job.resources.vcpus);
        if (share->second == 0) shares.erase(share);
      }
      if (shares.empty()) share_running_.erase(job.jobQueue);
    }
  }
}

void ClusterState::Index(const protocol::Job& job) {
  if (job.IsArrayChild()) {
    array_counts_[ParentOf(job)][static_cast<size_t>(job.status)]++;
  } else {
    by_queue_[job.jobQueue][job.sequence] = job.jobId;
    if (protocol::IsTerminal(job.status)) {
      finished_.insert({job.stoppedAt.value_or(job.createdAt), job.jobId});
    } else {
      active_by_queue_[job.jobQueue]++;
    }
  }
  if (job.status == protocol::JobStatus::kPending && !job.IsArrayParent()) {
    for (const auto& d : job.dependsOn) {
      if (!d.jobId.empty()) dependents_[d.jobId].insert(job.jobId);
    }
  }
  for (const auto& a : job.attempts) attempt_to_job_[a.attemptId] = job.jobId;
  if (job.status == protocol::JobStatus::kRunnable) runnable_[job.jobQueue][job.sequence] = &job;
  if (const protocol::Attempt* a = LiveAttempt(job)) {
    // A job may name a node that has not re-registered since a restart; the
    // reservation is kept so the node is not overcommitted when it returns.
    NodeRecord& n = nodes_[a->node];
    if (n.node.nodeId.empty()) n.node.nodeId = a->node;
    Add(n.reserved, job.resources);
    n.live_attempts.insert(a->attemptId);
    ce_used_vcpus_[a->computeEnvironment] += job.resources.vcpus;
    if (job.shareIdentifier) share_running_[job.jobQueue][*job.shareIdentifier] += job.resources.vcpus;
  }
}

void ClusterState::PutJob(protocol::Job job, WriteBatch& batch) {
  batch.Put("job/" + job.jobId, protocol::Encode(job));
  // Indexes point at the stored record (unordered_map keeps it in place).
  auto it = jobs_.find(job.jobId);
  if (it != jobs_.end()) {
    Unindex(it->second);
    it->second = std::move(job);
  } else {
    std::string id = job.jobId;
    it = jobs_.emplace(std::move(id), std::move(job)).first;
  }
  Index(it->second);
}

namespace {

// FNV-1a, 64 bits: stable across builds and machines, which std::hash is not.
class Fnv {
 public:
  void Add(std::string_view bytes) {
    for (unsigned char c : bytes) h_ = (h_ ^ c) * 1099511628211ULL;
    // A separator, so that ("ab", "c") and ("a", "bc") differ.
    h_ = (h_ ^ 0xff) * 1099511628211ULL;
  }
  template <class T>
  void AddRecord(const T& record) {
    Add(protocol::Encode(record));
  }
  uint64_t value() const { return h_; }
  std::string Hex() const {
    char buf[17];
    std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(h_));
    return buf;
  }

 private:
  uint64_t h_ = 1469598103934665603ULL;
};

}  // namespace

std::string ClusterState::Digest() const {
  Fnv f;
  f.Add(std::to_string(applied_index()));
  for (const auto& [_, ce] : ces_) f.AddRecord(ce);
  for (const auto& [_, q] : queues_) f.AddRecord(q);
  for (const auto& [_, revisions] : defs_) {
    for (const auto& [__, d] : revisions) f.AddRecord(d);
  }
  for (const auto& [_, p] : policies_) f.AddRecord(p);
  for (const auto& [id, n] : nodes_) {
    f.AddRecord(n.node);
    for (const auto& a : n.live_attempts) f.Add(a);
  }
  for (const auto& [queue, jobs] : share_usage_) {
    for (const auto& [share, usage] : jobs) {
      f.Add(queue + "/" + share);
      f.AddRecord(usage);
    }
  }
  // Jobs and tokens live in hash maps: their hashes are summed, which no
  // order changes.
  uint64_t jobs = 0;
  for (const auto& [_, j] : jobs_) {
    Fnv g;
    g.AddRecord(j);
    jobs += g.value();
  }
  uint64_t tokens = 0;
  for (const auto& [token, id] : client_tokens_) {
    Fnv g;
    g.Add(token);
    g.Add(id);
    tokens += g.value();
  }
  f.Add(std::to_string(jobs_.size()) + "/" + std::to_string(jobs) + "/" + std::to_string(tokens));
  return f.Hex();
}

}  // namespace gantry::coordinator
