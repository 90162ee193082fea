// moeplan: plan and simulate MoE training on GPU clusters.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "sim/cli/commands.h"
#include "sim/util/check.h"
#include "sim/util/diagnostics.h"

int main(int argc, char** argv) {
  CLI::App app{"moeplan: cluster planner and simulator for mixture-of-experts training"};
  app.require_subcommand(1);
  moeplan::cli::add_simulate_command(app);
  moeplan::cli::add_validate_command(app);
  moeplan::cli::add_topo_command(app);
  moeplan::cli::add_plan_command(app);
  moeplan::cli::add_schedule_command(app);
  moeplan::cli::add_placement_command(app);
  moeplan::cli::add_compare_command(app);
  moeplan::cli::add_calibrate_command(app);
  moeplan::cli::add_estimate_command(app);
  moeplan::cli::add_sweep_command(app);
  moeplan::cli::add_search_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;  // --help is 0; every bad flag or value is a usage error
  } catch (const moeplan::ConfigError& e) {
    fmt::print(stderr, "{}", e.what());
    return 2;
  } catch (const moeplan::InvariantError& e) {
    fmt::print(stderr, "{}\nThis is a bug in moeplan; please report it with the scenario.\n", e.what());
    return 70;
  } catch (const std::exception& e) {
    fmt::print(stderr, "error: {}\n", moeplan::printable(e.what()));
    return 1;
  }
  return 0;
}
