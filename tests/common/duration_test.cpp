#include "tincan/common/duration.hpp"

#include <gtest/gtest.h>

using tincan::common::parse_duration;
using namespace std::chrono_literals;

// The server's --ws-timeout/--turn-credential-ttl and the agents' --ping-period-seconds and
// --reconnect-delay take Go durations, as the original's flags (PROTOCOL.md 8.1, 8.2).
TEST(Duration, GoDurationsAndPlainSeconds) {
    EXPECT_EQ(parse_duration("3s"), 3s);
    EXPECT_EQ(parse_duration("500ms"), 500ms);
    EXPECT_EQ(parse_duration("1m30s"), 90s);
    EXPECT_EQ(parse_duration("2h"), 7200s);
    EXPECT_EQ(parse_duration("1.5s"), 1500ms);
    EXPECT_EQ(parse_duration("2s500ms"), 2500ms);
    EXPECT_EQ(parse_duration("1.5h"), 5400s);
    EXPECT_EQ(parse_duration("1500000us"), 1500ms);
    EXPECT_EQ(parse_duration("1500000µs"), 1500ms);
    EXPECT_EQ(parse_duration("2000000000ns"), 2s);
    EXPECT_EQ(parse_duration("+4s"), 4s);
    EXPECT_EQ(parse_duration("45"), 45s); // a plain number: seconds
    EXPECT_EQ(parse_duration("0"), 0ms);
}

TEST(Duration, RefusesWhatGoRefuses) {
    for (const char* bad : {"", "-1s", "-5s", "1x", "10x", "s", "1.2.3s", "1s2"}) {
        EXPECT_FALSE(parse_duration(bad)) << bad;
    }
}

// The original's flags go through kong to time.ParseDuration: a number without a unit is an
// error there (PROTOCOL.md 8.1), with Go's message.
TEST(Duration, GoParseDurationRefusesANumberWithoutAUnitWithGosMessage) {
    using tincan::common::parse_go_duration;
    std::string error;
    EXPECT_FALSE(parse_go_duration("10", &error));
    EXPECT_EQ(error, R"(time: missing unit in duration "10")");
    EXPECT_FALSE(parse_go_duration("10x", &error));
    EXPECT_EQ(error, R"(time: unknown unit "x" in duration "10x")");
    EXPECT_FALSE(parse_go_duration("", &error));
    EXPECT_EQ(error, R"(time: invalid duration "")");
    for (const char* bad : {"00", "1s2", ".s", "-", "s", "1.2.3s", "3000000h"}) {
        EXPECT_FALSE(parse_go_duration(bad)) << bad;
    }
    EXPECT_EQ(parse_go_duration("0"), 0ns);
    EXPECT_EQ(parse_go_duration("-0"), 0ns);
    EXPECT_EQ(parse_go_duration("-1.5s"), -1500ms);
    EXPECT_EQ(parse_go_duration(".5s"), 500ms);
    EXPECT_EQ(parse_go_duration("5.s"), 5s);
    EXPECT_EQ(parse_go_duration("1h2m3.5s"), 3723500ms);
    EXPECT_EQ(parse_go_duration("1µs"), 1us);
    EXPECT_EQ(parse_go_duration("2562047h"), 2562047h);
}
