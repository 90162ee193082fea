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

}  // namespace
}  // namespace moeplan
