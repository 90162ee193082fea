#include "runtime/plan/preflight.h"

#include <fmt/format.h>

#include <sstream>

#include "runtime/plan/comm_channels.h"
#include "runtime/plan/compute_mapping.h"

namespace moeplan::runtime {

std::vector<std::string> preflight_problems(const program::Program& p, const LocalMachine& m, int ranks_here,
                                            const std::string& path) {
  std::vector<std::string> problems;
  if (m.gpus.empty()) {
    problems.push_back("no CUDA GPU is visible (cudaGetDeviceCount found none): run on a machine with NVIDIA GPUs, "
                       "check the driver and CUDA_VISIBLE_DEVICES");
    return problems;
  }
  if (static_cast<int>(m.gpus.size()) < ranks_here)
    problems.push_back(fmt::format("{}: the program has {} ranks but this machine has {} GPU{} ({}): plan a scenario "
                                   "with at most {} GPUs, or launch with mpirun across nodes",
                                   path, ranks_here, m.gpus.size(), m.gpus.size() == 1 ? "" : "s", m.gpus[0].name,
                                   m.gpus.size()));
  CommPlan plan;
  try {
    plan = plan_comm_channels(p);
  } catch (const std::exception& e) {
    problems.push_back(fmt::format("{}: {}", path, e.what()));
    return problems;
  }
  for (int r = 0; r < p.world_size && r < static_cast<int>(m.gpus.size()); ++r) {
    const double need = plan_rank_buffers(p, plan.index, r).total_bytes();
    const auto& gpu = m.gpus[static_cast<std::size_t>(r % static_cast<int>(m.gpus.size()))];
    if (need > 0.95 * gpu.memory_bytes)
      problems.push_back(fmt::format("{}: rank {} needs about {:.1f} GiB of device memory, above 95% of the {:.1f} GiB "
                                     "of GPU {} ({}): plan a smaller model or micro-batch",
                                     path, r, need / (1 << 30), gpu.memory_bytes / (1 << 30), r, gpu.name));
  }
  return problems;
}

std::string to_text(const LocalMachine& m) {
  std::string s;
  for (const auto& g : m.gpus) s += fmt::format("{}\t{}\n", g.name, g.memory_bytes);
  return s;
}

LocalMachine local_machine_from_text(const std::string& text) {
  LocalMachine m;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    const auto tab = line.rfind('\t');
    if (tab == std::string::npos) continue;
    m.gpus.push_back({line.substr(0, tab), std::stod(line.substr(tab + 1))});
  }
  return m;
}

}  // namespace moeplan::runtime
