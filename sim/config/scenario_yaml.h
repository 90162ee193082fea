// Writes a scenario back as YAML, so that an editor can save what it loaded:
// load -> write -> load gives an identical scenario. File references (model
// config.json, GPU file, topology, routing load file) stay references,
// rewritten relative to the folder of the file being written; inline model and
// GPU sections are written inline. Not preserved: comments, key order beyond
// the canonical one, YAML anchors, and how a value was spelled ("400 Gb/s" is
// written as "5e+10 B/s", the same quantity).
#pragma once

#include <string>

#include "sim/config/scenario.h"

namespace moeplan::config {

// The scenario as YAML text; references are made relative to `target_path`'s folder.
std::string to_yaml(const Scenario& s, const std::string& target_path);

// Writes to_yaml(s, path) to `path` through a temporary file and a rename, so
// a failed write never leaves half a scenario; throws std::runtime_error naming the file.
void write_scenario(const Scenario& s, const std::string& path);

// True when two scenarios describe the same thing (every parsed field; not
// where they were read from or the line numbers of their fields).
bool same_scenario(const Scenario& a, const Scenario& b);

}  // namespace moeplan::config
