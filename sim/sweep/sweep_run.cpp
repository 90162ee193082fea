#include "sim/sweep/sweep_run.h"

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fmt/format.h>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

#include "sim/sweep/configurations.h"

namespace moeplan::sweep {

std::string Shard::text() const { return fmt::format("{}/{}", index, count); }

Shard Shard::parse(const std::string& text) {
  Shard s;
  const auto slash = text.find('/');
  try {
    if (slash == std::string::npos) throw std::invalid_argument("");
    std::size_t a = 0, b = 0;
    s.index = std::stoi(text.substr(0, slash), &a);
    s.count = std::stoi(text.substr(slash + 1), &b);
    if (a != slash || b != text.size() - slash - 1) throw std::invalid_argument("");
  } catch (const std::exception&) {
    throw std::invalid_argument(fmt::format("--shard \"{}\": give i/n, e.g. 3/16 (i from 0 to n-1)", text));
  }
  if (s.count < 1 || s.index < 0 || s.index >= s.count)
    throw std::invalid_argument(fmt::format("--shard {}: i must be in 0..n-1 and n >= 1", text));
  return s;
}

std::vector<Tier> tiers_of(Tier t) {
  if (t == Tier::Both) return {Tier::Analytic, Tier::Des};
  return {t};
}

SweepProgress run_sweep(const SweepSpec& spec, const SweepOptions& opt) {
  const auto fields = spec.fields();
  namespace fs = std::filesystem;
  // What the results file already holds.
  std::set<std::string> done_hashes;
  std::error_code ec;
  const bool exists = fs::exists(opt.output, ec) && fs::file_size(opt.output, ec) > 0;
  if (exists && !opt.resume)
    throw std::runtime_error(fmt::format("{} exists: pass --resume to finish it, or remove it to start over",
                                         opt.output));
  if (exists) {
    Diagnostics diag;
    const auto existing = read_results(opt.output, opt.format, diag);
    if (!existing) throw ConfigError(diag);
    if (opt.format == Format::Csv && existing->columns != header(fields))
      throw std::runtime_error(fmt::format("{}: its columns differ from this sweep's ({} columns, expected {}): it was "
                                           "written by another sweep; write to another file",
                                           opt.output, existing->columns.size(), header(fields).size()));
    for (const auto& row : existing->rows)
      if (auto it = row.find("hash"); it != row.end()) done_hashes.insert(it->second);
  }

  // The work: this shard's configurations under each tier, less those done.
  struct Item {
    Configuration config;
    Tier tier;
    std::size_t of;
  };
  std::vector<Item> items;
  SweepProgress progress;
  for (const Tier tier : tiers_of(spec.tier)) {
    auto configs = configurations(spec, tier);
    const std::size_t of = configs.size();
    for (auto& c : configs) {
      if (static_cast<int>(c.index % static_cast<std::size_t>(opt.shard.count)) != opt.shard.index) continue;
      if (done_hashes.contains(c.hash)) {
        ++progress.skipped;
        continue;
      }
      items.push_back({std::move(c), tier, of});
    }
  }
  progress.total = items.size();

  ResultsWriter writer(opt.output, fields, opt.format);
  std::atomic<std::size_t> next{0};
  std::mutex progress_mutex, yaml_mutex;
  const auto t0 = std::chrono::steady_clock::now();
  std::exception_ptr failure;
  auto work = [&] {
    try {
      for (std::size_t i; (i = next++) < items.size();) {
        if (opt.stop.stop_requested()) return;
        const auto& item = items[i];
        std::string text;
        {
          std::lock_guard lock(yaml_mutex);  // the spec's YAML nodes are shared by the workers
          text = scenario_text(spec, item.config.point);
        }
        const auto e = evaluate(text, spec.base_path, item.tier, opt.evaluate, opt.stop);
        if (e.status == "cancelled") return;
        Row row;
        row.index = item.config.index;
        row.of = item.of;
        row.shard = opt.shard.text();
        row.hash = item.config.hash;
        row.tier = std::string(to_string(item.tier));
        row.status = e.status;
        row.reason = e.reason;
        row.values = item.config.values;
        row.metrics = e.metrics;
        row.wall_s = e.wall_s;
        writer.write(row);
        std::lock_guard lock(progress_mutex);
        ++progress.done;
        if (e.status == "invalid") ++progress.invalid;
        if (e.status == "error") ++progress.errors;
        progress.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        if (opt.progress) opt.progress(progress);
      }
    } catch (...) {
      std::lock_guard lock(progress_mutex);
      if (!failure) failure = std::current_exception();
      next = items.size();
    }
  };
  std::vector<std::jthread> workers;
  for (int j = 0; j < std::max(1, opt.jobs); ++j) workers.emplace_back(work);
  workers.clear();  // joins
  if (failure) std::rethrow_exception(failure);
  return progress;
}

}  // namespace moeplan::sweep
