// Builds ClusterStates for the server's pure parts by applying commands, the
// only way state changes in production too.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>

#include "coordinator/fsm/fsm.h"

namespace gantry::coordinator {

class StateBuilder {
 public:
  StateBuilder() : fsm_(&state_) {}
  StateBuilder(const StateBuilder&) = delete;  // fsm_ points into this object
  StateBuilder& operator=(const StateBuilder&) = delete;

  StateBuilder& Ce(const std::string& name, uint32_t max_vcpus = 256, protocol::Labels selector = {}) {
    Command c{CommandType::kCreateComputeEnvironment};
    protocol::ComputeEnvironment ce;
    ce.computeEnvironmentName = name;
    ce.maxvCpus = max_vcpus;
    ce.selector = std::move(selector);
    c.computeEnvironment = ce;
    return Run(c);
  }
  StateBuilder& Queue(const std::string& name, const std::string& ce, uint32_t priority = 1) {
    Command c{CommandType::kCreateJobQueue};
    protocol::JobQueue q;
    q.jobQueueName = name;
    q.priority = priority;
    q.computeEnvironmentOrder = {{1, ce}};
    c.jobQueue = q;
    return Run(c);
  }
  StateBuilder& Def(const std::string& name) {
    Command c{CommandType::kRegisterJobDefinition};
    protocol::JobDefinition d;
    d.jobDefinitionName = name;
    d.command = {"true"};
    c.jobDefinition = d;
    return Run(c);
  }
  StateBuilder& Node(const std::string& id, uint32_t vcpus = 4, protocol::Labels labels = {}) {
    Command c{CommandType::kUpsertNode};
    protocol::Node n;
    n.nodeId = id;
    n.bootId = "boot";
    n.capacity = {vcpus, 8192, 10000};
    n.labels = std::move(labels);
    c.node = n;
    return Run(c);
  }
  StateBuilder& Submit(const std::string& id, const std::string& queue, uint32_t vcpus = 1) {
    Command c{CommandType::kSubmitJob};
    SubmitJobCommand s;
    s.jobId = id;
    s.request.jobName = "n" + id;
    s.request.jobQueue = queue;
    s.request.jobDefinition = "d";
    s.request.vcpus = vcpus;
    c.submitJob = s;
    return Run(c);
  }
  StateBuilder& Place(const std::string& job, const std::string& node, const std::string& ce) {
    Command c{CommandType::kApplyPlan};
    c.plan = ApplyPlanCommand{{{job, node, ce}}};
    return Run(c);
  }
  StateBuilder& End(const std::string& attempt, const std::string& node, int32_t code) {
    Command c{CommandType::kAttemptEnded};
    protocol::AttemptEnded e;
    e.nodeId = node;
    e.bootId = "boot";
    e.attemptId = attempt;
    e.exitCode = code;
    e.logTail = "tail";
    c.attemptEnded = e;
    return Run(c);
  }
  StateBuilder& Array(const std::string& id, const std::string& queue, uint32_t size) {
    Command c{CommandType::kSubmitJob};
    SubmitJobCommand s;
    s.jobId = id;
    s.request.jobName = "a" + id;
    s.request.jobQueue = queue;
    s.request.jobDefinition = "d";
    s.request.arraySize = size;
    c.submitJob = s;
    return Run(c);
  }
  StateBuilder& Cancel(const std::string& id) {
    Command c{CommandType::kCancelJob};
    c.stopJob = StopJobCommand{id, "cancelled by test"};
    return Run(c);
  }
  StateBuilder& Control(const std::string& node, std::optional<protocol::NodeControl> control) {
    Command c{CommandType::kControlNode};
    c.controlNode = ControlNodeCommand{node, std::move(control)};
    return Run(c);
  }
  // Applies `c` as the next command; its time is the index + 1000 ms
  // unless `at` is given.
  StateBuilder& Run(Command& c, std::optional<int64_t> at = std::nullopt) {
    c.at = at.value_or(1000 + static_cast<int64_t>(index_));
    WriteBatch b;
    auto r = fsm_.Apply(c, index_++, b);
    if (!r.ok()) throw std::runtime_error(r.status().ToString());
    return *this;
  }
  const ClusterState& state() const { return state_; }

 private:
  ClusterState state_;
  Fsm fsm_;
  uint64_t index_ = 1;
};

}  // namespace gantry::coordinator
