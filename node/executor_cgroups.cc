// Executor: the host's cgroups for attempts, detected once at start, and
// attempt cgroups left over by an earlier run or by a failed removal.
#include "node/executor.h"

#include <unistd.h>

namespace gantry::node {

void Executor::DetectCgroups() {
  if (!options_.cgroups) {
    log_->info("attempt cgroups off by configuration: no memory, cpu or pids limits");
    return;
  }
  Result<CgroupLayout> layout = DetectCgroupLayout();
  if (!layout.ok()) {
    log_->warn("attempt cgroups unavailable, no memory, cpu or pids limits error={}",
               layout.status().message());
    return;
  }
  for (const auto& why : layout->unavailable) log_->warn("attempt cgroup limit unavailable {}", why);
  auto where = [](const std::optional<CgroupPlace>& p) -> std::string {
    if (!p) return "none";
    return (p->version == CgroupVersion::kV1 ? "v1:" : "v2:") + p->own_dir.string();
  };
  if (!layout->memory && !layout->cpu && !layout->pids) {
    log_->warn("attempt cgroups unavailable, processes tracked by group only");
    return;
  }
  // v2: the own cgroup must hold no process to hand controllers down; the
  // leaf's name is outside the sweep's prefix, so no sweep ever removes it.
  std::string leaf = options_.cgroup_prefix;
  if (!leaf.empty() && leaf.back() == '-') leaf.pop_back();
  leaf += ".agent";
  if (Status s = DelegateV2Controllers(*layout, leaf, ::getpid(), WriteCgroupFile); !s.ok()) {
    log_->warn("attempt cgroups unavailable, no memory, cpu or pids limits error={}", s.message());
    return;
  }
  log_->info("attempt cgroups on memory={} cpu={} pids={} freezer={} pids_max={}",
             where(layout->memory), where(layout->cpu), where(layout->pids),
             where(layout->freezer), options_.pids_max);
  layout_ = std::move(layout).value();
}

CgroupSweepResult Executor::SweepLeftoverCgroups() {
  if (!layout_) return {};
  return SweepAttemptCgroups(*layout_, options_.cgroup_prefix);
}

void Executor::RetryStaleCgroups() {
  std::vector<AttemptCgroup> still;
  for (auto& cg : stale_cgroups_) {
    Status s = cg.Remove();
    if (s.ok()) {
      log_->info("attempt cgroup removed on retry name={}", cg.name());
    } else {
      still.push_back(std::move(cg));
    }
  }
  stale_cgroups_ = std::move(still);
}

}  // namespace gantry::node
