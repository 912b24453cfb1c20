#pragma once

// A peer's budget of received data-channel messages, shared by all channels of its connection
// and checked on webrtcbin's thread as a message arrives, before it hops to the main loop: a
// flood over the budget is dropped unread (never parsed, never ACKed), so it cannot keep the one
// main loop of every bot and peer busy. Thread-safe.

#include "util/token_bucket.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

namespace tincan::agents {

/// Messages a second on average, and the largest burst.
struct MessageRate {
    double per_second;
    double burst;
};

/// A peer's budget: the web app's (docs/web.md), so no client that the web app itself would
/// serve is cut short by a bot.
inline constexpr MessageRate peer_message_rate{2000, 20000};

class MessageBudget {
public:
    using Clock = std::function<TokenBucket::Clock::time_point()>;

    /// `name` is the peer's, for the log line. `clock` is for tests.
    explicit MessageBudget(std::string name, MessageRate rate = peer_message_rate,
                           Clock clock = TokenBucket::Clock::now);

    /// Whether one more message of the peer may be read (any thread). A refused one is counted,
    /// and logged at most once a second.
    bool admit();
    /// Messages refused so far.
    std::uint64_t dropped() const noexcept { return dropped_; }
    /// Log lines written about refused messages so far.
    std::uint64_t warnings() const noexcept { return warnings_; }

private:
    std::string name_;
    MessageRate rate_;
    Clock clock_;
    std::mutex mutex_;
    TokenBucket bucket_;                      ///< guarded by mutex_
    TokenBucket::Clock::time_point next_log_; ///< guarded by mutex_
    std::atomic<std::uint64_t> dropped_{0};
    std::atomic<std::uint64_t> warnings_{0};
};

} // namespace tincan::agents
