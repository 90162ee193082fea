// Reading a file a user named, checked in turn before it is opened (as
// hotspot's perfparser does): it exists, is a regular file (a FIFO would block
// and a directory reads as an I/O error), is at most kMaxInputFileBytes, and
// reads whole. Each failure is a std::runtime_error "<path>: <what> file ...".
// Also: a JSON value shown briefly in a message, without recursing into it.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace moeplan {

// 16 GiB: larger than any program moeplan writes as one file (the 2048-GPU
// program is ~5 GB) and than the memory of a usual workstation.
inline constexpr long long kMaxInputFileBytes = 16LL << 30;

// `what` names the kind of file in messages ("program", "trace", "calibration").
// Returns the file's size in bytes.
long long check_input_file(const std::string& path, std::string_view what);
std::string read_input_file(const std::string& path, std::string_view what);

// A scalar as JSON text (control characters escaped; long strings cut at 40
// characters); an array or object as "an array of N entries" / "an object of
// N fields": never a recursion into a value of unbounded depth.
std::string json_brief(const nlohmann::json& v);

}  // namespace moeplan
