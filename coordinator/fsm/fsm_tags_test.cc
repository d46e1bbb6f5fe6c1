// Tests for apply_tags.cc and for tags and submittedBy elsewhere in the FSM:
// TagResource and UntagResource on every kind of resource, the lookup
// ListTagsForResource answers from, tags kept through creates, updates and
// job transitions, and SubmitJob copying them onto the job and its children.
#include <gtest/gtest.h>

#include "coordinator/fsm/fsm_jobs_fixture.h"

namespace gantry::coordinator::testing {
namespace {

using protocol::JobStatus;
using protocol::ResourceKind;
using protocol::ResourceRef;
using protocol::Tags;

class FsmTagsTest : public FsmJobsTest {
 protected:
  static Command Tag(ResourceKind kind, const std::string& id, Tags tags) {
    Command c{CommandType::kTagResource};
    c.tagResource.emplace();
    c.tagResource->resource.kind = kind;
    c.tagResource->resource.id = id;
    c.tagResource->tags = std::move(tags);
    return c;
  }
  static Command Untag(ResourceKind kind, const std::string& id, std::vector<std::string> keys) {
    Command c{CommandType::kUntagResource};
    c.untagResource.emplace();
    c.untagResource->resource.kind = kind;
    c.untagResource->resource.id = id;
    c.untagResource->tagKeys = std::move(keys);
    return c;
  }
  static Command PolicyCmd(CommandType type, const std::string& name, uint32_t decay_seconds = 0) {
    Command c{type};
    c.schedulingPolicy = protocol::SchedulingPolicy{};
    c.schedulingPolicy->name = name;
    c.schedulingPolicy->fairsharePolicy.shareDecaySeconds = decay_seconds;
    return c;
  }
  Tags TagsOf(ResourceKind kind, const std::string& id) {
    Result<Tags> tags = ResourceTags(state_, ResourceRef{kind, id});
    EXPECT_TRUE(tags.ok()) << tags.status().ToString();
    return tags.ok() ? *tags : Tags{{"lookup", "failed"}};
  }
  // Basics() and scheduling policy "fs".
  void AllKinds() {
    Basics();
    MustRun(PolicyCmd(CommandType::kCreateSchedulingPolicy, "fs"));
  }
};

// One resource of every kind, as AllKinds() and Submit("j1") make them.
const std::vector<ResourceRef>& EveryKind() {
  static const std::vector<ResourceRef> kRefs = {{ResourceKind::kComputeEnvironment, "ce"},
                                                 {ResourceKind::kJobQueue, "q"},
                                                 {ResourceKind::kJobDefinition, "d:1"},
                                                 {ResourceKind::kJob, "j1"},
                                                 {ResourceKind::kSchedulingPolicy, "fs"}};
  return kRefs;
}

TEST_F(FsmTagsTest, TagsAndUntagsEveryKindOfResource) {
  AllKinds();
  MustRun(Submit("j1"));
  for (const ResourceRef& ref : EveryKind()) {
    SCOPED_TRACE(ref.id);
    EXPECT_EQ(TagsOf(ref.kind, ref.id), Tags{});
    ApplyResult r = MustRun(Tag(ref.kind, ref.id, {{"team", "ml"}, {"env", "prod"}}));
    EXPECT_EQ(r.name, ref.id);  // the DoneReply names it
    EXPECT_FALSE(r.schedule);   // metadata: nothing to place
    EXPECT_EQ(TagsOf(ref.kind, ref.id), (Tags{{"team", "ml"}, {"env", "prod"}}));
    r = MustRun(Untag(ref.kind, ref.id, {"env"}));
    EXPECT_EQ(r.name, ref.id);
    EXPECT_EQ(TagsOf(ref.kind, ref.id), (Tags{{"team", "ml"}}));
  }
  // The changes are in the batches: a replica loading the store agrees.
  auto loaded = ClusterState::Load(store_);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->Digest(), state_.Digest());
  for (const ResourceRef& ref : EveryKind()) {
    Result<Tags> tags = ResourceTags(*loaded, ref);
    ASSERT_TRUE(tags.ok()) << ref.id;
    EXPECT_EQ(*tags, (Tags{{"team", "ml"}})) << ref.id;
  }
}

TEST_F(FsmTagsTest, TagMergesAndNewValuesReplaceOld) {
  AllKinds();
  MustRun(Tag(ResourceKind::kJobQueue, "q", {{"a", "1"}, {"b", "2"}}));
  MustRun(Tag(ResourceKind::kJobQueue, "q", {{"b", "two"}, {"c", ""}}));
  EXPECT_EQ(TagsOf(ResourceKind::kJobQueue, "q"), (Tags{{"a", "1"}, {"b", "two"}, {"c", ""}}));
}

TEST_F(FsmTagsTest, UntagIgnoresAbsentKeysAndLeavesNoEmptyTags) {
  AllKinds();
  MustRun(Tag(ResourceKind::kComputeEnvironment, "ce", {{"a", "1"}}));
  MustRun(Untag(ResourceKind::kComputeEnvironment, "ce", {"never-set"}));
  EXPECT_EQ(TagsOf(ResourceKind::kComputeEnvironment, "ce"), (Tags{{"a", "1"}}));
  MustRun(Untag(ResourceKind::kComputeEnvironment, "ce", {"a", "never-set"}));
  EXPECT_EQ(TagsOf(ResourceKind::kComputeEnvironment, "ce"), Tags{});
  // Stored as absent, as a record that was never tagged.
  EXPECT_FALSE(state_.FindComputeEnvironment("ce")->tags.has_value());
  // Untagging what has no tags at all is no error either.
  MustRun(Untag(ResourceKind::kSchedulingPolicy, "fs", {"a"}));
  EXPECT_FALSE(state_.FindSchedulingPolicy("fs")->tags.has_value());
}

TEST_F(FsmTagsTest, AResourceHoldsAtMostFiftyTags) {
  AllKinds();
  Tags tags;
  for (size_t i = 0; i < protocol::kMaxTags - 1; ++i) tags["k" + std::to_string(i)] = "v";
  MustRun(Tag(ResourceKind::kJobQueue, "q", tags));
  // Replacing a value adds no tag; the 50th fits.
  MustRun(Tag(ResourceKind::kJobQueue, "q", {{"k0", "new"}, {"last", "v"}}));
  EXPECT_EQ(TagsOf(ResourceKind::kJobQueue, "q").size(), protocol::kMaxTags);
  auto r = Run(Tag(ResourceKind::kJobQueue, "q", {{"k1", "changed"}, {"one-too-many", "v"}}));
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "job queue q would have more than 50 tags");
  // Refused whole: not even the replaced value changed.
  EXPECT_EQ(TagsOf(ResourceKind::kJobQueue, "q").at("k1"), "v");
  const protocol::JobQueue* q = state_.FindJobQueue("q");
  ASSERT_NE(q, nullptr);
  EXPECT_EQ(q->tags->size(), protocol::kMaxTags);
}

