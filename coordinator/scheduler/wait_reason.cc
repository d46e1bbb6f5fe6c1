#include "coordinator/scheduler/wait_reason.h"

#include <vector>

#include "gantry/check.h"

namespace gantry::coordinator {
namespace {

void AppendShape(std::string& out, const Shape& s) {
  out += std::to_string(s.vcpus);
  out += " vCPU, ";
  out += std::to_string(s.memory_mib);
  out += " MiB memory, ";
  out += std::to_string(s.disk_mib);
  out += " MiB disk";
}

// "ce1, ce2": the CEs among `outcomes` whose cause is `cause`, in order.
void AppendCeList(std::string& out, std::span<const CeOutcome> outcomes, WaitCause cause) {
  bool first = true;
  for (const CeOutcome& o : outcomes) {
    if (o.cause != cause) continue;
    if (!first) out += ", ";
    out += o.ce;
    first = false;
  }
}

// "needs 64 vCPU and 300000 MiB memory, the largest node has 16 vCPU and
// 262144 MiB memory": only the dimensions that no node is big enough in.
void AppendNeverFitsDetail(std::string& out, const Shape& need, const Shape& largest) {
  std::vector<std::string> needs;
  std::vector<std::string> has;
  if (need.vcpus > largest.vcpus) {
    needs.push_back(std::to_string(need.vcpus) + " vCPU");
    has.push_back(std::to_string(largest.vcpus) + " vCPU");
  }
  if (need.memory_mib > largest.memory_mib) {
    needs.push_back(std::to_string(need.memory_mib) + " MiB memory");
    has.push_back(std::to_string(largest.memory_mib) + " MiB memory");
  }
  if (need.disk_mib > largest.disk_mib) {
    needs.push_back(std::to_string(need.disk_mib) + " MiB disk");
    has.push_back(std::to_string(largest.disk_mib) + " MiB disk");
  }
  if (needs.empty()) {
    // Each dimension fits some node, but no node has all of them.
    out += "needs ";
    AppendShape(out, need);
    out += ", and no node has that much of all three";
    return;
  }
  auto join = [&](const std::vector<std::string>& parts) {
    for (size_t i = 0; i < parts.size(); ++i) {
      if (i > 0) out += (i + 1 == parts.size()) ? " and " : ", ";
      out += parts[i];
    }
  };
  out += "needs ";
  join(needs);
  out += ", the largest node has ";
  join(has);
}

std::string Format(std::string_view queue, const Shape& need, std::span<const CeOutcome> outcomes,
                   const CeOutcome& top) {
  std::string out;
  switch (top.cause) {
    case WaitCause::kNoCapacity:
      out = "waiting for capacity: needs ";
      AppendShape(out, need);
      out += "; the most free node in ";
      out += top.ce;
      out += " (";
      out += top.most_free_node;
      out += ") has ";
      AppendShape(out, top.most_free);
      out += " free";
      break;
    case WaitCause::kAtMaxVcpus:
      out = "queue ";
      out += queue;
      out += ": compute environment ";
      out += top.ce;
      out += " is at maxvCpus (" + std::to_string(top.used_vcpus) + "/" +
             std::to_string(top.max_vcpus) + " in use, job needs " + std::to_string(need.vcpus) +
             ")";
      break;
    case WaitCause::kReserved:
      out = "queue ";
      out += queue;
      out += ": compute environment ";
      out += top.ce;
      out += " keeps " + std::to_string(top.reserved_vcpus) + " of its " + std::to_string(top.max_vcpus) +
             " maxvCpus for share identifiers that are not active yet (computeReservation " +
             std::to_string(top.compute_reservation) + ", " + std::to_string(top.active_shares) +
             (top.active_shares == 1 ? " active share" : " active shares") + "): " +
             std::to_string(top.used_vcpus) + " in use, job needs " + std::to_string(need.vcpus);
      break;
    case WaitCause::kNoReadyNode:
      out = "no ready node in compute environments ";
      AppendCeList(out, outcomes, WaitCause::kNoReadyNode);
      break;
    case WaitCause::kNeverFits: {
      Shape largest;
      size_t without_quota = 0;
      for (const CeOutcome& o : outcomes) {
        if (o.cause != WaitCause::kNeverFits) continue;
        largest = Max(largest, o.largest);
        without_quota += o.nodes_without_disk_quota;
      }
      out = "no node in compute environments ";
      AppendCeList(out, outcomes, WaitCause::kNeverFits);
      out += " can ever fit this job: ";
      AppendNeverFitsDetail(out, need, largest);
      if (without_quota > 0 && need.disk_mib > largest.disk_mib) {
        out += " (" + std::to_string(without_quota) + (without_quota == 1 ? " node cannot" : " nodes cannot") +
               " enforce a disk quota and take only jobs that ask for no disk)";
      }
      break;
    }
    case WaitCause::kExceedsMaxVcpus:
      out = "queue ";
      out += queue;
      out += ": job needs " + std::to_string(need.vcpus) + " vCPU, more than maxvCpus " +
             std::to_string(top.max_vcpus) + " of compute environment ";
      out += top.ce;
      break;
    case WaitCause::kDisabled:
      out = "compute environment ";
      out += top.ce;
      out += " is DISABLED";
      break;
    case WaitCause::kUnknownCe:
      out = "queue ";
      out += queue;
      out += ": compute environment ";
      out += top.ce;
      out += " does not exist";
      break;
  }
  return out;
}

// The most relevant outcome: the highest cause, the first of equals.
const CeOutcome& Top(std::span<const CeOutcome> outcomes) {
  GANTRY_CHECK(!outcomes.empty());
  const CeOutcome* top = &outcomes[0];
  for (const CeOutcome& o : outcomes) {
    if (o.cause > top->cause) top = &o;  // strict: the first of equals wins
  }
  return *top;
}

}  // namespace

std::string WaitReason(std::string_view queue, const Shape& need,
                       std::span<const CeOutcome> outcomes) {
  return Format(queue, need, outcomes, Top(outcomes));
}

std::string_view WaitCode(std::span<const CeOutcome> outcomes) {
  switch (Top(outcomes).cause) {
    case WaitCause::kUnknownCe:
    case WaitCause::kDisabled:
    case WaitCause::kNeverFits:
      return kCodeResourceRequirement;
    case WaitCause::kExceedsMaxVcpus:
      return kCodeMaxResource;
    case WaitCause::kNoReadyNode:
    case WaitCause::kAtMaxVcpus:
    case WaitCause::kReserved:
    case WaitCause::kNoCapacity:
      break;
  }
  return kCodeCapacity;
}

std::string NoComputeEnvironmentReason(std::string_view queue) {
  std::string out = "job queue ";
  out += queue;
  out += " has no compute environment";
  return out;
}

std::string PlacementLimitReason(size_t max_placements) {
  return "not placed in this pass: the plan reached its limit of " +
         std::to_string(max_placements) + " placements";
}

}  // namespace gantry::coordinator
