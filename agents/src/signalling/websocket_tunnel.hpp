#pragma once

// The signalling dial through a proxy, as the original's gorilla/websocket dialer makes it: an
// HTTP CONNECT tunnel to the server (for `ws` and `wss` alike), TLS inside it for `wss`, then the
// WebSocket upgrade inside that. (libsoup would send a `ws` request to the proxy as an
// absolute-form `GET ws://...`, which proxies that only tunnel refuse.)

#include "util/gobject.hpp"

#include <libsoup/soup.h>

#include <functional>
#include <string>

namespace tincan::agents {

struct TunnelDial {
    std::string url;           ///< ws:// or wss://
    std::string proxy;         ///< http://, https:// (TLS to the proxy) or socks5:// proxy URL
    std::string authorization; ///< `Authorization` header of the upgrade; empty for none
    GRef<GTlsDatabase> tls_database; ///< for wss; null: the system's
    unsigned timeout_seconds = 45;   ///< for each step until the upgrade is answered
};

/// Dials on a worker thread; `done` runs on `context` with the open connection (the caller owns
/// the reference) or nullptr and an error text. `cancellable` aborts it.
void dial_websocket_tunnel(TunnelDial dial, GCancellable* cancellable, GMainContext* context,
                           std::function<void(SoupWebsocketConnection*, std::string)> done);

} // namespace tincan::agents
