// tincan-agents: hosts the bots; each bot is its own peer with its own signalling connection.

#include "agent_config.hpp"
#include "bots/bot_host.hpp"
#include "bots/registry.hpp"
#include "rtc/peer_session.hpp"
#include "signalling/dial_resolver.hpp"
#include "tincan/common/dotenv.hpp"

#include <CLI/CLI.hpp>
#include <glib-unix.h>
#include <gst/gst.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

using namespace tincan::agents;

namespace {

/// A duration; `positive`: above zero (a zero ping period would ping without pause, and the
/// original's ticker refuses it).
CLI::Validator duration_validator(bool positive = false) {
    return CLI::Validator(
        [positive](std::string& s) {
            const auto d = parse_duration(s);
            if (!d) {
                return "not a duration (e.g. 3s, 500ms): " + s;
            }
            return positive && d->count() <= 0 ? "must be above zero: " + s : std::string();
        },
        "DURATION");
}

} // namespace

int main(int argc, char** argv) {
    AgentConfig cfg;
    std::string ping = "3s", reconnect_delay = "3s", llm_timeout = "60s";
    bool no_reconnect = false;

    CLI::App app{"tincan-agents: bot peers (EchoBot, CounterBot, ClockBot, MusicBot, ChatBot) "
                 "on GStreamer webrtcbin"};
    app.add_option("--ws-server", cfg.ws_server, "Signalling WebSocket URL")->capture_default_str();
    app.add_option("--ping-period-seconds", ping, "Echo ping interval (duration)")
        ->check(duration_validator(true))
        ->capture_default_str();
    app.add_flag("--debug", cfg.debug, "Debug logging (same as --log-level debug)");
    app.add_option("--log-level", cfg.log_level, "trace, debug, info, warn, error")
        ->capture_default_str();
    app.add_option("--ice-server", cfg.ice_servers,
                   "STUN/TURN URL, repeatable or comma-separated; turn://user:pass@host:port for "
                   "TURN with credentials; pass an empty value for none")
        ->delimiter(',')
        ->capture_default_str();
    app.add_option("--custom-ca", cfg.custom_ca,
                   "PEM file added to the system roots (wss); repeatable or comma-separated")
        ->delimiter(',')
        ->check(CLI::ExistingFile);
    app.add_option("--custom-resolver", cfg.custom_resolver,
                   "DNS server host[:port] (port 53) for the signalling dial only");
    app.add_flag("--prefer-ipv6", cfg.prefer_ipv6,
                 "Resolve the signalling server to IPv6 (AAAA) addresses only");
    app.add_flag("--reconnect-on-disconnect,!--no-reconnect", cfg.reconnect,
                 "Redial the signalling server after a disconnect (default on)");
    app.add_option("--reconnect-delay", reconnect_delay, "Delay before redialling (duration)")
        ->check(duration_validator())
        ->capture_default_str();
    app.add_option("--ogg-file", cfg.ogg_files,
                   "Extra MusicBot track: Ogg Opus, 48 kHz stereo; repeatable or comma-separated")
        ->delimiter(',');
    app.add_option("--openrouter-apikey-env", cfg.openrouter_apikey_env,
                   "Name of the env variable holding the LLM API key")
        ->capture_default_str();
    app.add_option("--chatbot-model", cfg.chatbot_model,
                   "LLM model id, e.g. deepseek/deepseek-v3.2 (without it ChatBot only says "
                   "it is not configured)");
    app.add_option("--llm-base-url", cfg.llm_base_url, "OpenAI-compatible API base URL")
        ->capture_default_str();
    app.add_option("--llm-timeout", llm_timeout, "LLM request timeout (duration)")
        ->check(duration_validator())
        ->capture_default_str();
    app.add_option("--chatbot-history", cfg.chatbot_history,
                   "Messages of history ChatBot keeps per peer")
        ->capture_default_str();
    app.add_option("--bots-secret-env-file", cfg.bots_secret_env_file,
                   "Env file with the *_JWT_TOKEN variables (missing file is not fatal)")
        ->capture_default_str();
    app.add_option("--bots", cfg.bots, "Bots to run: echo, counter, clock, music, chat")
        ->delimiter(',')
        ->capture_default_str();
    (void)no_reconnect;
    try {
        // CLI11 wants the arguments last to first.
        auto args = split_empty_values(argc, argv);
        std::reverse(args.begin(), args.end());
        app.name(argv[0]);
        app.parse(args);
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e);
        return code == 0 ? 0 : 2; // --help: 0; bad configuration: 2
    }

    cfg.ping_period = *parse_duration(ping);
    cfg.reconnect_delay = *parse_duration(reconnect_delay);
    cfg.llm_timeout = *parse_duration(llm_timeout);
    std::erase(cfg.ice_servers, std::string());
    if (!cfg.custom_resolver.empty() && !parse_host_port(cfg.custom_resolver, 53)) {
        spdlog::critical("--custom-resolver: '{}' is not host[:port]", cfg.custom_resolver);
        return 2;
    }
    spdlog::set_level(cfg.debug ? spdlog::level::debug : spdlog::level::from_str(cfg.log_level));

    if (!cfg.bots_secret_env_file.empty() &&
        !tincan::common::load_dotenv(cfg.bots_secret_env_file)) {
        spdlog::info("bots env file '{}' not found; bots without a JWT register by name",
                     cfg.bots_secret_env_file);
    }
    tincan::common::load_dotenv(".env");

    gst_init(&argc, &argv);
    if (gst_element_factory_find("webrtcbin") == nullptr) {
        spdlog::critical("GStreamer element webrtcbin missing (gstreamer1.0-plugins-bad, "
                         "gstreamer1.0-nice)");
        return 2;
    }

    std::vector<std::shared_ptr<BotHost>> hosts;
    for (const auto& name : cfg.bots) {
        auto bot = make_bot(name, cfg);
        if (!bot) {
            spdlog::critical("unknown bot '{}' (echo, counter, clock, music, chat)", name);
            return 2;
        }
        HostConfig hc;
        hc.ice_servers = cfg.ice_servers;
        hc.signalling.url = cfg.ws_server;
        hc.signalling.ping_period = cfg.ping_period;
        hc.signalling.reconnect = cfg.reconnect;
        hc.signalling.reconnect_delay = cfg.reconnect_delay;
        hc.signalling.custom_ca_files = cfg.custom_ca;
        hc.signalling.resolver = {cfg.custom_resolver, cfg.prefer_ipv6};
        hc.signalling.node_name = bot->name();
        std::string env = bot->name();
        for (auto& c : env) {
            c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        }
        env += "_JWT_TOKEN";
        if (const char* jwt = std::getenv(env.c_str()); jwt != nullptr && *jwt != '\0') {
            hc.signalling.jwt = jwt;
        }
        hosts.push_back(BotHost::create(std::move(bot), std::move(hc)));
    }

    GMainLoop* loop = g_main_loop_new(nullptr, FALSE);
    auto quit = +[](gpointer data) -> gboolean {
        g_main_loop_quit(static_cast<GMainLoop*>(data));
        return G_SOURCE_CONTINUE;
    };
    const guint sigint = g_unix_signal_add(SIGINT, quit, loop);
    const guint sigterm = g_unix_signal_add(SIGTERM, quit, loop);
    for (auto& h : hosts) {
        h->start();
    }
    spdlog::info("tincan-agents: {} bots connecting to {}", hosts.size(), cfg.ws_server);
    g_main_loop_run(loop);
    spdlog::info("tincan-agents: shutting down");
    for (auto& h : hosts) {
        h->stop();
    }
    hosts.clear();
    // Let posted teardown work run.
    run_until(
        g_main_context_default(), [] { return false; }, std::chrono::milliseconds(200));
    if (!PeerSession::wait_for_stopped_pipelines(std::chrono::seconds(3))) {
        // A webrtcbin still waiting for an association with unsent bytes: leave without running
        // the libraries' exit handlers under its thread.
        spdlog::warn("tincan-agents: a peer connection is still stopping; exiting without it");
        spdlog::default_logger()->flush();
        std::fflush(nullptr);
        std::_Exit(0);
    }
    g_source_remove(sigint);
    g_source_remove(sigterm);
    g_main_loop_unref(loop);
    return 0;
}
