#pragma once

#include <algorithm>
#include <chrono>

namespace tincan::server {

/// Message rate limit per connection: `rate` tokens per second up to `burst`. Refused messages
/// still cost a token, so a client that keeps flooding runs into debt and `exhausted()` tells
/// the session to close it.
class TokenBucket {
public:
    using Clock = std::chrono::steady_clock;

    TokenBucket(double rate, double burst) : rate_(rate), burst_(burst), tokens_(burst) {}

    /// Takes one token; false when the message must be refused.
    bool take(Clock::time_point now = Clock::now()) {
        const std::chrono::duration<double> dt = now - last_;
        last_ = now;
        tokens_ = std::min(burst_, tokens_ + dt.count() * rate_);
        tokens_ -= 1;
        return tokens_ >= 0;
    }

    /// The client kept sending a whole burst's worth while already limited.
    bool exhausted() const { return tokens_ < -burst_; }

private:
    double rate_;
    double burst_;
    double tokens_;
    Clock::time_point last_ = Clock::now();
};

} // namespace tincan::server
