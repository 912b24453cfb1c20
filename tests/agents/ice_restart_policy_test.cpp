#include "rtc/ice_restart_policy.hpp"

#include <gtest/gtest.h>

namespace tincan::agents {
namespace {

using std::chrono::milliseconds;

TEST(IceRestartPolicy, RestartsABoundedNumberOfTimesEachAfterTwiceTheWait) {
    IceRestartPolicy policy(3, milliseconds(1000));
    EXPECT_EQ(policy.next(0.5), milliseconds(1000));
    EXPECT_EQ(policy.next(0.5), milliseconds(2000));
    EXPECT_EQ(policy.next(0.5), milliseconds(4000));
    EXPECT_EQ(policy.next(0.5), std::nullopt); // used up: the peer is dropped
    EXPECT_EQ(policy.attempts(), 3U);
}

TEST(IceRestartPolicy, WaitsAreSpreadByTwentyPercent) {
    IceRestartPolicy low(3, milliseconds(1000));
    IceRestartPolicy high(3, milliseconds(1000));
    EXPECT_EQ(low.next(0.0), milliseconds(800));
    EXPECT_EQ(high.next(0.999), milliseconds(1199));
    EXPECT_EQ(low.next(0.0), milliseconds(1600));
}

TEST(IceRestartPolicy, AConnectionThatCameUpAgainStartsTheCountAfresh) {
    IceRestartPolicy policy(2, milliseconds(500));
    ASSERT_TRUE(policy.next(0.5));
    ASSERT_TRUE(policy.next(0.5));
    EXPECT_FALSE(policy.next(0.5));
    policy.connected();
    EXPECT_EQ(policy.next(0.5), milliseconds(500));
}

} // namespace
} // namespace tincan::agents
