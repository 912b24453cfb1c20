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
