// Command builders shared by the replication tests.
#pragma once

#include <string>

#include "coordinator/fsm/command.h"

namespace gantry::coordinator::test_commands {

inline Command Ce(const std::string& name) {
  Command c;
  c.type = CommandType::kCreateComputeEnvironment;
  c.computeEnvironment.emplace();
  c.computeEnvironment->computeEnvironmentName = name;
  c.computeEnvironment->maxvCpus = 64;
  return c;
}

inline Command Queue(const std::string& name, const std::string& ce) {
  Command c;
  c.type = CommandType::kCreateJobQueue;
  c.jobQueue.emplace();
  c.jobQueue->jobQueueName = name;
  c.jobQueue->computeEnvironmentOrder = {{1, ce}};
  return c;
}

inline Command Def(const std::string& name) {
  Command c;
  c.type = CommandType::kRegisterJobDefinition;
  c.jobDefinition.emplace();
  c.jobDefinition->jobDefinitionName = name;
  c.jobDefinition->command = {"true"};
  c.jobDefinition->resources = {1, 128, 0};
  return c;
}

inline Command Submit(const std::string& id, const std::string& queue, const std::string& token = "") {
  Command c;
  c.type = CommandType::kSubmitJob;
  SubmitJobCommand s;
  s.jobId = id;
  s.request.jobName = "job-" + id;
  s.request.jobQueue = queue;
  s.request.jobDefinition = "d";
  if (!token.empty()) s.request.clientToken = token;
  c.submitJob = s;
  return c;
}

}  // namespace gantry::coordinator::test_commands
