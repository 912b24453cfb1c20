#include "config.hpp"

#include "tincan/common/cli_args.hpp"
#include "tincan/common/duration.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <iostream>
#include <regex>

namespace tincan::server {

std::optional<ListenAddress> parse_listen_addr(const std::string& text) {
    // An empty port is an ephemeral one, as Go's net.Listen takes "host:" (the original's flag).
    static const std::regex re(R"(^(?:\[([0-9A-Fa-f:.]+)\]|([^:\[\]]*)):(\d{0,5})$)");
    std::smatch m;
    if (!std::regex_match(text, m, re)) {
        return std::nullopt;
    }
    const auto port = m[3].length() == 0 ? 0UL : std::stoul(m[3]);
    if (port > 65535) {
        return std::nullopt;
    }
    ListenAddress out;
    out.host = m[1].matched ? m[1].str() : m[2].str();
    out.port = static_cast<unsigned short>(port);
    return out;
}

namespace {

std::string ascii_lower(std::string s) {
    for (auto& ch : s) {
        ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    }
    return s;
}

std::string normalise_prefix(std::string p) {
    while (!p.empty() && p.back() == '/') {
        p.pop_back();
    }
    if (!p.empty() && p.front() != '/') {
        p.insert(p.begin(), '/');
    }
    return p;
}

/// A duration flag's value, or nullopt after printing kong's message for it.
std::optional<std::chrono::nanoseconds> flag_duration(std::string_view flag,
                                                      const std::string& value) {
    std::string error;
    auto d = common::parse_go_duration(value, &error);
    if (!d) {
        std::cerr << "tincan-server: error: " << flag << ": expected duration but got \"" << value
                  << "\": " << error << "\n";
    }
    return d;
}

} // namespace

ParsedConfig parse_config(int argc, char** argv) {
    ParsedConfig out;
    Config& c = out.config;
    CLI::App app{"tincan-server: signalling relay, peer registry and web app host for Tincan, "
                 "a browser-to-browser WebRTC chat.\nFlags may also be given as environment "
                 "variables TINCAN_<FLAG> (e.g. TINCAN_LISTEN_ADDR); .env is read at start.",
                 "tincan-server"};
    // A flag given twice takes its last value, as kong applies them in order; list flags
    // (vectors) keep every value.
    app.option_defaults()->always_capture_default()->multi_option_policy(
        CLI::MultiOptionPolicy::TakeLast);
    app.set_version_flag("--version", "tincan-server 0.1.0");
    app.get_formatter()->column_width(38);

    std::string ws_timeout = "30s";
    app.add_option("--listen-addr", c.listen_addr,
                   "HTTP/WebSocket listen address host:port (':3001' = all interfaces, port 0 = "
                   "ephemeral)")
        ->envname("TINCAN_LISTEN_ADDR");
    app.add_option(
        "--port-file", c.port_file,
        "write the bound TCP port to this file once listening (and the management socket too)");
    app.add_option("--web-root", c.web_root, "directory of the built web app served at /")
        ->envname("TINCAN_WEB_ROOT");
    app.add_option("--api-prefix", c.api_prefix,
                   "prefix of every API route and the WebSocket; '' mounts them at the root as "
                   "the original server behind its proxy")
        ->envname("TINCAN_API_PREFIX");
    app.add_option("--ws-path", c.ws_path,
                   "WebSocket route below the API prefix; with a trailing slash every path below "
                   "it (a Go ServeMux subtree pattern)");
    app.add_option("--ws-timeout", ws_timeout,
                   "close a WebSocket after this long without a handled text frame (> 0)")
        ->envname("TINCAN_WS_TIMEOUT");
    app.add_option("--allowed-origin", c.allowed_origins,
                   "extra browser Origins allowed to open the WebSocket (repeatable, or comma "
                   "separated); same-origin is always allowed")
        ->delimiter(',')
        ->envname("TINCAN_ALLOWED_ORIGIN");
    // Booleans are flags as in the original's CLI: bare means true, `--flag=false` turns off.
    app.add_flag("--default-cors-allowed", c.default_cors_allowed,
                 "allow WebSocket upgrades without an Origin header (bots, tools)");
    app.add_flag("--inject-allow-all-cors-headers", c.inject_allow_all_cors_headers,
                 "add permissive CORS headers to every response (debugging only)");
    app.add_option("--ice-server", c.ice_servers,
                   "STUN/TURN URL offered to browsers in /servers.json (repeatable, or comma "
                   "separated)")
        ->delimiter(',')
        ->envname("TINCAN_ICE_SERVER");
    app.add_option("--turn-url", c.turn_urls,
                   "TURN URL (turn: or turns:) of a coturn run with use-auth-secret; browsers get "
                   "it with time-limited credentials from <api>/ice-servers when env "
                   "TURN_STATIC_AUTH_SECRET holds coturn's static-auth-secret (repeatable, or "
                   "comma separated)")
        ->delimiter(',')
        ->envname("TINCAN_TURN_URL");
    std::string turn_ttl = "12h";
    app.add_option("--turn-credential-ttl", turn_ttl,
                   "lifetime of the TURN credentials handed to browsers")
        ->envname("TINCAN_TURN_CREDENTIAL_TTL");
    app.add_option("--server-name", c.server_name, "server name shown in the web app");
    app.add_flag("--allow-anonymous", c.allow_anonymous, "accept visitors without an account")
        ->envname("TINCAN_ALLOW_ANONYMOUS");
    app.add_option("--management-listen", c.management_listen,
                   "Unix socket of the management API ('' disables it)")
        ->envname("TINCAN_MANAGEMENT_LISTEN");
    app.add_option("--data-dir", c.data_dir, "directory for accounts, sessions and keys")
        ->envname("TINCAN_DATA_DIR");
    app.add_option("--github-login-redir-url", c.github_login_redir_url,
                   "OAuth redirect_uri registered with GitHub (the /github/login/auth URL); "
                   "GitHub login is on when this and env GH_LOGIN_CLIENT_ID/_SECRET are set");
    app.add_option("--login-success-redir-url", c.login_success_redir_url,
                   "where the browser goes after login; post-login targets must be on its origin");
    app.add_option("--kioubit-login-pubkey", c.kioubit_login_pubkey,
                   "Kioubit P-521 public key (PEM file); enables Kioubit (DN42) login");
    app.add_option("--kioubit-login-redir-url", c.kioubit_login_redir_url,
                   "Kioubit return URL (the /kioubit/login/auth URL); its host is the domain "
                   "Kioubit assertions must name");
    app.add_option("--kioubit-auth-url", c.kioubit_auth_url, "Kioubit login page");
    app.add_option("--cookie-domain", c.cookie_domain, "Domain attribute of the session cookie");
    app.add_option("--cookie-samesite", c.cookie_samesite,
                   "SameSite attribute of the session cookie: None, Lax or Strict (other values "
                   "are ignored with a warning)");
    // A string flag in the original (`--cookie-secure true`, `--cookie-secure=true`); bare means
    // true here too.
    std::string cookie_secure;
    app.add_option("--cookie-secure", cookie_secure,
                   "Secure attribute of the session cookie: true or false (bare means true)")
        ->expected(0, 1);
    app.add_option("--github-oauth-base-url", c.github_oauth_base_url,
                   "GitHub OAuth endpoints base (…/login/oauth/authorize, …/access_token)");
    app.add_option("--github-api-base-url", c.github_api_base_url,
                   "GitHub REST API base (…/user, …/applications/<id>/token)");
    app.add_option("--log-level", c.log_level, "trace, debug, info, warn, error")
        ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}));
    app.add_flag("--debug", c.debug, "same as --log-level=debug");
    app.add_option("--max-frame-bytes", c.max_frame_bytes,
                   "largest WebSocket message accepted; larger ones close with 1009")
        ->check(CLI::Range(1024, 16 * 1024 * 1024));
    app.add_option("--max-msgs-per-sec", c.max_msgs_per_sec,
                   "sustained WebSocket messages per second per connection")
        ->check(CLI::Range(0.1, 1e6));
    app.add_option("--msg-burst", c.msg_burst, "message burst allowance per connection")
        ->check(CLI::Range(1.0, 1e6));
    app.add_option("--bot-msgs-per-sec", c.bot_msgs_per_sec,
                   "sustained WebSocket messages per second of a connection with a bot JWT")
        ->check(CLI::Range(0.1, 1e6));
    app.add_option("--bot-msg-burst", c.bot_msg_burst,
                   "message burst allowance of a connection with a bot JWT")
        ->check(CLI::Range(1.0, 1e6));
    app.add_option("--max-queue-bytes", c.max_queue_bytes,
                   "outbound bytes queued for one slow reader before it is disconnected")
        ->check(CLI::Range(4096, 1 << 30));
    app.add_option("--max-connections", c.max_connections,
                   "simultaneous WebSocket connections; more are refused with 503")
        ->check(CLI::Range(1, 1'000'000));
    app.add_option("--max-name-bytes", c.hub.max_name_bytes, "longest node name in bytes")
        ->check(CLI::Range(1, 1024));

    try {
        // `--flag=` is an empty value, as in the original (`--management-listen=` disables the
        // socket). CLI11 wants the arguments last to first.
        auto args = common::split_empty_values(argc, argv);
        std::reverse(args.begin(), args.end());
        app.parse(std::move(args));
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e);
        out.exit_code = code == 0 ? 0 : 2;
        return out;
    }
    // Durations as the original's kong flags read them: Go's time.ParseDuration ("10" has no unit
    // and is refused there).
    const auto timeout = flag_duration("--ws-timeout", ws_timeout);
    if (!timeout) {
        out.exit_code = 2;
        return out;
    }
    if (timeout->count() <= 0) {
        std::cerr << "tincan-server: --ws-timeout must be above zero, such as 30s (got \""
                  << ws_timeout << "\")\n";
        out.exit_code = 2;
        return out;
    }
    c.ws_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(*timeout);
    const auto ttl = flag_duration("--turn-credential-ttl", turn_ttl);
    if (!ttl) {
        out.exit_code = 2;
        return out;
    }
    if (*ttl < std::chrono::minutes(1) || *ttl > std::chrono::hours(24 * 7)) {
        std::cerr << "tincan-server: --turn-credential-ttl must be a duration from 1m to 168h\n";
        out.exit_code = 2;
        return out;
    }
    c.turn_credential_ttl = std::chrono::duration_cast<std::chrono::seconds>(*ttl);
    for (const auto& url : c.turn_urls) {
        if (!url.starts_with("turn:") && !url.starts_with("turns:")) {
            std::cerr << "tincan-server: --turn-url must start with turn: or turns: (got \"" << url
                      << "\")\n";
            out.exit_code = 2;
            return out;
        }
    }
    if (const char* secret = std::getenv("TURN_STATIC_AUTH_SECRET")) {
        c.turn_secret = secret;
    }
    if (!c.turn_urls.empty() && c.turn_secret.empty()) {
        std::cerr << "tincan-server: --turn-url is set but TURN_STATIC_AUTH_SECRET is not; "
                     "no TURN credentials will be handed out\n";
    }
    if (!parse_listen_addr(c.listen_addr)) {
        std::cerr << "tincan-server: --listen-addr must look like host:port, :port or host: (a "
                     "free port)\n";
        out.exit_code = 2;
        return out;
    }
    c.api_prefix = normalise_prefix(c.api_prefix);
    // The original hands --ws-path to Go's ServeMux as it is: with a trailing slash it is a
    // subtree pattern (every path below it, the path without the slash redirected to it).
    if (c.ws_path.empty()) {
        c.ws_path = "/ws";
    } else if (c.ws_path.front() != '/') {
        c.ws_path.insert(c.ws_path.begin(), '/');
    }
    if (c.debug) {
        c.log_level = "debug";
    }
    if (app.count("--cookie-secure") > 0) {
        const auto v = ascii_lower(cookie_secure);
        if (v.empty() || v == "true" || v == "1") {
            c.cookie_secure = true;
        } else if (v == "false" || v == "0") {
            c.cookie_secure = false;
        } else {
            std::cerr << "tincan-server: --cookie-secure must be true or false; ignoring \""
                      << cookie_secure << "\"\n";
        }
    }
    if (c.cookie_samesite != "" && c.cookie_samesite != "None" && c.cookie_samesite != "Lax" &&
        c.cookie_samesite != "Strict") {
        std::cerr << "tincan-server: --cookie-samesite must be None, Lax or Strict; ignoring \""
                  << c.cookie_samesite << "\"\n";
        c.cookie_samesite.clear();
    }
    return out;
}

} // namespace tincan::server
