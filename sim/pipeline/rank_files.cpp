#include "sim/pipeline/rank_files.h"

#include <charconv>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>
#include <unistd.h>

#include "sim/program/program_json.h"
#include "sim/util/atomic_file.h"
#include "sim/program/rank_program.h"
#include "sim/workload/build_program.h"

namespace moeplan::pipeline {

namespace fs = std::filesystem;

namespace {

double resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  double pages_total = 0, pages_resident = 0;
  statm >> pages_total >> pages_resident;
  return pages_resident * static_cast<double>(::sysconf(_SC_PAGESIZE));
}

int parse_int(std::string_view s, const std::string& text) {
  int v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size() || s.empty())
    throw std::invalid_argument(fmt::format("--ranks \"{}\": \"{}\" is not a rank number", text, s));
  return v;
}

}  // namespace

std::string rank_file_name(int rank) { return fmt::format("rank-{:05d}.json", rank); }

std::vector<int> parse_rank_list(const std::string& text, int world) {
  std::set<int> ranks;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto comma = text.find(',', start);
    const auto part = std::string_view(text).substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    const auto dash = part.find('-');
    const int lo = parse_int(part.substr(0, dash), text);
    const int hi = dash == std::string_view::npos ? lo : parse_int(part.substr(dash + 1), text);
    if (lo < 0 || hi >= world || lo > hi)
      throw std::invalid_argument(fmt::format("--ranks \"{}\": \"{}\" is outside 0-{} (the scenario has {} ranks)",
                                              text, part, world - 1, world));
    for (int r = lo; r <= hi; ++r) ranks.insert(r);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return {ranks.begin(), ranks.end()};
}

ProgramSizeEstimate estimate_program_size(const config::Scenario& sc, const plan::ValidatedPlan& vp) {
  const double before = resident_bytes();
  const auto one = workload::build_program(sc, vp, {.reduced = false, .pipeline = 0});
  const double grown = std::max(0.0, resident_bytes() - before);
  const auto pipelines = static_cast<double>(vp.layout.pipelines());
  return {one.ops.size() * static_cast<std::size_t>(vp.layout.pipelines()), grown * pipelines};
}

RankFilesResult write_rank_files(const config::Scenario& sc, const plan::ValidatedPlan& vp, const std::string& folder,
                                 const RankFilesOptions& opt) {
  const auto& layout = vp.layout;
  std::vector<int> ranks = opt.ranks;
  if (ranks.empty())
    for (int r = 0; r < layout.world(); ++r) ranks.push_back(r);
  std::map<int, std::vector<int>> by_pipeline;  // data-parallel index -> its selected ranks
  for (int r : ranks) by_pipeline[layout.pipeline_of(r)].push_back(r);

  std::error_code ec;
  fs::create_directories(folder, ec);
  if (ec) throw std::runtime_error(fmt::format("{}: cannot create the folder: {}", folder, ec.message()));
  fs::remove(fs::path(folder) / "manifest.json", ec);  // a set being rewritten is incomplete until the end

  RankFilesResult result;
  nlohmann::json files = nlohmann::json::array();
  int done = 0;
  for (const auto& [d, selected] : by_pipeline) {
    const auto pipeline = workload::build_program(sc, vp, {.reduced = false, .stop = opt.stop, .pipeline = d});
    for (int r : selected) {
      const auto path = (fs::path(folder) / rank_file_name(r)).string();
      const auto rank = program::rank_program(pipeline, r);
      program::write_program(rank, path);
      result.ops += rank.ops.size();
      result.bytes += static_cast<double>(fs::file_size(path, ec));
      ++result.files;
      files.push_back({{"rank", r}, {"file", rank_file_name(r)}, {"ops", rank.ops.size()}});
    }
    if (opt.progress) opt.progress(++done, static_cast<int>(by_pipeline.size()));
  }
  const nlohmann::json manifest{{"schema", "moeplan-rank-programs"},
                                {"scenario", sc.name},
                                {"world_size", layout.world()},
                                {"complete", static_cast<int>(ranks.size()) == layout.world()},
                                {"files", files}};
  write_file_atomically((fs::path(folder) / "manifest.json").string(),
                        [&](std::ostream& out) { out << manifest.dump(1) << "\n"; });
  return result;
}

}  // namespace moeplan::pipeline
