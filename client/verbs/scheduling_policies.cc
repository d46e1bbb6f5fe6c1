// gantry create-scheduling-policy, update-scheduling-policy,
// delete-scheduling-policy and describe-scheduling-policies: fair-share
// policies a job queue may name (--scheduling-policy-arn).
#include <iostream>
#include <memory>
#include <set>

#include "client/control_requests.h"
#include "client/json_format.h"
#include "client/resource_tables.h"
#include "client/verb_common.h"
#include "client/verbs/verbs.h"

namespace gantry::client {
namespace {

constexpr const char* kFairshareHelp =
    "JSON {shareDecaySeconds, computeReservation, shareDistribution: [{shareIdentifier, weightFactor}]}, "
    "or file://FILE";

}  // namespace

void AddCreateSchedulingPolicyVerb(CLI::App& app) {
  struct Flags {
    CommonFlags common;
    SchedulingPolicyFlags policy;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* verb = app.add_subcommand("create-scheduling-policy", "Create a fair-share scheduling policy");
  verb->group(kSetupGroup);
  verb->add_option("--name", f->policy.name_or_arn, "Name (letters, digits, - and _)")->required();
  verb->add_option("--fairshare-policy", f->policy.fairshare_policy, kFairshareHelp);
  AddListFlag(*verb, "--tags", f->policy.tags, kTagsHelp);
  AddCommonFlags(*verb, f->common);
  verb->callback([f] {
    RunVerb([&] {
      f->policy.fairshare_policy = FlagTextOrFail(f->policy.fairshare_policy, "--fairshare-policy");
      auto req = UsageOrFail(BuildCreateSchedulingPolicy(f->policy));
      auto client = ConnectOrFail(f->common);
      auto rep = CallOrFail(*client, req);
      PrintDone(f->common, rep, {{"name", rep.name}, {"arn", SchedulingPolicyArn(rep.name)}});
    });
  });
}

void AddUpdateSchedulingPolicyVerb(CLI::App& app) {
  struct Flags {
    CommonFlags common;
    SchedulingPolicyFlags policy;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* verb =
      app.add_subcommand("update-scheduling-policy", "Replace a scheduling policy's fair-share policy");
  verb->group(kSetupGroup);
  verb->add_option("--arn", f->policy.name_or_arn, "The policy's ARN (or name)")->required();
  verb->add_option("--fairshare-policy", f->policy.fairshare_policy, kFairshareHelp)->required();
  AddCommonFlags(*verb, f->common);
  verb->callback([f] {
    RunVerb([&] {
      f->policy.fairshare_policy = FlagTextOrFail(f->policy.fairshare_policy, "--fairshare-policy");
      auto req = UsageOrFail(BuildUpdateSchedulingPolicy(f->policy));
      auto client = ConnectOrFail(f->common);
      PrintDone(f->common, CallOrFail(*client, req), nlohmann::json::object());
    });
  });
}

void AddDeleteSchedulingPolicyVerb(CLI::App& app) {
  struct Flags {
    CommonFlags common;
    std::string arn;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* verb =
      app.add_subcommand("delete-scheduling-policy", "Delete a scheduling policy that no job queue names");
  verb->group(kSetupGroup);
  verb->add_option("--arn", f->arn, "The policy's ARN (or name)")->required();
  AddCommonFlags(*verb, f->common);
  verb->callback([f] {
    RunVerb([&] {
      auto req = UsageOrFail(BuildDeleteSchedulingPolicy(f->arn));
      auto client = ConnectOrFail(f->common);
      PrintDone(f->common, CallOrFail(*client, req), nlohmann::json::object());
    });
  });
}

void AddDescribeSchedulingPoliciesVerb(CLI::App& app) {
  struct Flags {
    CommonFlags common;
    std::vector<std::string> arns;
  };
  auto f = std::make_shared<Flags>();
  CLI::App* verb = app.add_subcommand("describe-scheduling-policies", "Describe scheduling policies (default: all)");
  verb->group(kInspectGroup);
  verb->add_option("arns,--arns", f->arns, "Policy ARNs (or names)");
  AddCommonFlags(*verb, f->common);
  verb->callback([f] {
    RunVerb([&] {
      auto req = UsageOrFail(BuildDescribeSchedulingPolicies(f->arns));
      auto client = ConnectOrFail(f->common);
      auto rep = CallOrFail(*client, req);
      std::set<std::string> found;
      for (const auto& p : rep.schedulingPolicies) found.insert(p.name);
      for (const auto& arn : f->arns) {
        if (!found.count(protocol::SchedulingPolicyName(arn))) PrintError("scheduling policy " + arn + " not found");
      }
      if (!f->arns.empty() && rep.schedulingPolicies.empty()) throw CLI::RuntimeError(1);
      if (f->common.format() == OutputFormat::kJson) {
        nlohmann::json list = nlohmann::json::array();
        for (const auto& p : rep.schedulingPolicies) list.push_back(SchedulingPolicyToAwsJson(p));
        PrintJson({{"schedulingPolicies", std::move(list)}});
      } else {
        std::cout << FormatSchedulingPolicyTable(rep.schedulingPolicies) << std::flush;
      }
    });
  });
}

}  // namespace gantry::client
