// What the chaos suite reads from the cluster for the checker: capacity
// samples while it runs, and afterwards every job the coordinator holds,
// what each node still holds of finished attempts, and the jobs' own run
// records. Each is appended to the history through the Recorder.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "client/rpc_client.h"
#include "tests/chaos/run/recorder.h"
#include "tests/integration/cluster_harness.h"

namespace gantry::chaos {

// One capacity sample per node: what it advertises, and what the live
// attempts the coordinator placed there hold.
void SampleCapacity(client::RpcClient& rpc, Recorder& recorder);

// Waits until every job in `queue` is SUCCEEDED or FAILED, or `limit`
// passes; returns how many were still unfinished.
size_t WaitForQuiet(client::RpcClient& rpc, const std::string& queue, std::chrono::seconds limit);

// Every job of `queue` (arrays' children too) as final-job records; a job
// named "chaos-..." is the workload's, its name being its client token.
Status RecordFinalJobs(client::RpcClient& rpc, const std::string& queue, Recorder& recorder);

// For each agent: scratch entries, mounts, loop devices and cgroups left of
// finished attempts, after giving cleanups up to `settle` to finish.
void RecordNodeProbes(testing::ClusterHarness& cluster, Recorder& recorder, std::chrono::seconds settle);

// Each replica's applied index and state digest, once they all report the
// same index (or `settle` passes: then as they are, and the checker says
// which lagged).
void RecordReplicaDigests(testing::ClusterHarness& cluster, Recorder& recorder, std::chrono::seconds settle);

// Appends the run records the jobs wrote to `run_file`.
void RecordRuns(const std::string& run_file, Recorder& recorder);

}  // namespace gantry::chaos
