// Topology and hardware files with values that cannot describe a machine are
// refused with file, line and field, not simulated.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "sim/config/gpu.h"
#include "sim/config/topology_file.h"
#include "tests/sim/scenario_text.h"
#include "tests/sim/test_paths.h"

namespace moeplan::config {
namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string temp_file(const std::string& text, const std::string& name) {
  const auto path = (std::filesystem::temp_directory_path() /
                     ("moeplan-" + name + "-" + std::to_string(::getpid()) + ".yaml")).string();
  std::ofstream(path) << text;
  return path;
}

// The diagnostics of loading the bundled topology `file` with `from` replaced by `to`.
std::string topology_errors(const std::string& file, const std::string& from, const std::string& to) {
  const auto path = temp_file(test::replace(read_text(test::source_path(file)), from, to), "topology");
  Diagnostics diag;
  load_topology(path, diag);
  std::filesystem::remove(path);
  return diag.to_string();
}

std::string gpu_errors(const std::string& from, const std::string& to) {
  const auto path = temp_file(test::replace(read_text(test::source_path("hardware/h800.yaml")), from, to), "gpu");
  Diagnostics diag;
  load_gpu_file(path, diag);
  std::filesystem::remove(path);
  return diag.to_string();
}

void expect_has(const std::string& errors, const std::string& part) {
  EXPECT_NE(errors.find(part), std::string::npos) << "\"" << part << "\" not in:\n" << errors;
}

TEST(HardwareFiles, RefuseAZeroNvlinkBandwidth) {
  const auto e = topology_errors("topologies/h800-node.yaml", "bandwidth: 160 GB/s", "bandwidth: 0 GB/s");
  expect_has(e, "nvlink.bandwidth");
  expect_has(e, "greater than zero");
}

TEST(HardwareFiles, RefuseABandwidthThatOverflows) {
  const auto e = topology_errors("topologies/h800-cluster-64.yaml", "bandwidth: 160 GB/s", "bandwidth: 1e308 TB/s");
  expect_has(e, "nvlink.bandwidth");
  expect_has(e, "too large");
}

TEST(HardwareFiles, RefuseAZeroNicBandwidth) {
  const auto e = topology_errors("topologies/h800-cluster-64.yaml", "bandwidth: 400 Gb/s   # ConnectX-7",
                                 "bandwidth: 0 Gb/s   # ConnectX-7");
  expect_has(e, "nic.bandwidth");
}

TEST(HardwareFiles, RefuseAZeroPeak) {
  expect_has(gpu_errors("bf16: 989 TFLOPS", "bf16: 0 TFLOPS"), "gpu.peak.bf16");
}

TEST(HardwareFiles, RefuseAZeroHbmBandwidthAndCapacity) {
  expect_has(gpu_errors("hbm_bandwidth: 3.35 TB/s", "hbm_bandwidth: 0 TB/s"), "gpu.hbm_bandwidth");
  expect_has(gpu_errors("hbm_capacity: 80 GB", "hbm_capacity: 0 GB"), "gpu.hbm_capacity");
}

TEST(HardwareFiles, RefuseAZeroOrNanEfficiency) {
  expect_has(gpu_errors("value: 0.9", "value: 0"), "gpu.efficiency.memory.value");
  expect_has(gpu_errors("value: 0.9", "value: .nan"), "gpu.efficiency.memory.value");
}

}  // namespace
}  // namespace moeplan::config
