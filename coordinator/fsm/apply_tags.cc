// Apply handlers for TagResource and UntagResource, and the lookup of one
// resource's tags that ListTagsForResource answers from.
//
// Tags are metadata: nothing in scheduling reads them, so a change never
// asks for a scheduler pass, and a job takes them in any status (AWS lets
// a finished job be tagged too). A job definition's tags belong to the one
// revision named, as its ARN does. Tagging an array parent tags the parent
// only: its children took the submitted tags when they were created.
// Tags that end up empty are stored as absent, so a record tagged and
// untagged again encodes as it did before.
#include <charconv>

#include "coordinator/fsm/fsm.h"

namespace gantry::coordinator {
namespace {

using protocol::ResourceKind;
using protocol::ResourceRef;
using protocol::Tags;

const char* KindText(ResourceKind kind) {
  switch (kind) {
    case ResourceKind::kComputeEnvironment: return "compute environment";
    case ResourceKind::kJobQueue: return "job queue";
    case ResourceKind::kJobDefinition: return "job definition";
    case ResourceKind::kJob: return "job";
    case ResourceKind::kSchedulingPolicy: return "scheduling policy";
  }
  return "resource";
}

Status NotFound(const ResourceRef& ref) {
  return Status::NotFound(std::string(KindText(ref.kind)) + " " + ref.id + " not found");
}

// The revision "name:rev" names, or null. A revision too large for any
// definition to have is simply not found.
const protocol::JobDefinition* FindRevision(const ClusterState& s, const std::string& id) {
  const size_t colon = id.rfind(':');
  if (colon == std::string::npos) return nullptr;
  uint32_t revision = 0;
  const char* end = id.data() + id.size();
  auto [ptr, ec] = std::from_chars(id.data() + colon + 1, end, revision);
  if (ec != std::errc() || ptr != end) return nullptr;
  auto def = s.job_definitions().find(id.substr(0, colon));
  if (def == s.job_definitions().end()) return nullptr;
  auto rev = def->second.find(revision);
  return rev == def->second.end() ? nullptr : &rev->second;
}

// Turns a resource's current tags into its new ones, or refuses.
using TagEdit = Result<Tags> (*)(const Command& c, Tags current);

// Copies the record `found` (kNotFound when null), gives it the tags `edit`
// makes of its current ones and stores it with `put`.
template <class Record, class Put>
Status Retag(const Record* found, const Command& c, const ResourceRef& ref, TagEdit edit, Put&& put) {
  if (!found) return NotFound(ref);
  Record copy = *found;
  GANTRY_ASSIGN_OR_RETURN(Tags tags, edit(c, copy.tags.value_or(Tags{})));
  copy.tags = tags.empty() ? std::nullopt : std::optional<Tags>(std::move(tags));
  put(std::move(copy));
  return Status::Ok();
}

Status EditTags(ClusterState& s, const Command& c, const ResourceRef& ref, TagEdit edit, WriteBatch& batch) {
  GANTRY_RETURN_IF_ERROR(ref.Validate());
  switch (ref.kind) {
    case ResourceKind::kComputeEnvironment:
      return Retag(s.FindComputeEnvironment(ref.id), c, ref, edit,
                   [&](protocol::ComputeEnvironment ce) { s.PutComputeEnvironment(ce, batch); });
    case ResourceKind::kJobQueue:
      return Retag(s.FindJobQueue(ref.id), c, ref, edit, [&](protocol::JobQueue q) { s.PutJobQueue(q, batch); });
    case ResourceKind::kJobDefinition:
      return Retag(FindRevision(s, ref.id), c, ref, edit,
                   [&](protocol::JobDefinition d) { s.PutJobDefinition(d, batch); });
    case ResourceKind::kJob:
      return Retag(s.FindJob(ref.id), c, ref, edit, [&](protocol::Job j) { s.PutJob(std::move(j), batch); });
    case ResourceKind::kSchedulingPolicy:
      return Retag(s.FindSchedulingPolicy(ref.id), c, ref, edit,
                   [&](protocol::SchedulingPolicy p) { s.PutSchedulingPolicy(p, batch); });
  }
  return Status::InvalidArgument("unknown resource kind");
}

// New values replace old ones; the result must stay within AWS's limit.
Result<Tags> MergeTags(const Command& c, Tags current) {
  const protocol::TagResourceRequest& req = *c.tagResource;
  for (const auto& [key, value] : req.tags) current[key] = value;
  if (current.size() > protocol::kMaxTags) {
    return Status::InvalidArgument(std::string(KindText(req.resource.kind)) + " " + req.resource.id +
                                   " would have more than " + std::to_string(protocol::kMaxTags) + " tags");
  }
  return current;
}

// Keys the resource does not have are no error, as AWS.
Result<Tags> RemoveTags(const Command& c, Tags current) {
  for (const std::string& key : c.untagResource->tagKeys) current.erase(key);
  return current;
}

}  // namespace

Result<protocol::Tags> ResourceTags(const ClusterState& s, const ResourceRef& ref) {
  GANTRY_RETURN_IF_ERROR(ref.Validate());
  const std::optional<Tags>* tags = nullptr;
  switch (ref.kind) {
    case ResourceKind::kComputeEnvironment:
      if (const auto* ce = s.FindComputeEnvironment(ref.id)) tags = &ce->tags;
      break;
    case ResourceKind::kJobQueue:
      if (const auto* q = s.FindJobQueue(ref.id)) tags = &q->tags;
      break;
    case ResourceKind::kJobDefinition:
      if (const auto* d = FindRevision(s, ref.id)) tags = &d->tags;
      break;
    case ResourceKind::kJob:
      if (const auto* j = s.FindJob(ref.id)) tags = &j->tags;
      break;
    case ResourceKind::kSchedulingPolicy:
      if (const auto* p = s.FindSchedulingPolicy(ref.id)) tags = &p->tags;
      break;
  }
  if (!tags) return NotFound(ref);
  return tags->value_or(Tags{});
}

Result<ApplyResult> Fsm::TagResource(const Command& c, WriteBatch& batch) {
  GANTRY_RETURN_IF_ERROR(c.tagResource->Validate());
  GANTRY_RETURN_IF_ERROR(EditTags(*state_, c, c.tagResource->resource, &MergeTags, batch));
  ApplyResult r;
  r.name = c.tagResource->resource.id;
  return r;
}

Result<ApplyResult> Fsm::UntagResource(const Command& c, WriteBatch& batch) {
  GANTRY_RETURN_IF_ERROR(c.untagResource->Validate());
  GANTRY_RETURN_IF_ERROR(EditTags(*state_, c, c.untagResource->resource, &RemoveTags, batch));
  ApplyResult r;
  r.name = c.untagResource->resource.id;
  return r;
}

}  // namespace gantry::coordinator
