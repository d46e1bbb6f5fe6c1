// Default addresses, shared by the client, the agent and `gantry dev`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace gantry {

// `gantry dev` listens here by default, so a client needs no flags.
inline constexpr uint16_t kDefaultBasePort = 7400;
// Client API of the first (or only) coordinator: the base port itself.
inline std::string DefaultEndpoint() {
  return "tcp://127.0.0.1:" + std::to_string(kDefaultBasePort);
}
// A replica's Raft address defaults to its client port plus this, so `gantry
// dev`'s replicas take 7400-7404 for clients and 7420-7424 for Raft.
inline constexpr int kRaftPortOffset = 20;
// `gantry dev`'s replicas serve the AWS Batch HTTP API at the client port
// plus this: http://127.0.0.1:7480-7482.
inline constexpr int kHttpPortOffset = 80;
// What a client tries with no --endpoint and no GANTRY_ENDPOINT: the three
// replicas of `gantry dev` (the first is also a lone coordinator's default).
inline std::vector<std::string> DefaultEndpoints() {
  std::vector<std::string> out;
  for (int i = 0; i < 3; ++i) out.push_back("tcp://127.0.0.1:" + std::to_string(kDefaultBasePort + i));
  return out;
}
// The environment variable that overrides the client's endpoint list.
inline constexpr const char* kEndpointEnv = "GANTRY_ENDPOINT";

}  // namespace gantry
