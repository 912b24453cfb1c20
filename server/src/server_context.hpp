#pragma once

#include "config.hpp"
#include "metrics.hpp"
#include "signalling/hub.hpp"
#include "signalling/identity.hpp"

#include <boost/beast/http.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace tincan::server {

class WebSocketSession;
class Router;

using Request = boost::beast::http::request<boost::beast::http::string_body>;

/// A login button for the web app's /servers.json (`idp` entries of PROTOCOL.md 7.9).
struct IdentityProviderEntry {
    std::string name;
    std::string kind; ///< "github", "kioubit", ...
    std::string login_url;
};

/// Outcome of authenticating a WebSocket upgrade request.
struct UpgradeIdentity {
    std::optional<Identity> identity; ///< empty: refuse the upgrade
    unsigned refuse_status = 401;
    std::string refuse_reason;
};

/// State shared by every session of one server: configuration, metrics, the signalling hub and
/// the extension points that the accounts module fills in. Lives on the server's I/O thread.
struct ServerContext {
    explicit ServerContext(Config cfg) : config(std::move(cfg)), hub(config.hub, metrics) {}

    Config config;
    Metrics metrics;
    Hub hub;
    std::shared_ptr<Router> router;            ///< main listener routes
    std::shared_ptr<Router> management_router; ///< management Unix socket routes
    std::vector<IdentityProviderEntry> identity_providers;
    /// Authenticates a WebSocket upgrade; the default accepts everyone as anonymous.
    std::function<UpgradeIdentity(const Request&)> resolve_identity;
    /// Requests whose handler blocks (outbound HTTP: OAuth callback, avatar proxy). If set and it
    /// returns true, it has taken `req` (moved from) and calls the reply function exactly once,
    /// from any thread; otherwise the request goes to the router as usual.
    std::function<bool(
        Request& req,
        std::function<void(boost::beast::http::response<boost::beast::http::string_body>)>)>
        offload;
    /// Live WebSocket sessions, for graceful shutdown.
    std::unordered_map<WebSocketSession*, std::weak_ptr<WebSocketSession>> sessions;
    bool shutting_down = false;
};

} // namespace tincan::server
