// The tincan-agents command line as the original's agents are started (PROTOCOL.md 8.2): an
// empty value written as `--flag=` is an empty value, and bad configuration exits with 2.

#include "agent_config.hpp"
#include "rtc_fixture.hpp"
#include "server_process.hpp"

#include <boost/json.hpp>
#include <libsoup/soup.h>

#include <csignal>
#include <sys/wait.h>

namespace tincan::agents::test {
namespace {

namespace json = boost::json;

/// Runs tincan-agents with `args`; stopped (SIGTERM) when destroyed.
class AgentsProcess {
public:
    explicit AgentsProcess(const std::vector<std::string>& args) {
        std::vector<const char*> argv{TINCAN_AGENTS_BIN};
        for (const auto& a : args) {
            argv.push_back(a.c_str());
        }
        argv.push_back(nullptr);
        GError* error = nullptr;
        if (!g_spawn_async(nullptr, const_cast<char**>(argv.data()), nullptr,
                           static_cast<GSpawnFlags>(G_SPAWN_DO_NOT_REAP_CHILD |
                                                    G_SPAWN_STDOUT_TO_DEV_NULL |
                                                    G_SPAWN_STDERR_TO_DEV_NULL),
                           nullptr, nullptr, &pid_, &error)) {
            ADD_FAILURE() << error->message;
            g_clear_error(&error);
        }
    }
    ~AgentsProcess() {
        if (pid_ > 0 && !exited()) {
            kill(pid_, SIGTERM);
            waitpid(pid_, &status_, 0);
        }
        if (pid_ > 0) {
            g_spawn_close_pid(pid_);
        }
    }
    /// Whether it has exited (then exit_code() is its status).
    bool exited() {
        if (done_) {
            return true;
        }
        done_ = pid_ > 0 && waitpid(pid_, &status_, WNOHANG) == pid_;
        return done_;
    }
    int exit_code() const { return WIFEXITED(status_) ? WEXITSTATUS(status_) : -1; }

private:
    GPid pid_ = 0;
    int status_ = 0;
    bool done_ = false;
};

/// The node names the server lists (GET /api/conns).
std::vector<std::string> node_names(int port) {
    SoupSession* session = soup_session_new();
    const auto url = "http://127.0.0.1:" + std::to_string(port) + "/api/conns";
    SoupMessage* msg = soup_message_new("GET", url.c_str());
    GBytes* body = soup_session_send_and_read(session, msg, nullptr, nullptr);
    std::vector<std::string> names;
    if (body != nullptr) {
        gsize size = 0;
        const auto* data = static_cast<const char*>(g_bytes_get_data(body, &size));
        boost::system::error_code ec;
        auto value = json::parse(std::string_view(data, size), ec);
        if (!ec && value.is_object()) {
            for (const auto& [id, conn] : value.as_object()) {
                if (const auto* name = conn.as_object().if_contains("node_name")) {
                    names.emplace_back(name->as_string());
                }
            }
        }
        g_bytes_unref(body);
    }
    g_object_unref(msg);
    g_object_unref(session);
    return names;
}

TEST(AgentsCommandLine, EmptyValuesWithAnEqualsSignAreEmpty) {
    const char* argv[] = {
        "tincan-agents", "--bots-secret-env-file=", "--ice-server=", "--bots=echo", "--ws-server",
        "ws://x/ws"};
    EXPECT_EQ(split_empty_values(6, argv),
              (std::vector<std::string>{"--bots-secret-env-file", "", "--ice-server", "",
                                        "--bots=echo", "--ws-server", "ws://x/ws"}));
}

class AgentsBinary : public MainContextTest {};

TEST_F(AgentsBinary, StartsWithTheOriginalsEmptyValueFlags) {
    ServerProcess server;
    ASSERT_TRUE(server.start());
    // As the original is started without an env file and STUN server: `--flag=`.
    AgentsProcess agents({"--ws-server", server.ws_url(), "--bots-secret-env-file=", "--bots=echo",
                          "--ice-server="});
    ASSERT_TRUE(
        wait_for([&] { return agents.exited() || node_names(server.port()).size() == 1; }, 10s));
    ASSERT_FALSE(agents.exited()) << "exit code " << agents.exit_code();
    EXPECT_EQ(node_names(server.port()), std::vector<std::string>{"EchoBot"});
}

TEST_F(AgentsBinary, BadConfigurationExitsWith2) {
    AgentsProcess unknown({"--no-such-flag"});
    ASSERT_TRUE(wait_for([&] { return unknown.exited(); }));
    EXPECT_EQ(unknown.exit_code(), 2);
    // A ping period of zero would flood the server with pings (the original's ticker panics).
    AgentsProcess no_period({"--ping-period-seconds", "0", "--bots-secret-env-file="});
    ASSERT_TRUE(wait_for([&] { return no_period.exited(); }));
    EXPECT_EQ(no_period.exit_code(), 2);
    AgentsProcess help({"--help"});
    ASSERT_TRUE(wait_for([&] { return help.exited(); }));
    EXPECT_EQ(help.exit_code(), 0);
}

} // namespace
} // namespace tincan::agents::test
