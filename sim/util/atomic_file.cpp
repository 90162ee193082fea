#include "sim/util/atomic_file.h"

#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <stdexcept>

namespace moeplan {

namespace {

// A target that exists and is not a regular file (/dev/stdout, a FIFO, a
// device) is written in place: renaming over it would replace it.
void write_in_place(const std::string& path, const std::function<void(std::ostream&)>& write) {
  std::ofstream out(path, std::ios::binary);
  if (!out) throw std::runtime_error(fmt::format("{}: cannot open for writing", path));
  write(out);
  out.flush();
  if (!out) throw std::runtime_error(fmt::format("{}: write failed (disk full?)", path));
}

}  // namespace

void write_file_atomically(const std::string& path, const std::function<void(std::ostream&)>& write) {
  std::error_code ec;
  if (std::filesystem::exists(path, ec) && !std::filesystem::is_regular_file(path, ec)) {
    if (std::filesystem::is_directory(path, ec))
      throw std::runtime_error(fmt::format("{}: is a folder; give a file name", path));
    write_in_place(path, write);
    return;
  }
  const auto tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out)
      throw std::runtime_error(fmt::format("{}: cannot open for writing (check the folder exists and is writable)", path));
    write(out);
    out.flush();
    if (!out) {
      out.close();
      std::filesystem::remove(tmp, ec);
      throw std::runtime_error(fmt::format("{}: write failed (disk full?)", path));
    }
  }
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::error_code ignored;
    std::filesystem::remove(tmp, ignored);
    throw std::runtime_error(fmt::format("{}: cannot replace the file: {}", path, ec.message()));
  }
}

}  // namespace moeplan
