#include "runtime/launch/run_options.h"

#include <gtest/gtest.h>

namespace moeplan::runtime {
namespace {

RunOptions parse(std::vector<std::string> args) {
  CLI::App app;
  RunOptions o;
  add_run_options(app, o);
  std::reverse(args.begin(), args.end());  // CLI11 takes the vector reversed
  app.parse(args);
  return o;
}

TEST(RunOptions, DefaultsAreTwoWarmupFiveMeasuredSixtySecondTimeout) {
  const auto o = parse({"program.json"});
  EXPECT_EQ(o.program_path, "program.json");
  EXPECT_EQ(o.trace_path, "measured.json");
  EXPECT_EQ(o.warmup_steps, 2);
  EXPECT_EQ(o.measured_steps, 5);
  EXPECT_DOUBLE_EQ(o.timeout_s, 60);
  EXPECT_FALSE(o.check);
  EXPECT_EQ(work_dir_of(o), "measured.json.d");
}

TEST(RunOptions, ParsesEveryOption) {
  const auto o = parse({"p.json", "--trace", "m.json", "--chrome", "c.json", "--warmup", "1", "--steps", "3", "--check",
                        "--timeout", "5", "--work-dir", "/tmp/w"});
  EXPECT_EQ(o.trace_path, "m.json");
  EXPECT_EQ(o.chrome_path, "c.json");
  EXPECT_EQ(o.warmup_steps, 1);
  EXPECT_EQ(o.measured_steps, 3);
  EXPECT_TRUE(o.check);
  EXPECT_DOUBLE_EQ(o.timeout_s, 5);
  EXPECT_EQ(work_dir_of(o), "/tmp/w");
}

TEST(RunOptions, InjectHangTakesRankAndStep) {
  const auto none = parse({"p.json"});
  EXPECT_EQ(none.hang_rank, -1);
  const auto o = parse({"p.json", "--inject-hang", "1:3"});
  EXPECT_EQ(o.hang_rank, 1);
  EXPECT_EQ(o.hang_step, 3);
  EXPECT_THROW(parse({"p.json", "--inject-hang", "1"}), CLI::ValidationError);
  EXPECT_THROW(parse({"p.json", "--inject-hang", "a:b"}), CLI::ValidationError);
  EXPECT_THROW(parse({"p.json", "--inject-hang", "-1:2"}), CLI::ValidationError);
}

TEST(RunOptions, RejectsZeroMeasuredStepsAndAMissingProgram) {
  EXPECT_THROW(parse({"p.json", "--steps", "0"}), CLI::ValidationError);
  EXPECT_THROW(parse({}), CLI::RequiredError);
}

}  // namespace
}  // namespace moeplan::runtime
