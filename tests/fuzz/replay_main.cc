// The main of a fuzz target's replay test: runs LLVMFuzzerTestOneInput on
// every file of each directory (or file) named on the command line, in name
// order. A broken invariant aborts inside the target, which fails the test;
// so do an empty or missing corpus, which would otherwise pass silently.
//
// Usage: <target>_replay DIR_OR_FILE...
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

namespace fs = std::filesystem;

std::vector<fs::path> Inputs(const fs::path& arg) {
  std::vector<fs::path> out;
  std::error_code ec;
  if (fs::is_directory(arg, ec)) {
    for (const auto& e : fs::directory_iterator(arg, ec)) {
      if (e.is_regular_file()) out.push_back(e.path());
    }
    std::sort(out.begin(), out.end());
  } else if (fs::is_regular_file(arg, ec)) {
    out.push_back(arg);
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s DIR_OR_FILE...\n", argv[0]);
    return 2;
  }
  size_t total = 0;
  for (int i = 1; i < argc; ++i) {
    const std::vector<fs::path> inputs = Inputs(argv[i]);
    if (inputs.empty()) {
      std::fprintf(stderr, "no input files in %s\n", argv[i]);
      return 1;
    }
    for (const fs::path& p : inputs) {
      std::ifstream in(p, std::ios::binary);
      const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      if (!in.good() && !in.eof()) {
        std::fprintf(stderr, "cannot read %s\n", p.c_str());
        return 1;
      }
      // Printed first, so the input that aborts is the last one named.
      std::fprintf(stderr, "replaying %s (%zu bytes)\n", p.c_str(), bytes.size());
      LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
      ++total;
    }
  }
  std::printf("replayed %zu inputs without a broken invariant\n", total);
  return 0;
}
