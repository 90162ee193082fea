// moeplan-profile-kernels: measures the cost model's primitives on this
// machine's GPU 0 and writes a kernel profile for the simulator
// (docs/calibration.md):
//   moeplan-profile-kernels -o calibration/h100-sxm5.json [--quick]
//   moeplan-profile-kernels -o calibration/h100-sxm5.json --only latent_attention --merge
//     (re-measures one section; the file's other sections stay as they are)
#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>

#include "runtime/profile/kernel_profiler.h"
#include "sim/cost/kernel_profile.h"
#include "sim/util/atomic_file.h"

int main(int argc, char** argv) {
  CLI::App app{"Measure GEMMs, attention and memory-bound kernels on GPU 0 and write a kernel profile"};
  std::string out;
  bool quick = false, merge = false;
  std::vector<std::string> only;
  app.add_option("-o,--output", out, "profile to write (JSON)")->required();
  app.add_flag("--quick", quick, "a coarse grid: a smoke test, not a calibration");
  app.add_option("--only", only, "sections to measure: gemm, attention, latent_attention, kernels (default: all)")
      ->delimiter(',');
  app.add_flag("--merge", merge, "keep the output file's other sections (and its device record): replace only "
                                 "the sections measured now");
  CLI11_PARSE(app, argc, argv);
  try {
    moeplan::runtime::ProfileOptions options;
    options.quick = quick;
    options.only = only;
    options.progress = [](const std::string& s) { std::fprintf(stderr, "moeplan-profile-kernels: %s\n", s.c_str()); };
    auto j = moeplan::runtime::profile_kernels(options);
    if (merge && std::filesystem::exists(out)) {
      std::ifstream in(out);
      auto base = nlohmann::json::parse(in);
      for (const auto& name : moeplan::runtime::profile_sections())
        if (j.contains(name)) base[name] = j[name];
      base["merged"][fmt::format("{}", fmt::join(only, ","))] = j["device"];  // what was re-measured, where and when
      j = std::move(base);
    }
    for (const auto& name : moeplan::runtime::profile_sections())
      if (!j.contains(name)) j[name] = nlohmann::json::array();
    const auto text = j.dump(1);
    moeplan::cost::KernelProfile::parse(text, out);  // the simulator must read what we write
    moeplan::write_file_atomically(out, [&](std::ostream& o) { o << text << "\n"; });
    std::fprintf(stderr, "moeplan-profile-kernels: %zu GEMMs, %zu attention, %zu latent attention, %zu kernel points -> %s\n",
                 j["gemm"].size(), j["attention"].size(), j["latent_attention"].size(), j["kernels"].size(), out.c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "moeplan-profile-kernels: %s\n", e.what());
    return 1;
  }
  return 0;
}
