#pragma once

// The tincan-agents command line (PROTOCOL.md 8.2 plus additions), filled by CLI11 in main.

#include "tincan/common/cli_args.hpp"
#include "tincan/common/duration.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace tincan::agents {

struct AgentConfig {
    std::string ws_server = "ws://localhost:3001/ws";
    std::chrono::milliseconds ping_period{3000};
    bool debug = false;
    std::string log_level = "info";
    std::vector<std::string> ice_servers{"stun:stun.l.google.com:19302"};
    std::vector<std::string> custom_ca;
    std::string custom_resolver; ///< DNS server for the signalling dial; empty: the system's
    bool prefer_ipv6 = false;    ///< AAAA only for the signalling dial
    bool reconnect = true;
    std::chrono::milliseconds reconnect_delay{3000};
    std::vector<std::string> ogg_files;
    std::string openrouter_apikey_env = "OPENROUTER_APIKEY";
    std::string chatbot_model;
    std::string llm_base_url = "https://openrouter.ai/api/v1";
    std::chrono::milliseconds llm_timeout{60000};
    std::size_t chatbot_history = 20;
    std::string bots_secret_env_file = ".env.bots";
    std::vector<std::string> bots{"echo", "counter", "clock", "music", "chat"};
};

using common::split_empty_values; // `--flag=` is an empty value, as in the original

using common::parse_duration; // Go durations, as the original's flags

} // namespace tincan::agents
