#pragma once

// When a bot restarts ICE on a connection that failed: at most `max_attempts` restarts in a row,
// the n-th after base * 2^(n-1), spread by +-20 % so that many peers failing together (a network
// change of the bot's host) do not all re-offer at once; a connection that comes up again starts
// the count afresh. Past the last attempt the peer is dropped: its next offer starts a new
// connection. The caller passes the random part, so tests are exact.

#include <chrono>
#include <optional>

namespace tincan::agents {

class IceRestartPolicy {
public:
    IceRestartPolicy(unsigned max_attempts, std::chrono::milliseconds base)
        : max_attempts_(max_attempts), base_(base) {}

    /// The wait before the next restart, or nothing when the attempts are used up. `random` is
    /// uniform in [0, 1).
    std::optional<std::chrono::milliseconds> next(double random) {
        if (attempts_ >= max_attempts_) {
            return std::nullopt;
        }
        const double spread = 0.8 + 0.4 * random;
        const auto wait = base_ * (1LL << attempts_);
        ++attempts_;
        return std::chrono::milliseconds(static_cast<long long>(wait.count() * spread));
    }

    /// The connection is up again.
    void connected() { attempts_ = 0; }

    unsigned attempts() const { return attempts_; }

private:
    unsigned max_attempts_;
    std::chrono::milliseconds base_;
    unsigned attempts_ = 0;
};

} // namespace tincan::agents
