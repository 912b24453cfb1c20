#pragma once

// Which proxy the signalling dial goes through (PROTOCOL.md 1.7, 8.2: "standard proxy variables
// for the WebSocket dial"): the rules of Go's http.ProxyFromEnvironment, which the original's
// gorilla/websocket dialer calls with `ws` read as `http` and `wss` as `https`.

#include <string>

namespace tincan::agents {

struct ProxyEnvironment {
    std::string http_proxy;  ///< HTTP_PROXY, else http_proxy
    std::string https_proxy; ///< HTTPS_PROXY, else https_proxy
    std::string no_proxy;    ///< NO_PROXY, else no_proxy
    bool cgi = false;        ///< REQUEST_METHOD is set: HTTP_PROXY is not trusted (httpoxy)

    static ProxyEnvironment from_environment();
};

/// The proxy URL (`scheme://[user:pass@]host:port`; a value without a scheme is read as
/// `http://`) for a connection to `url` (ws, wss, http or https), or "" for a direct one:
/// always direct for `localhost` and loopback addresses, and for hosts NO_PROXY matches
/// (`*`; `name` matches it and its subdomains, `.name` and `*.name` only subdomains; IP
/// addresses and CIDR ranges; each optionally with a port that must match too).
std::string proxy_for_url(const ProxyEnvironment& env, const std::string& url);

} // namespace tincan::agents
