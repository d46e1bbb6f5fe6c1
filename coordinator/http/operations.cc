// The operation table: AWS's lowercase operation names to their functions
// in ops_*.cc.
#include "coordinator/http/operations.h"

#include <array>
#include <utility>

#include "coordinator/http/ops_compute_environments.h"
#include "coordinator/http/ops_job_definitions.h"
#include "coordinator/http/ops_job_queues.h"
#include "coordinator/http/ops_jobs.h"
#include "coordinator/http/ops_scheduling_policies.h"

namespace gantry::coordinator::http {
namespace {

constexpr std::array<std::pair<std::string_view, OperationFn>, 21> kOperations = {{
    {"createcomputeenvironment", ops::CreateComputeEnvironment},
    {"updatecomputeenvironment", ops::UpdateComputeEnvironment},
    {"deletecomputeenvironment", ops::DeleteComputeEnvironment},
    {"describecomputeenvironments", ops::DescribeComputeEnvironments},
    {"createjobqueue", ops::CreateJobQueue},
    {"updatejobqueue", ops::UpdateJobQueue},
    {"deletejobqueue", ops::DeleteJobQueue},
    {"describejobqueues", ops::DescribeJobQueues},
    {"registerjobdefinition", ops::RegisterJobDefinition},
    {"deregisterjobdefinition", ops::DeregisterJobDefinition},
    {"describejobdefinitions", ops::DescribeJobDefinitions},
    {"submitjob", ops::SubmitJob},
    {"describejobs", ops::DescribeJobs},
    {"listjobs", ops::ListJobs},
    {"canceljob", ops::CancelJob},
    {"terminatejob", ops::TerminateJob},
    {"createschedulingpolicy", ops::CreateSchedulingPolicy},
    {"describeschedulingpolicies", ops::DescribeSchedulingPolicies},
    {"listschedulingpolicies", ops::ListSchedulingPolicies},
    {"updateschedulingpolicy", ops::UpdateSchedulingPolicy},
    {"deleteschedulingpolicy", ops::DeleteSchedulingPolicy},
}};

}  // namespace

OperationFn FindOperation(std::string_view lowercase_name) {
  for (const auto& [name, fn] : kOperations) {
    if (name == lowercase_name) return fn;
  }
  return nullptr;
}

std::vector<std::string> OperationNames() {
  std::vector<std::string> names;
  for (const auto& [name, fn] : kOperations) names.emplace_back(name);
  return names;
}

}  // namespace gantry::coordinator::http
