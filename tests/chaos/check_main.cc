// gantry-chaos-check HISTORY_FILE: reads a chaos history (JSON lines, see
// history.h), prints the checker's table and exits 0 when every invariant
// held, 1 on any violation, 2 when the history cannot be read or parsed.
#include <cstdio>
#include <string>

#include "tests/chaos/checker.h"
#include "tests/chaos/history.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s HISTORY_FILE\n", argc > 0 ? argv[0] : "gantry-chaos-check");
    return 2;
  }
  gantry::Result<gantry::chaos::History> history = gantry::chaos::ReadHistoryFile(argv[1]);
  if (!history.ok()) {
    std::fprintf(stderr, "gantry-chaos-check: %s\n", history.status().message().c_str());
    return 2;
  }
  const gantry::chaos::CheckResult result = gantry::chaos::Check(*history);
  std::fputs(gantry::chaos::FormatTable(result).c_str(), stdout);
  return gantry::chaos::Ok(result) ? 0 : 1;
}
