#include "bots/counter_bot.hpp"

namespace tincan::agents {

const char* const CounterBot::help_text = "🔢 Counter Bot - Available Commands:\n"
                                          "/start - Show this help message\n"
                                          "/increase - Increase your counter by 1\n"
                                          "/reset - Reset your counter to 0\n"
                                          "\n"
                                          "Your counter is personal: only you can see it.";

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
    auto it = counters_.find(peer->peer_id());
    std::int64_t counter = it != counters_.end() ? it->second : 0;
    auto reply = respond(text, counter);
    if (reply.empty()) {
        return;
    }
    counters_[peer->peer_id()] = counter;
    peer->reply(message, reply);
}

} // namespace tincan::agents
