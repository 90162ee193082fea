#include "sim/util/units.h"

#include <gtest/gtest.h>

namespace moeplan {
namespace {

TEST(Units, ParsesBandwidthsInBytesAndBits) {
  EXPECT_DOUBLE_EQ(*parse_quantity("160 GB/s", Dimension::BytesPerSecond), 160e9);
  EXPECT_DOUBLE_EQ(*parse_quantity("400 Gb/s", Dimension::BytesPerSecond), 50e9);
  EXPECT_DOUBLE_EQ(*parse_quantity("3.35TB/s", Dimension::BytesPerSecond), 3.35e12);
}

TEST(Units, ParsesBinaryAndDecimalSizes) {
  EXPECT_DOUBLE_EQ(*parse_quantity("80 GiB", Dimension::Bytes), 80.0 * 1024 * 1024 * 1024);
  EXPECT_DOUBLE_EQ(*parse_quantity("80 GB", Dimension::Bytes), 80e9);
}

TEST(Units, ParsesComputeRatesAndDurations) {
  EXPECT_DOUBLE_EQ(*parse_quantity("989 TFLOPS", Dimension::FlopsPerSecond), 989e12);
  EXPECT_DOUBLE_EQ(*parse_quantity("3 us", Dimension::Seconds), 3e-6);
  EXPECT_DOUBLE_EQ(*parse_quantity("1.5 ms", Dimension::Seconds), 1.5e-3);
}

TEST(Units, RejectsWrongDimensionAndExplainsWhy) {
  std::string why;
  EXPECT_FALSE(parse_quantity("160 GB", Dimension::BytesPerSecond, &why));
  EXPECT_NE(why.find("not a bandwidth"), std::string::npos) << why;
  EXPECT_FALSE(parse_quantity("fast", Dimension::Seconds, &why));
  EXPECT_NE(why.find("does not start with a number"), std::string::npos) << why;
  EXPECT_FALSE(parse_quantity("80", Dimension::Bytes, &why));
  EXPECT_NE(why.find("has no unit"), std::string::npos) << why;
}

// A rate of zero would make a transfer or a kernel never end (SimGrid aborts
// on a zero-bandwidth link), and one that overflows to infinity makes it free.
TEST(Units, RejectsZeroAndOverflowingRates) {
  std::string why;
  EXPECT_FALSE(parse_quantity("0 GB/s", Dimension::BytesPerSecond, &why));
  EXPECT_NE(why.find("greater than zero"), std::string::npos) << why;
  EXPECT_FALSE(parse_quantity("0 TFLOPS", Dimension::FlopsPerSecond, &why));
  EXPECT_NE(why.find("greater than zero"), std::string::npos) << why;
  EXPECT_FALSE(parse_quantity("1e308 TB/s", Dimension::BytesPerSecond, &why));
  EXPECT_NE(why.find("too large"), std::string::npos) << why;
  EXPECT_FALSE(parse_quantity("1e300 TiB", Dimension::Bytes, &why));
  EXPECT_NE(why.find("too large"), std::string::npos) << why;
  EXPECT_TRUE(parse_quantity("0 us", Dimension::Seconds));  // a zero latency is a fine idealisation
}

}  // namespace
}  // namespace moeplan
