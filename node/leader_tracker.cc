#include "node/leader_tracker.h"

#include <string_view>

#include "gantry/check.h"

namespace gantry::node {

LeaderTracker::LeaderTracker(size_t connections) : connections_(connections) {}

bool LeaderTracker::OnStatusAck(size_t connection) {
  GANTRY_CHECK(connection < connections_);
  if (leader_ == connection) return false;
  leader_ = connection;
  return true;
}

bool LeaderTracker::OnUnavailable(size_t connection) { return Forget(connection); }

bool LeaderTracker::OnDisconnected(size_t connection) { return Forget(connection); }

bool LeaderTracker::Forget(size_t connection) {
  GANTRY_CHECK(connection < connections_);
  // A follower's refusal or drop says nothing about who leads.
  if (leader_ != connection) return false;
  leader_.reset();
  return true;
}

std::vector<size_t> LeaderTracker::ReportTargets() const {
  if (leader_) return {*leader_};
  std::vector<size_t> all(connections_);
  for (size_t i = 0; i < connections_; ++i) all[i] = i;
  return all;
}

bool LeaderTracker::IsReportTarget(size_t connection) const {
  return connection < connections_ && (!leader_ || *leader_ == connection);
}

bool IsNotLeaderReply(const protocol::ErrorReply& reply) {
  return StatusCodeFromInt(reply.code) == StatusCode::kUnavailable &&
         std::string_view(reply.message).starts_with("not the leader");
}

}  // namespace gantry::node
