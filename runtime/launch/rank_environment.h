// Where this process sits in the job when a site launcher started it: MPI
// launchers export the rank and size (Open MPI: OMPI_COMM_WORLD_*; MPICH,
// Intel MPI, Slurm's PMI: PMI_*). Read without linking MPI.
#pragma once

#include <functional>
#include <optional>
#include <string>

namespace moeplan::runtime {

struct RankEnvironment {
  int rank = 0;
  int size = 1;
  int local_rank = 0;    // index among the ranks of this node: picks the GPU
  std::string launcher;  // "open-mpi" or "pmi"
};

using GetEnv = std::function<const char*(const char*)>;

// nullopt when no launcher variables are set (moeplan-run then forks its own
// ranks). Throws std::runtime_error naming the variable when one is malformed.
std::optional<RankEnvironment> rank_from_environment(const GetEnv& getenv);
std::optional<RankEnvironment> rank_from_environment();  // the process environment

}  // namespace moeplan::runtime
