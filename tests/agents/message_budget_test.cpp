#include "rtc/message_budget.hpp"
#include "util/token_bucket.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace tincan::agents {
namespace {

using namespace std::chrono_literals;
using Time = TokenBucket::Clock::time_point;

/// Takes tokens until one is refused; how many were given.
int drain(TokenBucket& bucket, Time now) {
    int taken = 0;
    while (bucket.take(now)) {
        ++taken;
    }
    return taken;
}

TEST(TokenBucket, StartsFullAndGivesItsBurstAtOnce) {
    const Time t0{};
    TokenBucket bucket(10, 50, t0);
    EXPECT_EQ(drain(bucket, t0), 50);
    EXPECT_FALSE(bucket.take(t0));
}

TEST(TokenBucket, RefillsAtItsRateUpToTheBurst) {
    const Time t0{};
    TokenBucket bucket(10, 50, t0);
    drain(bucket, t0);
    EXPECT_FALSE(bucket.take(t0 + 99ms)); // 0.99 tokens
    EXPECT_TRUE(bucket.take(t0 + 100ms));
    EXPECT_FALSE(bucket.take(t0 + 100ms));
    EXPECT_EQ(drain(bucket, t0 + 1100ms), 10); // one second: ten more
    // A long pause fills it up to the burst, not beyond.
    EXPECT_EQ(drain(bucket, t0 + 1h), 50);
}

TEST(TokenBucket, TimeGoingBackwardsAddsNothing) {
    const Time t0 = Time{} + 10s;
    TokenBucket bucket(10, 5, t0);
    drain(bucket, t0);
    EXPECT_FALSE(bucket.take(t0 - 5s));
    EXPECT_FALSE(bucket.take(t0 + 50ms)); // still owed from before, no credit for the step back
    EXPECT_TRUE(bucket.take(t0 + 100ms));
}

TEST(TokenBucket, TheBotsBudgetIsTheWebAppsBudget) {
    // docs/web.md: 2 000 frames a second on average, bursts of 20 000.
    const Time t0{};
    TokenBucket bucket(peer_message_rate.per_second, peer_message_rate.burst, t0);
    EXPECT_EQ(drain(bucket, t0), 20000);
    EXPECT_EQ(drain(bucket, t0 + 1s), 2000);
}

TEST(MessageBudget, CountsWhatItRefusesAndWarnsAtMostOnceASecond) {
    Time now{};
    MessageBudget budget("peer", {.per_second = 1, .burst = 3}, [&] { return now; });
    for (int i = 0; i < 3; ++i) {
        EXPECT_TRUE(budget.admit());
    }
    for (int i = 0; i < 1000; ++i) {
        EXPECT_FALSE(budget.admit());
    }
    EXPECT_EQ(budget.dropped(), 1000u);
    EXPECT_EQ(budget.warnings(), 1u);
    now += 999ms;
    EXPECT_FALSE(budget.admit());
    EXPECT_EQ(budget.warnings(), 1u);
    now += 1ms; // a token, and a second since the warning
    EXPECT_TRUE(budget.admit());
    EXPECT_FALSE(budget.admit());
    EXPECT_EQ(budget.dropped(), 1002u);
    EXPECT_EQ(budget.warnings(), 2u);
}

} // namespace
} // namespace tincan::agents
