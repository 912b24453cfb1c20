#pragma once

// A token bucket: `rate` tokens a second flow in, at most `burst` are kept, each admitted event
// takes one. Kept as the time the bucket would be full again (GCRA), in whole nanoseconds, so
// refills are exact however often it is asked. Time comes from the caller (tests pass their own
// clock); not thread-safe.

#include <algorithm>
#include <chrono>
#include <cmath>

namespace tincan::agents {

class TokenBucket {
public:
    using Clock = std::chrono::steady_clock;

    /// Starts full: a burst is admitted at once. `rate` > 0, `burst` >= 1.
    TokenBucket(double rate, double burst, Clock::time_point now)
        : cost_(std::max<long long>(1, std::llround(1e9 / rate))),
          window_(cost_ * static_cast<long long>(burst)), full_at_(now) {}

    /// Takes one token if there is one at `now`. Time going backwards adds nothing.
    bool take(Clock::time_point now) {
        const auto full_at = std::max(full_at_, now) + cost_;
        if (full_at - now > window_) {
            return false;
        }
        full_at_ = full_at;
        return true;
    }

    /// Whole tokens left at `now`.
    long long tokens(Clock::time_point now) const {
        const auto owed = std::max(full_at_, now) - now;
        return (window_ - owed) / cost_;
    }

private:
    std::chrono::nanoseconds cost_;   ///< time one token takes to flow in
    std::chrono::nanoseconds window_; ///< time the whole burst takes to flow in
    Clock::time_point full_at_;       ///< when every token taken so far has flowed in again
};

} // namespace tincan::agents
