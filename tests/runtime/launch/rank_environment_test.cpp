#include "runtime/launch/rank_environment.h"

#include <gtest/gtest.h>

#include <map>

namespace moeplan::runtime {
namespace {

GetEnv env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const char* name) -> const char* {
    const auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  };
}

TEST(RankEnvironment, NoLauncherVariablesMeansNoLauncher) { EXPECT_FALSE(rank_from_environment(env_of({}))); }

TEST(RankEnvironment, ReadsOpenMpiRankSizeAndLocalRank) {
  const auto e = rank_from_environment(env_of(
      {{"OMPI_COMM_WORLD_RANK", "5"}, {"OMPI_COMM_WORLD_SIZE", "8"}, {"OMPI_COMM_WORLD_LOCAL_RANK", "1"}}));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->rank, 5);
  EXPECT_EQ(e->size, 8);
  EXPECT_EQ(e->local_rank, 1);
  EXPECT_EQ(e->launcher, "open-mpi");
}

TEST(RankEnvironment, ReadsPmiAndDefaultsLocalRankToRank) {
  const auto e = rank_from_environment(env_of({{"PMI_RANK", "3"}, {"PMI_SIZE", "4"}}));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->rank, 3);
  EXPECT_EQ(e->local_rank, 3);
  EXPECT_EQ(e->launcher, "pmi");
}

TEST(RankEnvironment, RejectsMalformedOrInconsistentVariables) {
  EXPECT_THROW(rank_from_environment(env_of({{"PMI_RANK", "x"}, {"PMI_SIZE", "4"}})), std::runtime_error);
  EXPECT_THROW(rank_from_environment(env_of({{"PMI_RANK", "4"}, {"PMI_SIZE", "4"}})), std::runtime_error);
  EXPECT_THROW(rank_from_environment(env_of({{"OMPI_COMM_WORLD_RANK", "0"}})), std::runtime_error);
}

}  // namespace
}  // namespace moeplan::runtime
