// Invariant checks shared by the fuzz targets in this directory.
//
// A broken invariant prints what broke and aborts: libFuzzer reports the
// abort as a crash and saves the input, and the corpus replay test
// (replay_main.cc) fails on it, so the same check guards both builds.
// Test-only, header-only.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "gantry/status.h"

namespace gantry::fuzz {

[[noreturn]] inline void Fail(std::string_view what, const Status& s = Status::Ok()) {
  std::fprintf(stderr, "fuzz invariant broken: %.*s %s\n", static_cast<int>(what.size()), what.data(),
               s.ok() ? "" : s.ToString().c_str());
  std::abort();
}

inline void Check(bool ok, std::string_view what, const Status& s = Status::Ok()) {
  if (!ok) Fail(what, s);
}

// A decoder's refusal: kInvalidArgument with a message saying why. Any other
// code (kInternal, kCorruption, ...) would tell the peer the wrong thing.
inline void CheckRejected(const Status& s, std::string_view what) {
  Check(s.code() == StatusCode::kInvalidArgument, what, s);
  Check(!s.message().empty(), what, s);
}

}  // namespace gantry::fuzz