TEST_F(FsmTagsTest, MissingResourceIsNotFound) {
  AllKinds();
  MustRun(Submit("j1"));
  const std::vector<std::pair<ResourceRef, std::string>> cases = {
      {{ResourceKind::kComputeEnvironment, "x"}, "compute environment x not found"},
      {{ResourceKind::kJobQueue, "q1"}, "job queue q1 not found"},
      {{ResourceKind::kJobDefinition, "d:3"}, "job definition d:3 not found"},
      {{ResourceKind::kJobDefinition, "x:1"}, "job definition x:1 not found"},
      {{ResourceKind::kJobDefinition, "d:99999999999"}, "job definition d:99999999999 not found"},
      {{ResourceKind::kJob, "nope"}, "job nope not found"},
      {{ResourceKind::kJob, "j1:0"}, "job j1:0 not found"},  // not an array
      {{ResourceKind::kSchedulingPolicy, "x"}, "scheduling policy x not found"},
  };
  for (const auto& c : cases) {
    const ResourceRef& ref = c.first;
    const std::string& message = c.second;
    auto tagged = Run(Tag(ref.kind, ref.id, {{"a", "1"}}));
    EXPECT_EQ(tagged.status().code(), StatusCode::kNotFound) << ref.id;
    EXPECT_EQ(tagged.status().message(), message);
    auto untagged = Run(Untag(ref.kind, ref.id, {"a"}));
    EXPECT_EQ(untagged.status().code(), StatusCode::kNotFound) << ref.id;
    EXPECT_EQ(untagged.status().message(), message);
    Result<Tags> listed = ResourceTags(state_, ref);
    EXPECT_EQ(listed.status().code(), StatusCode::kNotFound) << ref.id;
    EXPECT_EQ(listed.status().message(), message);
  }
}

