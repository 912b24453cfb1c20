#pragma once

#include "agent_config.hpp"
#include "bots/bot.hpp"

#include <memory>
#include <string>

namespace tincan::agents {

/// The bot named `name` (echo, counter, clock, music, chat), or nullptr.
std::shared_ptr<Bot> make_bot(const std::string& name, const AgentConfig& config);

} // namespace tincan::agents
