// The `moeplan` subcommands. Each parses its arguments, calls the core and
// prints; none holds planning logic of its own.
#pragma once

#include <CLI/CLI.hpp>

namespace moeplan::cli {

void add_simulate_command(CLI::App& app);
void add_validate_command(CLI::App& app);
void add_topo_command(CLI::App& app);
void add_plan_command(CLI::App& app);
void add_schedule_command(CLI::App& app);
void add_placement_command(CLI::App& app);
void add_compare_command(CLI::App& app);
void add_calibrate_command(CLI::App& app);
void add_estimate_command(CLI::App& app);
void add_sweep_command(CLI::App& app);
void add_search_command(CLI::App& app);


}  // namespace moeplan::cli
