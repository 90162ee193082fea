#include "sim/util/input_file.h"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace moeplan {

long long check_input_file(const std::string& path, std::string_view what) {
  namespace fs = std::filesystem;
  auto fail = [&](const std::string& why) {
    throw std::runtime_error(fmt::format("{}: {} file {}", path, what, why));
  };
  std::error_code ec;
  const auto status = fs::status(path, ec);
  if (ec || !fs::exists(status)) fail("does not exist (check the path)");
  if (fs::is_directory(status)) fail("is a directory; name a file in it");
  if (!fs::is_regular_file(status)) fail("is not a regular file (a FIFO, socket or device); save it to a file first");
  const auto bytes = fs::file_size(path, ec);
  if (ec) fail(fmt::format("cannot be read: {}", ec.message()));
  if (static_cast<long long>(bytes) > kMaxInputFileBytes)
    fail(fmt::format("is {:.1f} GB; the limit is {} GiB", static_cast<double>(bytes) / 1e9, kMaxInputFileBytes >> 30));
  return static_cast<long long>(bytes);
}

std::string read_input_file(const std::string& path, std::string_view what) {
  const auto bytes = static_cast<std::size_t>(check_input_file(path, what));
  auto fail = [&](const std::string& why) {
    throw std::runtime_error(fmt::format("{}: {} file {}", path, what, why));
  };
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("cannot be opened for reading (check its permissions)");
  std::string text(bytes, '\0');
  in.read(text.data(), static_cast<std::streamsize>(bytes));
  if (in.gcount() != static_cast<std::streamsize>(bytes)) fail("could not be read to its end");
  return text;
}

std::string json_brief(const nlohmann::json& v) {
  if (v.is_array()) return fmt::format("an array of {} entr{}", v.size(), v.size() == 1 ? "y" : "ies");
  if (v.is_object()) return fmt::format("an object of {} field{}", v.size(), v.size() == 1 ? "" : "s");
  if (v.is_string() && v.get_ref<const std::string&>().size() > 40)
    return nlohmann::json(v.get_ref<const std::string&>().substr(0, 40)).dump(-1, ' ', false,
                                                                             nlohmann::json::error_handler_t::replace) +
           "...";
  return v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace moeplan
