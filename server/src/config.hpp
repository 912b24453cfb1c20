#pragma once

#include "signalling/hub_limits.hpp"

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace tincan::server {

/// Everything tincan-server is configured with; filled by parse_config from flags and env.
struct Config {
    std::string listen_addr = ":3001";
    std::string port_file;
    std::string web_root = "web/dist";
    std::string api_prefix = "/api";
    std::string ws_path = "/ws"; ///< with a trailing slash, every path below it (Go's subtree)
    std::vector<std::string> allowed_origins;
    bool default_cors_allowed = true;
    bool inject_allow_all_cors_headers = false;
    std::vector<std::string> ice_servers;
    // TURN relay run with coturn's `use-auth-secret`: its URLs are handed to browsers with
    // time-limited credentials by GET <api>/ice-servers (http/turn.hpp). The shared secret comes
    // from the environment (TURN_STATIC_AUTH_SECRET), never from a flag.
    std::vector<std::string> turn_urls;
    std::string turn_secret;
    std::chrono::seconds turn_credential_ttl{12 * 3600};
    std::string server_name = "Tincan";
    bool allow_anonymous = true;
    std::string management_listen = "./data/management.sock";
    std::string data_dir = "./data";

    // Accounts (issue 5; used by server/auth). GitHub client id/secret come from the environment
    // (GH_LOGIN_CLIENT_ID, GH_LOGIN_CLIENT_SECRET), never from flags.
    std::string github_login_redir_url = "http://localhost:3000/api/github/login/auth";
    std::string login_success_redir_url = "http://localhost:3000/";
    std::string kioubit_login_pubkey;
    std::string kioubit_login_redir_url = "http://localhost:3000/api/kioubit/login/auth";
    std::string kioubit_auth_url = "https://dn42.g-load.eu/auth/";
    std::string cookie_domain;
    std::string cookie_samesite;
    bool cookie_secure = false;
    std::string github_oauth_base_url = "https://github.com";
    std::string github_api_base_url = "https://api.github.com";
    std::string log_level = "info";
    bool debug = false;

    // Limits
    std::chrono::milliseconds ws_timeout{30'000};
    std::size_t max_frame_bytes = 64 * 1024;
    double max_msgs_per_sec = 50;
    double msg_burst = 200;
    /// The same for connections authenticated with a bot JWT: a bot answers every peer that
    /// connects to it (an answer and its ICE candidates each), so a crowd joining at once must
    /// not cut it off.
    double bot_msgs_per_sec = 1000;
    double bot_msg_burst = 4000;
    std::size_t max_queue_bytes = 4 * 1024 * 1024;
    std::size_t max_queue_frames = 4096;
    std::size_t max_connections = 10'000;
    std::size_t max_http_body_bytes = 64 * 1024;
    HubLimits hub;
};

/// Splits "host:port" / ":port" / "[v6]:port". Empty host means all interfaces.
struct ListenAddress {
    std::string host;
    unsigned short port = 0;
};
std::optional<ListenAddress> parse_listen_addr(const std::string& text);

/// Parses argv (and the environment, after .env loading). Returns the config, or an exit code:
/// 0 after --help/--version, 2 for bad configuration (a message has been printed).
struct ParsedConfig {
    Config config;
    std::optional<int> exit_code;
};
ParsedConfig parse_config(int argc, char** argv);

} // namespace tincan::server
