#include "runtime/launch/rank_environment.h"

#include <cstdlib>
#include <stdexcept>

namespace moeplan::runtime {

namespace {

std::optional<int> read_int(const GetEnv& getenv, const char* name) {
  const char* text = getenv(name);
  if (text == nullptr || *text == '\0') return std::nullopt;
  char* end = nullptr;
  const long value = std::strtol(text, &end, 10);
  if (*end != '\0' || value < 0 || value > 1'000'000)
    throw std::runtime_error(std::string("environment variable ") + name + "=\"" + text +
                             "\" is not a rank or size (expected a non-negative integer)");
  return static_cast<int>(value);
}

std::optional<RankEnvironment> read_launcher(const GetEnv& getenv, const char* launcher, const char* rank_var,
                                             const char* size_var, const char* local_var) {
  const auto rank = read_int(getenv, rank_var);
  const auto size = read_int(getenv, size_var);
  if (!rank && !size) return std::nullopt;
  if (!rank || !size)
    throw std::runtime_error(std::string(launcher) + " launcher: " + (rank ? size_var : rank_var) +
                             " is not set although " + (rank ? rank_var : size_var) + " is");
  if (*rank >= *size)
    throw std::runtime_error(std::string(rank_var) + "=" + std::to_string(*rank) + " is not below " + size_var +
                             "=" + std::to_string(*size));
  RankEnvironment e{.rank = *rank, .size = *size, .local_rank = *rank, .launcher = launcher};
  if (const auto local = read_int(getenv, local_var)) e.local_rank = *local;
  return e;
}

}  // namespace

std::optional<RankEnvironment> rank_from_environment(const GetEnv& getenv) {
  if (auto e = read_launcher(getenv, "open-mpi", "OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE",
                             "OMPI_COMM_WORLD_LOCAL_RANK"))
    return e;
  if (auto e = read_launcher(getenv, "pmi", "PMI_RANK", "PMI_SIZE", "MPI_LOCALRANKID")) {
    if (const auto local = read_int(getenv, "PMI_LOCAL_RANK")) e->local_rank = *local;
    return e;
  }
  return std::nullopt;
}

std::optional<RankEnvironment> rank_from_environment() {
  return rank_from_environment([](const char* name) { return std::getenv(name); });
}

}  // namespace moeplan::runtime
