// GANTRY_CHECK: a broken invariant is a bug, not an error. Log and abort, so
// that a replica never continues from a state it cannot explain.
#pragma once

#include <cstdio>
#include <cstdlib>

#define GANTRY_CHECK(cond)                                                          \
  do {                                                                              \
    if (!(cond)) {                                                                  \
      std::fprintf(stderr, "gantry: check failed at %s:%d: %s\n", __FILE__, __LINE__, \
                   #cond);                                                          \
      std::abort();                                                                 \
    }                                                                               \
  } while (0)

#define GANTRY_CHECK_MSG(cond, msg)                                                  \
  do {                                                                               \
    if (!(cond)) {                                                                   \
      std::fprintf(stderr, "gantry: check failed at %s:%d: %s (%s)\n", __FILE__,     \
                   __LINE__, #cond, std::string(msg).c_str());                       \
      std::abort();                                                                  \
    }                                                                                \
  } while (0)
