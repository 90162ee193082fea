// A sweep's results file: one row per (configuration, tier), CSV with a
// header or JSON lines. Every row is one complete line written with one
// write(2) to a file opened for appending, so a killed sweep loses at most
// the rows in flight, and `--resume` finds what is done by configuration hash.
//
// Columns: index, of, shard, hash, tier, status, reason, one per axis field,
// then the metrics (metric_columns()), then wall_s. status is ok, invalid
// (the configuration does not validate: reason says why) or error (the run
// failed: reason holds its message and last stderr lines).
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/util/diagnostics.h"

namespace moeplan::sweep {

enum class Format { Csv, Jsonl };

const std::vector<std::string>& metric_columns();

struct Row {
  std::size_t index = 0, of = 0;
  std::string shard = "0/1";
  std::string hash, tier, status, reason;
  std::vector<std::string> values;        // per axis field
  std::map<std::string, double> metrics;  // of metric_columns(); absent: empty cell
  double wall_s = 0;
};

// The metrics of a report (moeplan simulate --report JSON), with the memory
// headroom against `hbm_bytes`.
std::map<std::string, double> metrics_of(const nlohmann::json& report, double hbm_bytes);

std::vector<std::string> header(const std::vector<std::string>& fields);
std::string format_row(const Row& r, const std::vector<std::string>& fields, Format f);

// Rows already in a results file, by column name (CSV header or JSON keys).
struct ResultsFile {
  std::vector<std::string> columns;
  std::vector<std::map<std::string, std::string>> rows;  // JSON values as text, strings unquoted
  std::vector<nlohmann::ordered_json> objects;           // JSON lines only: each row as read
};
// Reads a results file; a last line cut short by a kill is dropped (and
// reported in `truncated_bytes`). Problems (not a results file, columns
// differing from `expected` when given) go to `diag`.
std::optional<ResultsFile> read_results(const std::string& path, Format f, Diagnostics& diag,
                                        std::size_t* truncated_bytes = nullptr);

// Appends rows to a results file, one write(2) each, under a lock; writes
// the header first when the file is new or empty, and cuts a partial last line.
class ResultsWriter {
 public:
  ResultsWriter(const std::string& path, std::vector<std::string> fields, Format f);
  ~ResultsWriter();
  ResultsWriter(const ResultsWriter&) = delete;
  ResultsWriter& operator=(const ResultsWriter&) = delete;
  void write(const Row& r);

 private:
  void write_all(const std::string& text);
  std::string path_;
  std::vector<std::string> fields_;
  Format format_;
  int fd_ = -1;
  std::mutex mutex_;
};

Format format_of(const std::string& name);  // "csv" | "jsonl"

}  // namespace moeplan::sweep
