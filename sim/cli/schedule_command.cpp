#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <map>
#include <sstream>

#include "sim/cli/commands.h"
#include "sim/schedule/format.h"
#include "sim/schedule/generate.h"
#include "sim/schedule/timeline.h"

namespace moeplan::cli {
namespace {

schedule::OpDurations parse_times(const std::string& text) {
  schedule::OpDurations d;
  std::map<std::string, double*> fields{{"F", &d.f_s}, {"B", &d.b_s}, {"Bi", &d.bi_s}, {"W", &d.w_s}, {"FB", &d.fb_s}};
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    const auto eq = item.find('=');
    const auto it = eq == std::string::npos ? fields.end() : fields.find(item.substr(0, eq));
    if (it == fields.end())
      throw CLI::ValidationError("--times", fmt::format("\"{}\": expected KEY=VALUE with KEY one of F, B, Bi, W, FB", item));
    const auto value = item.substr(eq + 1);
    double seconds = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    if (ec != std::errc() || end != value.data() + value.size() || !std::isfinite(seconds) || seconds < 0)
      throw CLI::ValidationError("--times", fmt::format("\"{}\": {} is not a time; expected a number >= 0", item, value));
    *it->second = seconds;
  }
  return d;
}

}  // namespace

void add_schedule_command(CLI::App& app) {
  struct Args {
    std::string kind, format = "text", times = "F=1,B=2,Bi=1,W=1,FB=3";
    int pp = 4, microbatches = 8, chunks = 2;
  };
  auto args = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("schedule", "Print a pipeline schedule's per-rank op order");
  cmd->add_option("kind", args->kind, "1f1b | interleaved | zb1p | dualpipe | dualpipev")
      ->required()
      ->check(CLI::IsMember(schedule::kind_names()));
  cmd->add_option("--pp", args->pp, "Pipeline ranks (devices)")->required();
  cmd->add_option("--microbatches", args->microbatches, "Micro-batches per step")->required();
  cmd->add_option("--chunks", args->chunks, "Model chunks per device (interleaved)");
  cmd->add_option("--format", args->format, "text | json | trace")->check(CLI::IsMember({"text", "json", "trace"}));
  cmd->add_option("--times", args->times, "Op times for --format trace, e.g. F=1,B=2,W=1,FB=3");
  cmd->callback([args] {
    const auto s = schedule::generate(schedule::parse_kind(args->kind), args->pp, args->microbatches, args->chunks);
    if (args->format == "text") {
      fmt::print("{}", schedule::to_text(s));
    } else if (args->format == "json") {
      fmt::print("{}\n", schedule::to_json(s).dump(1));
    } else {
      const auto t = schedule::evaluate_timeline(s, parse_times(args->times));
      if (t.deadlocked()) throw std::runtime_error(t.deadlock_report());
      fmt::print("{}\n", schedule::to_chrome_trace(s, t).dump());
    }
  });
}

}  // namespace moeplan::cli
