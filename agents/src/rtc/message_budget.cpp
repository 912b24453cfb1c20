#include "rtc/message_budget.hpp"

#include <spdlog/spdlog.h>

namespace tincan::agents {

MessageBudget::MessageBudget(std::string name, MessageRate rate, Clock clock)
    : name_(std::move(name)), rate_(rate), clock_(std::move(clock)),
      bucket_(rate.per_second, rate.burst, clock_()), next_log_(clock_()) {}

bool MessageBudget::admit() {
    const auto now = clock_();
    std::uint64_t dropped = 0;
    {
        std::lock_guard lock(mutex_);
        if (bucket_.take(now)) {
            return true;
        }
        dropped = ++dropped_;
        if (now < next_log_) {
            return false;
        }
        next_log_ = now + std::chrono::seconds(1);
    }
    ++warnings_;
    spdlog::warn("[{}] the peer sends over its budget of {} messages a second (bursts of {}); "
                 "{} dropped unread so far",
                 name_, rate_.per_second, rate_.burst, dropped);
    return false;
}

} // namespace tincan::agents