TEST_F(FsmTagsTest, MalformedCommandsAreInvalid) {
  AllKinds();
  // A definition is tagged per revision: the bare name names none.
  auto r = Run(Tag(ResourceKind::kJobDefinition, "d", {{"a", "1"}}));
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ResourceTags(state_, {ResourceKind::kJobDefinition, "d"}).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Run(Tag(ResourceKind::kJobQueue, "q", {})).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Run(Tag(ResourceKind::kJobQueue, "q", {{"aws:x", "1"}})).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(Run(Untag(ResourceKind::kJobQueue, "q", {})).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(TagsOf(ResourceKind::kJobQueue, "q"), Tags{});
}

TEST_F(FsmTagsTest, JobDefinitionTagsBelongToOneRevision) {
  AllKinds();
  MustRun(DefCmd("d", {"echo", "two"}));
  MustRun(Tag(ResourceKind::kJobDefinition, "d:1", {{"rev", "one"}}));
  EXPECT_EQ(TagsOf(ResourceKind::kJobDefinition, "d:1"), (Tags{{"rev", "one"}}));
  EXPECT_EQ(TagsOf(ResourceKind::kJobDefinition, "d:2"), Tags{});
  // Deregistering keeps them: an INACTIVE revision is still described.
  Command dereg{CommandType::kDeregisterJobDefinition};
  dereg.target = "d:1";
  MustRun(dereg);
  EXPECT_EQ(TagsOf(ResourceKind::kJobDefinition, "d:1"), (Tags{{"rev", "one"}}));
}

TEST_F(FsmTagsTest, JobsTakeTagsInAnyStatusAndKeepThemThroughTransitions) {
  AllKinds();
  MustRun(Submit("j1"));
  ASSERT_EQ(StatusOf("j1"), JobStatus::kRunnable);
  MustRun(Tag(ResourceKind::kJob, "j1", {{"stage", "queued"}}));
  RunAttempt("j1", 0);
  ASSERT_EQ(StatusOf("j1"), JobStatus::kSucceeded);
  EXPECT_EQ(JobAt("j1").tags, (Tags{{"stage", "queued"}}));
  // Finished jobs too, as AWS.
  MustRun(Tag(ResourceKind::kJob, "j1", {{"stage", "done"}}));
  EXPECT_EQ(JobAt("j1").tags, (Tags{{"stage", "done"}}));
  EXPECT_EQ(StatusOf("j1"), JobStatus::kSucceeded);
  ExpectReloadMatches({"j1"});
}

TEST_F(FsmTagsTest, TaggingAnArrayChildOrParentTagsThatJobOnly) {
  AllKinds();
  MustRun(SubmitArray("a", 2));
  MustRun(Tag(ResourceKind::kJob, "a:1", {{"child", "1"}}));
  MustRun(Tag(ResourceKind::kJob, "a", {{"parent", "yes"}}));
  EXPECT_EQ(JobAt("a:1").tags, (Tags{{"child", "1"}}));
  EXPECT_FALSE(JobAt("a:0").tags.has_value());
  EXPECT_EQ(JobAt("a").tags, (Tags{{"parent", "yes"}}));
  ExpectReloadMatches({"a", "a:0", "a:1"});
}

TEST_F(FsmTagsTest, CreatesKeepTheTagsSentAndUpdatesKeepTheStoredOnes) {
  const Tags tags = {{"owner", "batch-team"}};
  Command ce{CommandType::kCreateComputeEnvironment};
  ce.computeEnvironment = protocol::ComputeEnvironment{};
  ce.computeEnvironment->computeEnvironmentName = "ce";
  ce.computeEnvironment->tags = tags;
  MustRun(ce);
  Command policy = PolicyCmd(CommandType::kCreateSchedulingPolicy, "fs");
  policy.schedulingPolicy->tags = tags;
  MustRun(policy);
  Command queue = QueueCmd("q");
  queue.jobQueue->tags = tags;
  MustRun(queue);
  Command def = DefCmd("d", {"true"});
  def.jobDefinition->tags = tags;
  MustRun(def);
  EXPECT_EQ(TagsOf(ResourceKind::kComputeEnvironment, "ce"), tags);
  EXPECT_EQ(TagsOf(ResourceKind::kSchedulingPolicy, "fs"), tags);
  EXPECT_EQ(TagsOf(ResourceKind::kJobQueue, "q"), tags);
  EXPECT_EQ(TagsOf(ResourceKind::kJobDefinition, "d:1"), tags);

  Command uq{CommandType::kUpdateJobQueue};
  uq.updateJobQueue = protocol::UpdateJobQueueRequest{};
  uq.updateJobQueue->jobQueue = "q";
  uq.updateJobQueue->priority = 7;
  MustRun(uq);
  Command uce{CommandType::kUpdateComputeEnvironment};
  uce.updateComputeEnvironment = protocol::UpdateComputeEnvironmentRequest{};
  uce.updateComputeEnvironment->computeEnvironment = "ce";
  uce.updateComputeEnvironment->desiredvCpus = 0;
  MustRun(uce);
  // An update carries a whole SchedulingPolicy, whose tags are not the
  // update's to change.
  Command up = PolicyCmd(CommandType::kUpdateSchedulingPolicy, "fs", 60);
  up.schedulingPolicy->tags = Tags{{"other", "x"}};
  MustRun(up);
  EXPECT_EQ(state_.FindJobQueue("q")->priority, 7u);
  EXPECT_EQ(state_.FindSchedulingPolicy("fs")->fairsharePolicy.shareDecaySeconds, 60u);
  EXPECT_EQ(TagsOf(ResourceKind::kComputeEnvironment, "ce"), tags);
  EXPECT_EQ(TagsOf(ResourceKind::kSchedulingPolicy, "fs"), tags);
  EXPECT_EQ(TagsOf(ResourceKind::kJobQueue, "q"), tags);
  // A new revision has the tags it was registered with, not the last one's.
  MustRun(DefCmd("d", {"true"}));
  EXPECT_EQ(TagsOf(ResourceKind::kJobDefinition, "d:2"), Tags{});
}

TEST_F(FsmTagsTest, SubmitCopiesTagsAndSubmitterOntoTheJob) {
  AllKinds();
  Command c = Submit("j1");
  c.submitJob->request.tags = Tags{{"team", "ml"}};
  c.submitJob->request.submittedBy = "ci-key";
  MustRun(c);
  EXPECT_EQ(JobAt("j1").tags, (Tags{{"team", "ml"}}));
  EXPECT_EQ(JobAt("j1").submittedBy, "ci-key");
  EXPECT_EQ(TagsOf(ResourceKind::kJob, "j1"), (Tags{{"team", "ml"}}));

  MustRun(Submit("j2"));
  EXPECT_FALSE(JobAt("j2").tags.has_value());
  EXPECT_FALSE(JobAt("j2").submittedBy.has_value());
  Command empty = Submit("j3");
  empty.submitJob->request.tags = Tags{};
  MustRun(empty);
  EXPECT_FALSE(JobAt("j3").tags.has_value());  // no tags: none stored
  ExpectReloadMatches({"j1", "j2", "j3"});
}

TEST_F(FsmTagsTest, ArrayChildrenCarryTheParentsTagsAndSubmitter) {
  AllKinds();
  Command c = SubmitArray("a", 3);
  c.submitJob->request.tags = Tags{{"batch", "nightly"}};
  c.submitJob->request.submittedBy = "ci-key";
  MustRun(c);
  for (const char* id : {"a", "a:0", "a:1", "a:2"}) {
    EXPECT_EQ(JobAt(id).tags, (Tags{{"batch", "nightly"}})) << id;
    EXPECT_EQ(JobAt(id).submittedBy, "ci-key") << id;
  }
}

}  // namespace
}  // namespace gantry::coordinator::testing
