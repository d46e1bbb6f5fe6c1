// gantry node cordon | uncordon | drain | reclaim NODE: an operator's say
// over one node's scheduling (see NodeControlRequest). `gantry node` alone,
// or with a subcommand it does not know, lists the subcommands.
#include <algorithm>
#include <chrono>
#include <iostream>
#include <memory>

#include "client/json_format.h"
#include "client/node_control.h"
#include "client/verb_common.h"
#include "client/verbs/verbs.h"

namespace gantry::client {
namespace {

using protocol::NodeAction;

struct NodeFlags {
  CommonFlags common;
  NodeControlFlags control;
};

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct ActionSpec {
  NodeAction action;
  const char* name;
  const char* synopsis;  // what follows "gantry node"
  const char* description;
};

constexpr ActionSpec kActions[] = {
    {NodeAction::kCordon, "cordon", "cordon NODE [--reason TEXT]",
     "Place no new jobs on NODE; what runs there goes on"},
    {NodeAction::kUncordon, "uncordon", "uncordon NODE",
     "Let NODE take new jobs again; ends a cordon, a drain, or a reclaim gantry started"},
    {NodeAction::kDrain, "drain", "drain NODE [--deadline SECONDS] [--reason TEXT]",
     "Place no new jobs on NODE; requeue elsewhere what still runs at the deadline"},
    {NodeAction::kReclaim, "reclaim", "reclaim NODE [--grace SECONDS] [--reason TEXT]",
     "NODE is going away: its jobs get SIGTERM now, SIGKILL after the grace, and are requeued"},
};

std::string DeadlineHelp(NodeAction action) {
  if (action == NodeAction::kDrain) {
    return "Stop and requeue what still runs this many seconds from now (default: no deadline, jobs run to "
           "their end)";
  }
  return "Seconds between SIGTERM and SIGKILL (default " + std::to_string(protocol::kDefaultReclaimGraceSeconds) +
         ")";
}

void AddNodeAction(CLI::App& node, const ActionSpec& spec) {
  auto f = std::make_shared<NodeFlags>();
  const NodeAction action = spec.action;
  CLI::App* verb = node.add_subcommand(spec.name, spec.description);
  verb->add_option("NODE", f->control.node, "The node's id")->required();
  if (const char* flag = DeadlineFlag(action)) {
    // A string, so "-5" or "ten" fail with a message naming the flag.
    verb->add_option_function<std::string>(flag, [f](const std::string& v) { f->control.deadline = v; },
                                           DeadlineHelp(action))
        ->type_name("SECONDS");
  }
  if (action != NodeAction::kUncordon) {
    verb->add_option("--reason", f->control.reason, "Why, shown by gantry nodes (at most 512 bytes)")
        ->type_name("TEXT");
  }
  AddCommonFlags(*verb, f->common);
  verb->callback([f, action] {
    RunVerb([&] {
      auto req = UsageOrFail(BuildNodeControl(action, f->control));
      auto client = ConnectOrFail(f->common);
      auto rep = CallOrFail(*client, req);
      if (f->common.format() == OutputFormat::kJson) {
        nlohmann::json j = NodeControlRequestToJson(req);
        j["nodeId"] = rep.name;
        PrintJson(j);
      } else {
        req.nodeId = rep.name;
        std::cout << NodeControlDoneText(req, NowMs()) << "\n" << std::flush;
      }
    });
  });
}

// "\n  drain NODE [--deadline SECONDS] ...  Place no new jobs ..." for each.
std::string SubcommandList() {
  size_t width = 0;
  for (const ActionSpec& a : kActions) width = std::max(width, std::string_view(a.synopsis).size());
  std::string out;
  for (const ActionSpec& a : kActions) {
    out += "\n  " + std::string(a.synopsis);
    out.append(width - std::string_view(a.synopsis).size() + 2, ' ');
    out += a.description;
  }
  return out;
}

}  // namespace

void AddNodeVerbs(CLI::App& app) {
  CLI::App* node = app.add_subcommand("node", "Cordon, uncordon, drain or reclaim a node");
  for (const ActionSpec& spec : kActions) AddNodeAction(*node, spec);
  // After the subcommands, which would inherit it: here an unknown word is
  // kept so the callback can name it rather than CLI11 failing without the list.
  node->allow_extras();
  node->callback([node] {
    if (!node->get_subcommands().empty()) return;
    std::vector<std::string> extra = node->remaining();
    std::string what = extra.empty() ? "gantry node needs a subcommand"
                                     : "gantry node: unknown subcommand \"" + extra.front().substr(0, 64) + "\"";
    Fail(what + "; one of:" + SubcommandList(), kUsageExit);
  });
  // Only now: a subcommand inherits its parent's help group when added.
  node->group(kOperatorGroup);
}

}  // namespace gantry::client
