#include "runtime/report/merge_traces.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>

#include "sim/trace/compare.h"

namespace moeplan::runtime {

MergedRun merge_partial_traces(const program::Program& p, const std::vector<std::string>& files) {
  MergedRun run;
  run.trace.source = "runtime";
  auto benches = nlohmann::json::array();
  auto steps = nlohmann::json::object();
  std::string gpu;
  for (std::size_t r = 0; r < files.size(); ++r) {
    if (!std::filesystem::exists(files[r])) {
      ++run.missing_ranks;
      run.errors.push_back(fmt::format("rank {}: wrote no trace ({})", r, files[r]));
      continue;
    }
    std::ifstream in(files[r]);
    nlohmann::json j;
    in >> j;
    auto t = trace::trace_from_json(j, p, files[r]);
    run.trace.records.insert(run.trace.records.end(), t.records.begin(), t.records.end());
    if (j.contains("gpu")) gpu = j["gpu"].get<std::string>();
    if (j.contains("error")) {  // the rank's own messages already start with "rank <r>: "
      const auto e = j["error"].get<std::string>();
      const auto own = fmt::format("rank {}: ", r);
      run.errors.push_back(e.rfind(own, 0) == 0 ? e : own + e);
    }
    if (j.contains("all_to_all_bench"))
      for (auto b : j["all_to_all_bench"]) {
        b["rank"] = r;
        benches.push_back(b);
      }
    if (j.contains("step_times_s") && !j["step_times_s"].empty()) {
      auto v = j["step_times_s"].get<std::vector<double>>();
      steps[std::to_string(r)] = v;
      std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
      run.step_time_s = std::max(run.step_time_s, v[v.size() / 2]);
    }
  }
  std::sort(run.trace.records.begin(), run.trace.records.end(),
            [](const auto& a, const auto& b) { return a.start_s < b.start_s; });
  for (const auto& op : p.ops)
    if (op.part == program::Part::Loss && op.pass == program::Pass::F) run.tokens_per_step += static_cast<double>(op.tokens);
  run.tokens_per_step *= p.replicas;
  run.json = trace::to_json(run.trace, p);
  run.json["gpu"] = gpu;
  run.json["step_time_s"] = run.step_time_s;
  run.json["tokens_per_step"] = run.tokens_per_step;
  run.json["rank_step_times_s"] = steps;
  run.json["all_to_all_bench"] = benches;
  if (!run.errors.empty()) {
    run.json["partial"] = true;
    run.json["errors"] = run.errors;
  }
  return run;
}

std::string summary_text(const program::Program& p, const MergedRun& run) {
  std::string s = fmt::format("{}: {} ranks on {}: step {:.3f} ms (max over ranks of the median step), {:.0f} tokens/s\n",
                              p.scenario, p.world_size, run.json.value("gpu", "?"), run.step_time_s * 1e3,
                              run.step_time_s > 0 ? run.tokens_per_step / run.step_time_s : 0.0);
  std::vector<std::string> order;
  std::map<std::string, std::pair<int, double>> busy;
  for (const auto& r : run.trace.records) {
    if (!trace::counts_in_kind_time(p.op(r.op))) continue;
    const auto kind = trace::op_kind(p.op(r.op));
    if (!busy.count(kind)) order.push_back(kind);
    busy[kind].first++;
    busy[kind].second += r.duration_s();
  }
  s += fmt::format("{:<24} {:>5} {:>12}\n", "op kind", "ops", "summed ms");
  for (const auto& k : order) s += fmt::format("{:<24} {:>5} {:>12.3f}\n", k, busy[k].first, busy[k].second * 1e3);
  for (const auto& b : run.json["all_to_all_bench"])
    s += fmt::format("all-to-all rank {} op {}: {:.1f} MB sent, grouped send/recv {:.1f} us, ncclAlltoAll same bytes "
                     "{:.1f} us: ratio {:.3f} (own part moved the other way: {:.1f} us)\n",
                     b["rank"].get<int>(), b["op"].get<int>(), b["bytes_sent"].get<double>() / 1e6,
                     b["grouped_send_recv_s"].get<double>() * 1e6, b["nccl_alltoall_s"].get<double>() * 1e6,
                     b["ratio"].get<double>(), b.value("self_part_other_way_s", 0.0) * 1e6);
  for (const auto& e : run.errors) s += "error: " + e + "\n";
  return s;
}

}  // namespace moeplan::runtime
