// gantry tag-resource, untag-resource and list-tags-for-resource: AWS's
// resource tags on compute environments, job queues, job definition
// revisions, scheduling policies and jobs, each named by its ARN.
#include <iostream>
#include <memory>

#include "client/json_format.h"
#include "client/resource_tables.h"
#include "client/tag_requests.h"
#include "client/verb_common.h"
#include "client/verbs/verbs.h"

namespace gantry::client {
namespace {

constexpr const char* kArnHelp =
    "The resource's ARN: arn:aws:batch:REGION:ACCOUNT:TYPE/ID of any region and account, or the arn:gantry:... "
    "form gantry prints; TYPE is compute-environment, job-queue, job-definition (ID NAME:REVISION), job or "
    "scheduling-policy";

}  // namespace

void AddTagResourceVerb(CLI::App& app) {
  struct Flags {
    CommonFlags common;
    TagResourceFlags tag;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* verb = app.add_subcommand("tag-resource", "Add tags to a resource, replacing the values of keys it has");
  verb->group(kSetupGroup);
  verb->add_option("--resource-arn", f->tag.resource_arn, kArnHelp)->required();
  AddListFlag(*verb, "--tags", f->tag.tags, kTagsHelp)->required();
  AddCommonFlags(*verb, f->common);
  verb->callback([f] {
    RunVerb([&] {
      auto req = UsageOrFail(BuildTagResource(f->tag));
      auto client = ConnectOrFail(f->common);
      PrintDone(f->common, CallOrFail(*client, req), nlohmann::json::object());
    });
  });
}

void AddUntagResourceVerb(CLI::App& app) {
  struct Flags {
    CommonFlags common;
    UntagResourceFlags untag;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* verb =
      app.add_subcommand("untag-resource", "Remove tags from a resource (keys it does not have are no error)");
  verb->group(kSetupGroup);
  verb->add_option("--resource-arn", f->untag.resource_arn, kArnHelp)->required();
  AddListFlag(*verb, "--tag-keys", f->untag.tag_keys,
              "Keys to remove: KEY, K1,K2 or JSON [\"k1\", \"k2\"] (repeatable)")
      ->required();
  AddCommonFlags(*verb, f->common);
  verb->callback([f] {
    RunVerb([&] {
      auto req = UsageOrFail(BuildUntagResource(f->untag));
      auto client = ConnectOrFail(f->common);
      PrintDone(f->common, CallOrFail(*client, req), nlohmann::json::object());
    });
  });
}

void AddListTagsForResourceVerb(CLI::App& app) {
  struct Flags {
    CommonFlags common;
    std::string resource_arn;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* verb = app.add_subcommand("list-tags-for-resource", "List a resource's tags");
  verb->group(kInspectGroup);
  verb->add_option("--resource-arn", f->resource_arn, kArnHelp)->required();
  AddCommonFlags(*verb, f->common);
  verb->callback([f] {
    RunVerb([&] {
      auto req = UsageOrFail(BuildListTagsForResource(f->resource_arn));
      auto client = ConnectOrFail(f->common);
      auto rep = CallOrFail(*client, req);
      if (f->common.format() == OutputFormat::kJson) {
        PrintJson(ListTagsReplyToAwsJson(rep));
      } else {
        std::cout << FormatTagTable(rep.tags) << std::flush;
      }
    });
  });
}

}  // namespace gantry::client
