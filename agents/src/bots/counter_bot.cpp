#include "bots/counter_bot.hpp"

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
    departed_.present(peer->peer_id());
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
    for (const auto& forgotten : departed_.left(peer_id)) {
        counters_.erase(forgotten);
    }
}

} // namespace tincan::agents
