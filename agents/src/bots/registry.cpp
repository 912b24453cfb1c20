#include "bots/registry.hpp"

#include <cstdlib>

#include "bots/chat_bot.hpp"
#include "bots/clock_bot.hpp"
#include "bots/counter_bot.hpp"
#include "bots/echo_bot.hpp"
#include "bots/music_bot.hpp"

namespace tincan::agents {

std::shared_ptr<Bot> make_bot(const std::string& name, const AgentConfig& config) {
    if (name == "echo") {
        return std::make_shared<EchoBot>();
    }
    if (name == "counter") {
        return std::make_shared<CounterBot>();
    }
    if (name == "clock") {
        return std::make_shared<ClockBot>();
    }
    if (name == "chat") {
        LlmConfig llm;
        llm.base_url = config.llm_base_url;
        llm.model = config.chatbot_model;
        llm.timeout = config.llm_timeout;
        if (const char* key = std::getenv(config.openrouter_apikey_env.c_str())) {
            llm.api_key = key;
        }
        return std::make_shared<ChatBot>(std::move(llm), config.chatbot_history);
    }
    if (name == "music") {
        return std::make_shared<MusicBot>(config.ogg_files);
    }
    return nullptr;
}

} // namespace tincan::agents
