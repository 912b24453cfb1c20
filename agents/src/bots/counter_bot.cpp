#include "bots/counter_bot.hpp"

#include <algorithm>

namespace tincan::agents {

const char* const CounterBot::help_text =
    "🔢 Counter Bot - Available Commands:\n"
    "\n"
    "/start - Show this help message\n"
    "/increase - Increase your personal counter by 1\n"
    "/reset - Reset your personal counter to 0\n"
    "\n"
    "Your counter is personal and independent from other users!";

std::string CounterBot::respond(const std::string& text, std::int64_t& counter) {
    if (text == "/start") {
        return help_text;
    }
    if (text == "/increase") {
        ++counter;
        return "Counter increased! Current value: " + std::to_string(counter);
    }
    if (text == "/reset") {
        counter = 0;
        return "Counter reset! Current value: 0";
    }
    return {};
}

void CounterBot::on_command(const std::shared_ptr<PeerContext>& peer,
                            const common::ChatMessage& message, const std::string& text) {
    connected_.insert(peer->peer_id());
    auto it = counters_.find(peer->peer_id());
    std::int64_t counter = it != counters_.end() ? it->second : 0;
    auto reply = respond(text, counter);
    if (reply.empty()) {
        return;
    }
    counters_[peer->peer_id()] = counter;
    peer->reply(message, reply);
}

void CounterBot::on_peer_left(const std::string& peer_id) {
    if (connected_.erase(peer_id) == 0) {
        return; // never counted anything
    }
    departed_.push_back(peer_id);
    while (departed_.size() > max_departed_) {
        const auto oldest = std::move(departed_.front());
        departed_.pop_front();
        // Came back since (and may have left again later in the queue): not this entry's turn.
        if (!connected_.contains(oldest) &&
            std::find(departed_.begin(), departed_.end(), oldest) == departed_.end()) {
            counters_.erase(oldest);
        }
    }
}

} // namespace tincan::agents
