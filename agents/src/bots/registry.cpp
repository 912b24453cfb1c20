#include "bots/registry.hpp"

#include "bots/clock_bot.hpp"
#include "bots/counter_bot.hpp"
#include "bots/echo_bot.hpp"

namespace tincan::agents {

std::shared_ptr<Bot> make_bot(const std::string& name, const AgentConfig& config) {
    (void)config;
    if (name == "echo") {
        return std::make_shared<EchoBot>();
    }
    if (name == "counter") {
        return std::make_shared<CounterBot>();
    }
    if (name == "clock") {
        return std::make_shared<ClockBot>();
    }
    return nullptr;
}

} // namespace tincan::agents
