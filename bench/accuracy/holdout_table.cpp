// moeplan-holdout-table GPU compare/*.json: the held-out accuracy table
// (bench/accuracy/holdout.sh, docs/calibration.md) from `moeplan compare --json`
// files, one per program: per-program step error, then per-kind error summed
// over programs, as markdown, with the median and largest |step error|.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <vector>

#include "sim/trace/compare.h"

int main(int argc, char** argv) {
  if (argc < 3) {
    fmt::print(stderr, "usage: moeplan-holdout-table GPU compare.json...\n");
    return 2;
  }
  const std::string gpu = argv[1];
  struct Sum {
    double sim = 0, meas = 0;
    int programs = 0;
  };
  std::map<std::string, Sum> by_kind;
  std::vector<double> step_errors;
  fmt::print("| program ({}) | simulated step ms | measured step ms | step error |\n|---|---:|---:|---:|\n", gpu);
  for (int i = 2; i < argc; ++i) {
    const auto j = moeplan::trace::read_json_file(argv[i]);
    const double sim = j.at("simulated_step_s").get<double>(), meas = j.at("measured_step_s").get<double>();
    const double err = j.at("step_relative_error").get<double>();
    step_errors.push_back(std::abs(err));
    fmt::print("| {} | {:.3f} | {:.3f} | {:+.1f}% |\n", std::filesystem::path(argv[i]).stem().string(), sim * 1e3,
               meas * 1e3, 100 * err);
    for (const auto& k : j.at("kinds")) {
      auto& s = by_kind[k.at("kind").get<std::string>()];
      s.sim += k.at("simulated_s").get<double>();
      s.meas += k.at("measured_s").get<double>();
      ++s.programs;
    }
  }
  std::sort(step_errors.begin(), step_errors.end());
  const auto n = step_errors.size();
  const double median = n % 2 ? step_errors[n / 2] : (step_errors[n / 2 - 1] + step_errors[n / 2]) / 2;
  fmt::print("\n{} programs: median |step error| {:.1f}%, max {:.1f}%\n\n", n, 100 * median, 100 * step_errors.back());
  fmt::print("| kind ({}) | programs | simulated ms | measured ms | error |\n|---|---:|---:|---:|---:|\n", gpu);
  for (const auto& [kind, s] : by_kind)
    fmt::print("| {} | {} | {:.3f} | {:.3f} | {:+.1f}% |\n", kind, s.programs, s.sim * 1e3, s.meas * 1e3,
               s.meas > 0 ? 100 * (s.sim - s.meas) / s.meas : 0.0);
  return 0;
}
