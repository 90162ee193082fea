// moeplan-profile-kernels: measures the cost model's primitives on this
// machine's GPU 0 and writes a kernel profile for the simulator
// (docs/calibration.md):
//   moeplan-profile-kernels -o calibration/h100-sxm5.json [--quick]
#include <CLI/CLI.hpp>
#include <cstdio>
#include <fmt/format.h>

#include "runtime/profile/kernel_profiler.h"
#include "sim/cost/kernel_profile.h"
#include "sim/util/atomic_file.h"

int main(int argc, char** argv) {
  CLI::App app{"Measure GEMMs, attention and memory-bound kernels on GPU 0 and write a kernel profile"};
  std::string out;
  bool quick = false;
  app.add_option("-o,--output", out, "profile to write (JSON)")->required();
  app.add_flag("--quick", quick, "a coarse grid: a smoke test, not a calibration");
  CLI11_PARSE(app, argc, argv);
  try {
    moeplan::runtime::ProfileOptions options;
    options.quick = quick;
    options.progress = [](const std::string& s) { std::fprintf(stderr, "moeplan-profile-kernels: %s\n", s.c_str()); };
    const auto j = moeplan::runtime::profile_kernels(options);
    const auto text = j.dump(1);
    moeplan::cost::KernelProfile::parse(text, out);  // the simulator must read what we write
    moeplan::write_file_atomically(out, [&](std::ostream& o) { o << text << "\n"; });
    std::fprintf(stderr, "moeplan-profile-kernels: %zu GEMMs, %zu attention, %zu kernel points -> %s\n",
                 j["gemm"].size(), j["attention"].size(), j["kernels"].size(), out.c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "moeplan-profile-kernels: %s\n", e.what());
    return 1;
  }
  return 0;
}
