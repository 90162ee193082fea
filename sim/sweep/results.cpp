#include "sim/sweep/results.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/util/csv.h"

namespace moeplan::sweep {

const std::vector<std::string>& metric_columns() {
  static const std::vector<std::string> columns{
      "gpus",           "step_time_s",          "tokens_per_s_per_gpu", "mfu",
      "memory_per_gpu_bytes", "memory_headroom_bytes", "gpu_hours_per_trillion_tokens", "bubble_fraction",
      "exposed_comm_s", "attention_s",          "experts_s",            "dense_s",
      "other_compute_s", "exposed_all_to_all_s", "exposed_pp_s",        "exposed_dp_s",
      "bubble_s"};
  return columns;
}

std::map<std::string, double> metrics_of(const nlohmann::json& report, double hbm_bytes) {
  std::map<std::string, double> m;
  for (const auto* key : {"gpus", "step_time_s", "tokens_per_s_per_gpu", "mfu", "memory_per_gpu_bytes",
                          "gpu_hours_per_trillion_tokens", "bubble_fraction", "exposed_comm_s"})
    if (report.contains(key)) m[key] = report.at(key).get<double>();
  if (report.contains("breakdown"))
    for (const auto& [key, v] : report.at("breakdown").items()) m[key] = v.get<double>();
  if (m.contains("memory_per_gpu_bytes")) m["memory_headroom_bytes"] = hbm_bytes - m["memory_per_gpu_bytes"];
  return m;
}

std::vector<std::string> header(const std::vector<std::string>& fields) {
  std::vector<std::string> h{"index", "of", "shard", "hash", "tier", "status", "reason"};
  h.insert(h.end(), fields.begin(), fields.end());
  h.insert(h.end(), metric_columns().begin(), metric_columns().end());
  h.push_back("wall_s");
  return h;
}

std::string format_row(const Row& r, const std::vector<std::string>& fields, Format f) {
  if (f == Format::Jsonl) {
    nlohmann::ordered_json j{{"index", r.index}, {"of", r.of},         {"shard", r.shard},  {"hash", r.hash},
                             {"tier", r.tier},   {"status", r.status}, {"reason", r.reason}};
    for (std::size_t i = 0; i < fields.size(); ++i) j[fields[i]] = r.values[i];
    for (const auto& c : metric_columns())
      if (auto it = r.metrics.find(c); it != r.metrics.end()) j[c] = it->second;
    j["wall_s"] = r.wall_s;
    return j.dump() + "\n";
  }
  std::vector<std::string> cells{std::to_string(r.index), std::to_string(r.of), r.shard, r.hash, r.tier, r.status,
                                 r.reason};
  cells.insert(cells.end(), r.values.begin(), r.values.end());
  for (const auto& c : metric_columns()) {
    const auto it = r.metrics.find(c);
    cells.push_back(it == r.metrics.end() ? "" : fmt::format("{}", it->second));
  }
  cells.push_back(fmt::format("{:.6f}", r.wall_s));
  return csv_line(cells);
}

std::optional<ResultsFile> read_results(const std::string& path, Format f, Diagnostics& diag,
                                        std::size_t* truncated_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    diag.add(path, 0, "", fmt::format("cannot read: {}", std::strerror(errno)));
    return std::nullopt;
  }
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  // A kill during a write can leave a last line without its newline: drop it.
  const auto end = text.rfind('\n');
  const std::size_t keep = end == std::string::npos ? 0 : end + 1;
  if (truncated_bytes) *truncated_bytes = text.size() - keep;
  text.resize(keep);
  ResultsFile out;
  std::istringstream lines(text);
  int line_no = 0;
  for (std::string line; std::getline(lines, line);) {
    ++line_no;
    if (line.empty()) continue;
    if (f == Format::Jsonl) {
      auto j = nlohmann::ordered_json::parse(line, nullptr, false);
      if (j.is_discarded() || !j.is_object()) {
        diag.add(path, line_no, "", "not a JSON object: not a sweep results file (--format jsonl)");
        return std::nullopt;
      }
      std::map<std::string, std::string> row;
      for (const auto& [k, v] : j.items()) row[k] = v.is_string() ? v.get<std::string>() : v.dump();
      if (out.columns.empty())
        for (const auto& [k, v] : j.items()) out.columns.push_back(k);
      out.rows.push_back(std::move(row));
      out.objects.push_back(std::move(j));
      continue;
    }
    const auto cells = split_csv_line(line);
    if (!cells) {
      diag.add(path, line_no, "", "a quote is left open: not a sweep results file");
      return std::nullopt;
    }
    if (out.columns.empty()) {
      out.columns = *cells;
      if (std::find(out.columns.begin(), out.columns.end(), "hash") == out.columns.end()) {
        diag.add(path, 1, "", "no `hash` column in the header: not a sweep results file");
        return std::nullopt;
      }
      continue;
    }
    if (cells->size() != out.columns.size()) {
      diag.add(path, line_no, "", fmt::format("{} cells, but the header has {} columns", cells->size(),
                                              out.columns.size()));
      return std::nullopt;
    }
    std::map<std::string, std::string> row;
    for (std::size_t i = 0; i < cells->size(); ++i) row[out.columns[i]] = (*cells)[i];
    out.rows.push_back(std::move(row));
  }
  return out;
}

ResultsWriter::ResultsWriter(const std::string& path, std::vector<std::string> fields, Format f)
    : path_(path), fields_(std::move(fields)), format_(f) {
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) throw std::runtime_error(fmt::format("{}: cannot open for writing: {}", path, std::strerror(errno)));
  struct stat st {};
  if (::fstat(fd_, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
    // Cut a partial last line (a kill mid-write) so the next row starts clean.
    std::ifstream in(path, std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto end = text.rfind('\n');
    const auto keep = end == std::string::npos ? 0 : end + 1;
    if (keep != text.size() && ::ftruncate(fd_, static_cast<off_t>(keep)) != 0)
      throw std::runtime_error(fmt::format("{}: cannot cut a partial last line: {}", path, std::strerror(errno)));
    if (keep > 0) return;
  }
  if (format_ == Format::Csv) write_all(csv_line(header(fields_)));
}

ResultsWriter::~ResultsWriter() {
  if (fd_ >= 0) ::close(fd_);
}

void ResultsWriter::write_all(const std::string& text) {
  std::size_t done = 0;
  while (done < text.size()) {
    const auto n = ::write(fd_, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw std::runtime_error(fmt::format("{}: write failed: {}", path_, std::strerror(errno)));
    done += static_cast<std::size_t>(n);
  }
}

void ResultsWriter::write(const Row& r) {
  const auto line = format_row(r, fields_, format_);
  std::lock_guard lock(mutex_);
  write_all(line);
}

Format format_of(const std::string& name) {
  if (name == "jsonl") return Format::Jsonl;
  if (name == "csv") return Format::Csv;
  throw std::invalid_argument(fmt::format("format \"{}\": choose csv or jsonl", name));
}

}  // namespace moeplan::sweep
