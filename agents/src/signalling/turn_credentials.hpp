#pragma once

// Time-limited TURN relay credentials from Tincan's server (`GET {api-prefix}/ice-servers`,
// docs/protocol.md): fetched with the bot's JWT once signalling is up, renewed at half their
// lifetime, dropped when they expire. A 404 means the server offers no relay: the bot goes on
// without one. The original server has no such route (it answers 404), so nothing changes there.

#include "util/main_context.hpp"

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tincan::agents {

/// `ws(s)://host/api/ws` -> `http(s)://host/api/ice-servers` (the route beside the WebSocket's);
/// empty if `ws_url` is not a ws/wss URL.
std::string ice_servers_url(const std::string& ws_url);

struct IceServersAnswer {
    std::vector<std::string> urls; ///< webrtcbin form: `turn://user:pass@host:port?transport=udp`
    std::chrono::seconds ttl{0};
};
/// Parses the route's JSON (`{"iceServers":[{"urls","username","credential"}],"ttl"}`); STUN
/// entries keep their URL, TURN ones get the credentials (percent-escaped) in the URL.
std::optional<IceServersAnswer> parse_ice_servers(const std::string& body);

class TurnCredentials {
public:
    /// Performs one GET of `url`; `done(status, body)` on the main context (status 0: no answer).
    using Fetch = std::function<void(const std::string& url,
                                     std::function<void(unsigned status, std::string body)> done)>;

    TurnCredentials(std::string url, Fetch fetch, GMainContext* context);
    TurnCredentials(const TurnCredentials&) = delete;
    TurnCredentials& operator=(const TurnCredentials&) = delete;

    /// Fetches now (after a (re)registration: the server may have changed), then keeps the
    /// credentials renewed. A fetch already under way is not repeated.
    void refresh();
    void stop();
    /// The relay URLs with valid credentials (empty without a relay or once they expired).
    std::vector<std::string> urls() const;
    /// Answers received (any status), for tests.
    std::size_t answers() const { return answers_; }

    /// Retry delay after a failed fetch (no answer, 5xx).
    std::chrono::milliseconds retry_delay{30000};
    /// Never renew sooner than this (a tiny ttl must not turn into a request storm).
    std::chrono::milliseconds min_renewal{5000};

private:
    void handle(unsigned status, const std::string& body);

    std::string url_;
    Fetch fetch_;
    GMainContext* context_;
    Timer timer_;
    bool in_flight_ = false;
    std::vector<std::string> urls_;
    gint64 expires_us_ = 0; ///< monotonic
    std::size_t answers_ = 0;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

} // namespace tincan::agents
