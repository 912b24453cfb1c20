#include "signalling/websocket_tunnel.hpp"

#include "util/main_context.hpp"

#include <gio/gio.h>

#include <thread>

namespace tincan::agents {
namespace {

constexpr std::size_t max_response_head = 16 * 1024;

struct Failure {
    std::string what;
};

/// Throws the error (if any) as a Failure naming `step`.
void check(GError* error, const char* step) {
    if (error != nullptr) {
        Failure failure{std::string(step) + ": " + error->message};
        g_error_free(error);
        throw failure;
    }
}

std::string lowercase(std::string s) {
    for (auto& c : s) {
        c = static_cast<char>(g_ascii_tolower(static_cast<unsigned char>(c)));
    }
    return s;
}

/// RFC 6455 4.2.2: base64(SHA-1(key + GUID)).
std::string accept_for(const std::string& key) {
    const std::string input = key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    GChecksum* sha1 = g_checksum_new(G_CHECKSUM_SHA1);
    g_checksum_update(sha1, reinterpret_cast<const guchar*>(input.data()),
                      static_cast<gssize>(input.size()));
    guint8 digest[20];
    gsize length = sizeof digest;
    g_checksum_get_digest(sha1, digest, &length);
    g_checksum_free(sha1);
    gchar* encoded = g_base64_encode(digest, length);
    std::string accept = encoded;
    g_free(encoded);
    return accept;
}

std::string random_key() {
    guint8 bytes[16];
    for (auto& b : bytes) {
        b = static_cast<guint8>(g_random_int_range(0, 256));
    }
    gchar* encoded = g_base64_encode(bytes, sizeof bytes);
    std::string key = encoded;
    g_free(encoded);
    return key;
}

/// The WebSocket upgrade (RFC 6455 4.1) over `stream`; throws unless the server switched.
void upgrade(GIOStream* stream, GUri* uri, const TunnelDial& dial, GCancellable* cancellable) {
    std::string target = g_uri_get_path(uri);
    if (target.empty()) {
        target = "/";
    }
    if (const char* query = g_uri_get_query(uri)) {
        target += std::string("?") + query;
    }
    std::string host = g_uri_get_host(uri);
    if (host.find(':') != std::string::npos) {
        host = "[" + host + "]";
    }
    if (g_uri_get_port(uri) > 0) {
        host += ":" + std::to_string(g_uri_get_port(uri));
    }
    const auto key = random_key();
    std::string request = "GET " + target + " HTTP/1.1\r\nHost: " + host +
                          "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                          "Sec-WebSocket-Key: " +
                          key + "\r\nSec-WebSocket-Version: 13\r\n";
    if (!dial.authorization.empty()) {
        request += "Authorization: " + dial.authorization + "\r\n";
    }
    request += "\r\n";
    GError* error = nullptr;
    g_output_stream_write_all(g_io_stream_get_output_stream(stream), request.data(), request.size(),
                              nullptr, cancellable, &error);
    check(error, "upgrade request");

    // The response head, a byte at a time: nothing after it may be taken from the stream.
    std::string head;
    GInputStream* in = g_io_stream_get_input_stream(stream);
    while (!head.ends_with("\r\n\r\n")) {
        char c = 0;
        const auto n = g_input_stream_read(in, &c, 1, cancellable, &error);
        check(error, "upgrade response");
        if (n == 0 || head.size() >= max_response_head) {
            throw Failure{"upgrade response: connection closed or head too large"};
        }
        head += c;
    }
    const auto status_end = head.find("\r\n");
    const auto status = head.substr(0, status_end);
    if (status.rfind("HTTP/1.", 0) != 0 || status.substr(8, 5) != " 101 ") {
        throw Failure{"server refused the upgrade: " + status};
    }
    bool upgraded = false, connection = false, accepted = false;
    for (auto at = status_end + 2; at < head.size();) {
        const auto end = head.find("\r\n", at);
        const auto line = head.substr(at, end - at);
        at = end + 2;
        const auto colon = line.find(':');
        if (colon == std::string::npos) {
            continue;
        }
        const auto name = lowercase(line.substr(0, colon));
        auto value = line.substr(line.find_first_not_of(" \t", colon + 1) == std::string::npos
                                     ? line.size()
                                     : line.find_first_not_of(" \t", colon + 1));
        value = value.substr(0, value.find_last_not_of(" \t") + 1);
        upgraded = upgraded || (name == "upgrade" && lowercase(value) == "websocket");
        connection = connection || (name == "connection" &&
                                    lowercase(value).find("upgrade") != std::string::npos);
        accepted = accepted || (name == "sec-websocket-accept" && value == accept_for(key));
    }
    if (!upgraded || !connection || !accepted) {
        throw Failure{"server's upgrade response is not a valid WebSocket handshake"};
    }
}

/// Connects through the proxy, adds TLS for wss and upgrades; the stream (owned).
GIOStream* open_tunnel(const TunnelDial& dial, GUri* uri, GCancellable* cancellable) {
    const bool secure = g_ascii_strcasecmp(g_uri_get_scheme(uri), "wss") == 0;
    const int port = g_uri_get_port(uri) > 0 ? g_uri_get_port(uri) : secure ? 443 : 80;
    // GIO's own proxy code (not libsoup's) makes the tunnel: CONNECT host:port for an http or
    // https proxy (with Basic credentials from the proxy URL), SOCKS5 for a socks5 one.
    auto proxy =
        dial.proxy.rfind("socks5h://", 0) == 0 ? "socks5://" + dial.proxy.substr(10) : dial.proxy;
    auto resolver =
        GRef<GProxyResolver>::adopt(g_simple_proxy_resolver_new(proxy.c_str(), nullptr));
    auto client = GRef<GSocketClient>::adopt(g_socket_client_new());
    g_socket_client_set_proxy_resolver(client.get(), resolver.get());
    g_socket_client_set_enable_proxy(client.get(), TRUE);
    g_socket_client_set_timeout(client.get(), dial.timeout_seconds);
    auto destination = GRef<GSocketConnectable>::adopt(
        g_network_address_new(g_uri_get_host(uri), static_cast<guint16>(port)));
    GError* error = nullptr;
    auto connection = GRef<GSocketConnection>::adopt(
        g_socket_client_connect(client.get(), destination.get(), cancellable, &error));
    check(error, "proxy tunnel");
    GRef<GIOStream> stream = GRef<GIOStream>::ref(G_IO_STREAM(connection.get()));
    if (secure) {
        auto tls = GRef<GIOStream>::adopt(
            g_tls_client_connection_new(stream.get(), destination.get(), &error));
        check(error, "TLS");
        if (dial.tls_database) {
            g_tls_connection_set_database(G_TLS_CONNECTION(tls.get()), dial.tls_database.get());
        }
        g_tls_connection_handshake(G_TLS_CONNECTION(tls.get()), cancellable, &error);
        check(error, "TLS handshake");
        stream = std::move(tls);
    }
    upgrade(stream.get(), uri, dial, cancellable);
    // From here on the WebSocket's own pings and the caller's timers watch the connection.
    g_socket_set_timeout(g_socket_connection_get_socket(connection.get()), 0);
    return stream.release();
}

} // namespace

void dial_websocket_tunnel(TunnelDial dial, GCancellable* cancellable, GMainContext* context,
                           std::function<void(SoupWebsocketConnection*, std::string)> done) {
    auto cancel = GRef<GCancellable>::ref(cancellable);
    g_main_context_ref(context); // until the result is posted
    std::thread([dial = std::move(dial), cancel, context, done = std::move(done)]() mutable {
        GUri* uri = g_uri_parse(dial.url.c_str(), G_URI_FLAGS_NONE, nullptr);
        GIOStream* stream = nullptr;
        std::string error;
        if (uri == nullptr || g_uri_get_host(uri) == nullptr) {
            error = "invalid URL " + dial.url;
        } else {
            try {
                stream = open_tunnel(dial, uri, cancel.get());
            } catch (const Failure& failure) {
                error = failure.what + " (through proxy " + dial.proxy + ")";
            }
        }
        post(context, [stream, uri, error = std::move(error), done = std::move(done)] {
            SoupWebsocketConnection* connection = nullptr;
            if (stream != nullptr) {
                // Made here: the connection's sources belong to the caller's context.
                connection = soup_websocket_connection_new(
                    stream, uri, SOUP_WEBSOCKET_CONNECTION_CLIENT, nullptr, nullptr, nullptr);
                g_object_unref(stream);
            }
            if (uri != nullptr) {
                g_uri_unref(uri);
            }
            done(connection, error);
        });
        g_main_context_unref(context);
    }).detach();
}

} // namespace tincan::agents
