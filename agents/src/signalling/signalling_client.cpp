#include "signalling/signalling_client.hpp"

#include "signalling/proxy_environment.hpp"
#include "signalling/websocket_tunnel.hpp"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <glib/gstdio.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

namespace tincan::agents {
namespace {

struct ClientRef {
    std::weak_ptr<SignallingClient> weak;
};

std::int64_t now_ms() {
    return g_get_real_time() / 1000;
}

/// System roots plus the given PEM files, as one TLS database.
GTlsDatabase* make_tls_database(const std::vector<std::string>& files, const std::string& log) {
    std::string pem;
    for (const char* system : {"/etc/ssl/certs/ca-certificates.crt", "/etc/ssl/cert.pem"}) {
        std::ifstream in(system);
        if (in) {
            std::ostringstream ss;
            ss << in.rdbuf();
            pem += ss.str();
            break;
        }
    }
    for (const auto& f : files) {
        std::ifstream in(f);
        if (!in) {
            spdlog::warn("[{}] cannot read custom CA {}", log, f);
            continue;
        }
        std::ostringstream ss;
        ss << in.rdbuf();
        pem += "\n" + ss.str();
    }
    gchar* path = nullptr;
    GError* error = nullptr;
    const int fd = g_file_open_tmp("tincan-ca-XXXXXX.pem", &path, &error);
    if (fd < 0) {
        spdlog::warn("[{}] cannot write CA bundle: {}", log, error->message);
        g_clear_error(&error);
        return nullptr;
    }
    close(fd);
    g_file_set_contents(path, pem.data(), static_cast<gssize>(pem.size()), nullptr);
    GTlsDatabase* db = g_tls_file_database_new(path, &error);
    g_unlink(path);
    g_free(path);
    if (db == nullptr) {
        spdlog::warn("[{}] bad CA bundle: {}", log, error->message);
        g_clear_error(&error);
    }
    return db;
}

} // namespace

SignallingClient::SignallingClient(SignallingConfig config, GMainContext* context)
    : config_(std::move(config)), context_(context) {}

std::shared_ptr<SignallingClient> SignallingClient::create(SignallingConfig config,
                                                           GMainContext* context) {
    if (context == nullptr) {
        context = g_main_context_get_thread_default();
    }
    if (context == nullptr) {
        context = g_main_context_default();
    }
    return std::shared_ptr<SignallingClient>(new SignallingClient(std::move(config), context));
}

SignallingClient::~SignallingClient() {
    stop();
}

void SignallingClient::on_registered(std::function<void(const std::string&)> fn) {
    on_registered_ = std::move(fn);
}
void SignallingClient::on_sdp(std::function<void(const common::SdpOfferPayload&)> fn) {
    on_sdp_ = std::move(fn);
}
void SignallingClient::on_ice(std::function<void(const common::IceOfferPayload&)> fn) {
    on_ice_ = std::move(fn);
}
void SignallingClient::on_offline(std::function<void(const std::string&)> fn) {
    on_offline_ = std::move(fn);
}
void SignallingClient::on_disconnected(std::function<void()> fn) {
    on_disconnected_ = std::move(fn);
}

void SignallingClient::start() {
    if (started_) {
        return;
    }
    started_ = true;
    if (!config_.custom_ca_files.empty()) {
        tls_database_ =
            GRef<GTlsDatabase>::adopt(make_tls_database(config_.custom_ca_files, config_.log_name));
    }
    session_ = make_session(nullptr);
    connect();
}

GRef<SoupSession> SignallingClient::make_session(GSocketConnectable* remote) const {
    auto session = GRef<SoupSession>::adopt(
        remote != nullptr
            ? soup_session_new_with_options("timeout", 45u, "remote-connectable", remote, nullptr)
            : soup_session_new_with_options("timeout", 45u, nullptr));
    // The proxy Go's ProxyFromEnvironment picks for the server, as in the original (PROTOCOL.md
    // 1.7), or none; never libsoup's default resolver, whose rules differ. The WebSocket itself
    // goes through dial_websocket_tunnel when proxied; this covers the HTTP requests.
    const auto proxy = proxy_for_url(ProxyEnvironment::from_environment(), config_.url);
    GProxyResolver* resolver =
        proxy.empty() ? nullptr : g_simple_proxy_resolver_new(proxy.c_str(), nullptr);
    soup_session_set_proxy_resolver(session.get(), resolver);
    if (resolver != nullptr) {
        g_object_unref(resolver);
    }
    if (tls_database_) {
        soup_session_set_tls_database(session.get(), tls_database_.get());
    }
    return session;
}

void SignallingClient::connect() {
    if (stopped_) {
        return;
    }
    SoupMessage* msg = soup_message_new(SOUP_METHOD_GET, config_.url.c_str());
    if (msg == nullptr) {
        spdlog::error("[{}] invalid signalling URL '{}'", config_.log_name, config_.url);
        return;
    }
    if (!config_.jwt.empty()) {
        soup_message_headers_replace(soup_message_get_request_headers(msg), "Authorization",
                                     ("bearer " + config_.jwt).c_str());
    }
    if (auto proxy = proxy_for_url(ProxyEnvironment::from_environment(), config_.url);
        !proxy.empty()) {
        // Through the proxy, which resolves the server's name itself.
        g_object_unref(msg);
        dial_through(proxy);
        return;
    }
    GUri* uri = soup_message_get_uri(msg);
    const char* host = g_uri_get_host(uri);
    const bool literal = host == nullptr || g_hostname_is_ip_address(host);
    if (literal || (config_.resolver.server.empty() && !config_.resolver.ipv6_only)) {
        dial(msg);
        g_object_unref(msg);
        return;
    }
    // The server's name resolved as configured; the URL (Host header, TLS name) is unchanged.
    int port = g_uri_get_port(uri);
    if (port <= 0) {
        port = g_ascii_strcasecmp(g_uri_get_scheme(uri), "wss") == 0 ? 443 : 80;
    }
    resolve_for_dial(config_.resolver, host, context_,
                     [weak = weak_from_this(), msg = GRef<SoupMessage>::adopt(msg),
                      port](std::vector<std::string> addresses, std::string error) {
                         auto self = weak.lock();
                         if (!self || self->stopped_) {
                             return;
                         }
                         if (addresses.empty()) {
                             self->on_connect_failed(error);
                             return;
                         }
                         const auto& address = addresses[self->dial_attempt_ % addresses.size()];
                         spdlog::debug("[{}] {} resolved to {}", self->config_.log_name,
                                       self->config_.url, address);
                         GSocketAddress* remote = g_inet_socket_address_new_from_string(
                             address.c_str(), static_cast<guint>(port));
                         self->session_ = self->make_session(G_SOCKET_CONNECTABLE(remote));
                         g_object_unref(remote);
                         self->dial(msg.get());
                     });
}

void SignallingClient::dial(SoupMessage* msg) {
    cancellable_ = GRef<GCancellable>::adopt(g_cancellable_new());
    spdlog::debug("[{}] connecting to {}", config_.log_name, config_.url);
    soup_session_websocket_connect_async(
        session_.get(), msg, nullptr, nullptr, G_PRIORITY_DEFAULT, cancellable_.get(),
        [](GObject* source, GAsyncResult* result, gpointer data) {
            std::unique_ptr<ClientRef> ref(static_cast<ClientRef*>(data));
            GError* error = nullptr;
            SoupWebsocketConnection* conn =
                soup_session_websocket_connect_finish(SOUP_SESSION(source), result, &error);
            auto self = ref->weak.lock();
            if (!self || self->stopped_) {
                g_clear_error(&error);
                if (conn != nullptr) {
                    soup_websocket_connection_close(conn, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, nullptr);
                    g_object_unref(conn);
                }
                return;
            }
            if (conn == nullptr) {
                std::string why = error != nullptr ? error->message : "unknown error";
                g_clear_error(&error);
                self->on_connect_failed(why);
                return;
            }
            self->on_connected(conn);
        },
        new ClientRef{weak_from_this()});
}

void SignallingClient::dial_through(const std::string& proxy) {
    cancellable_ = GRef<GCancellable>::adopt(g_cancellable_new());
    spdlog::debug("[{}] connecting to {} through proxy {}", config_.log_name, config_.url, proxy);
    TunnelDial dial{config_.url, proxy, config_.jwt.empty() ? "" : "bearer " + config_.jwt,
                    tls_database_};
    dial_websocket_tunnel(
        std::move(dial), cancellable_.get(), context_,
        [weak = weak_from_this()](SoupWebsocketConnection* conn, std::string why) {
            auto self = weak.lock();
            if (!self || self->stopped_) {
                if (conn != nullptr) {
                    soup_websocket_connection_close(conn, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, nullptr);
                    g_object_unref(conn);
                }
                return;
            }
            if (conn == nullptr) {
                self->on_connect_failed(why);
                return;
            }
            self->on_connected(conn);
        });
}

void SignallingClient::on_connect_failed(const std::string& why) {
    spdlog::warn("[{}] cannot connect to {}: {}", config_.log_name, config_.url, why);
    ++dial_attempt_; // with a resolved address list, the next dial tries the next address
    schedule_reconnect();
}

void SignallingClient::on_connected(SoupWebsocketConnection* connection) {
    connection_ = GRef<SoupWebsocketConnection>::adopt(connection);
    soup_websocket_connection_set_max_incoming_payload_size(connection, 1024 * 1024);
    auto weak = weak_from_this();
    connection_signals_.push_back(connect_signal(
        connection, "message",
        G_CALLBACK(+[](SoupWebsocketConnection*, gint type, GBytes* message, ClientRef* ref) {
            auto self = ref->weak.lock();
            if (!self) {
                return;
            }
            if (type != SOUP_WEBSOCKET_DATA_TEXT) {
                spdlog::debug("[{}] binary frame ignored", self->config_.log_name);
                return;
            }
            gsize size = 0;
            const auto* data = static_cast<const char*>(g_bytes_get_data(message, &size));
            self->handle_text(std::string_view(data, size));
        }),
        new ClientRef{weak}));
    connection_signals_.push_back(connect_signal(
        connection, "closed", G_CALLBACK(+[](SoupWebsocketConnection*, ClientRef* ref) {
            if (auto self = ref->weak.lock()) {
                // Leave the signal emission before dropping the connection object.
                post_weak(self->context_, ref->weak,
                          [](SignallingClient& s) { s.handle_closed(); });
            }
        }),
        new ClientRef{weak}));
    connection_signals_.push_back(
        connect_signal(connection, "error",
                       G_CALLBACK(+[](SoupWebsocketConnection*, GError* error, ClientRef* ref) {
                           if (auto self = ref->weak.lock()) {
                               spdlog::warn("[{}] websocket error: {}", self->config_.log_name,
                                            error != nullptr ? error->message : "?");
                           }
                       }),
                       new ClientRef{weak}));

    spdlog::info("[{}] connected to {}", config_.log_name, config_.url);
    common::Envelope reg;
    reg.register_ = common::RegisterPayload{config_.jwt.empty() ? config_.node_name : "", {}};
    send_envelope(reg);
    ping_seq_ = 0;
    last_pong_us_ = g_get_monotonic_time();
    ping_timer_.every(context_, config_.ping_period, [this] { send_ping(); });
}

void SignallingClient::send_ping() {
    if (!connection_) {
        return;
    }
    // No pong for several periods: the connection is dead even if TCP has not noticed.
    const auto silence_us = g_get_monotonic_time() - last_pong_us_;
    if (silence_us > 4 * config_.ping_period.count() * 1000 + 5'000'000) {
        spdlog::warn("[{}] no pong for {} ms, reconnecting", config_.log_name, silence_us / 1000);
        soup_websocket_connection_close(connection_.get(), SOUP_WEBSOCKET_CLOSE_GOING_AWAY,
                                        nullptr);
        return;
    }
    common::Envelope ping;
    ++ping_seq_;
    ping.echo = common::EchoPayload{"ping", "ping-" + std::to_string(ping_seq_), 0,
                                    static_cast<std::uint64_t>(now_ms()), ping_seq_};
    send_envelope(ping);
}

void SignallingClient::handle_text(std::string_view text) {
    auto decoded = common::decode_envelope(text);
    if (!decoded) {
        spdlog::warn("[{}] undecodable frame dropped ({})", config_.log_name,
                     decoded.error().message());
        return;
    }
    const auto& env = *decoded;
    if (env.echo) {
        last_pong_us_ = g_get_monotonic_time();
        spdlog::trace("[{}] pong seq {}", config_.log_name, env.echo->seq_id);
    }
    if (env.register_ && env.node_id && !env.node_id->empty() && !env.sdp_offer && !env.ice_offer) {
        const bool changed = *env.node_id != node_id_;
        node_id_ = *env.node_id;
        spdlog::info("[{}] registered as '{}', node id {}", config_.log_name,
                     env.register_->node_name, node_id_);
        if (changed && on_registered_) {
            on_registered_(node_id_);
        }
    }
    if (env.error) {
        spdlog::warn("[{}] server refused a frame: {} ({})", config_.log_name, env.error->code,
                     env.error->message);
    }
    if (env.offline && on_offline_) {
        on_offline_(env.offline->node_id);
    }
    if (env.sdp_offer && on_sdp_) {
        on_sdp_(*env.sdp_offer);
    }
    if (env.ice_offer && on_ice_) {
        on_ice_(*env.ice_offer);
    }
}

void SignallingClient::handle_closed() {
    if (!connection_) {
        return;
    }
    spdlog::warn("[{}] signalling connection closed", config_.log_name);
    connection_signals_.clear();
    connection_.reset();
    ping_timer_.cancel();
    node_id_.clear();
    if (on_disconnected_) {
        on_disconnected_();
    }
    schedule_reconnect();
}

void SignallingClient::schedule_reconnect() {
    if (stopped_ || !config_.reconnect) {
        return;
    }
    reconnect_timer_.once(context_, config_.reconnect_delay, [this] { connect(); });
}

bool SignallingClient::send_envelope(const common::Envelope& envelope) {
    if (!connection_ ||
        soup_websocket_connection_get_state(connection_.get()) != SOUP_WEBSOCKET_STATE_OPEN) {
        return false;
    }
    const auto text = common::encode_envelope(envelope);
    soup_websocket_connection_send_text(connection_.get(), text.c_str());
    return true;
}

bool SignallingClient::send_sdp(const std::string& to, const std::string& type,
                                const std::string& sdp) {
    if (!registered()) {
        spdlog::debug("[{}] not registered, {} to {} dropped", config_.log_name, type, to);
        return false;
    }
    boost::json::object desc{{"type", type}, {"sdp", sdp}};
    common::Envelope env;
    env.sdp_offer = common::SdpOfferPayload{type, boost::json::serialize(desc), node_id_, to};
    return send_envelope(env);
}

bool SignallingClient::send_ice(const std::string& to, const std::string& candidate,
                                const std::string& mid, unsigned mline) {
    if (!registered()) {
        return false;
    }
    boost::json::object init{{"candidate", candidate}, {"sdpMLineIndex", mline}};
    if (!mid.empty()) {
        init["sdpMid"] = mid;
    }
    common::Envelope env;
    env.ice_offer = common::IceOfferPayload{boost::json::serialize(init), node_id_, to};
    return send_envelope(env);
}

void SignallingClient::http_get(const std::string& url,
                                std::function<void(unsigned, std::string)> done) {
    SoupMessage* msg =
        session_ && !stopped_ ? soup_message_new(SOUP_METHOD_GET, url.c_str()) : nullptr;
    if (msg == nullptr) {
        post(context_, [done = std::move(done)] { done(0, {}); });
        return;
    }
    if (!config_.jwt.empty()) {
        soup_message_headers_replace(soup_message_get_request_headers(msg), "Authorization",
                                     ("bearer " + config_.jwt).c_str());
    }
    struct Request {
        GRef<SoupMessage> msg;
        std::function<void(unsigned, std::string)> done;
    };
    auto* request = new Request{GRef<SoupMessage>::adopt(msg), std::move(done)};
    soup_session_send_and_read_async(
        session_.get(), msg, G_PRIORITY_DEFAULT, nullptr,
        [](GObject* source, GAsyncResult* result, gpointer data) {
            std::unique_ptr<Request> r(static_cast<Request*>(data));
            GError* error = nullptr;
            GBytes* bytes = soup_session_send_and_read_finish(SOUP_SESSION(source), result, &error);
            std::string body;
            unsigned status = 0;
            if (bytes != nullptr) {
                gsize size = 0;
                const auto* p = static_cast<const char*>(g_bytes_get_data(bytes, &size));
                body.assign(p != nullptr ? p : "", size);
                g_bytes_unref(bytes);
                status = soup_message_get_status(r->msg.get());
            }
            g_clear_error(&error);
            r->done(status, std::move(body));
        },
        request);
}

void SignallingClient::stop() {
    if (stopped_) {
        return;
    }
    stopped_ = true;
    ping_timer_.cancel();
    reconnect_timer_.cancel();
    if (cancellable_) {
        g_cancellable_cancel(cancellable_.get());
    }
    connection_signals_.clear();
    if (connection_) {
        if (soup_websocket_connection_get_state(connection_.get()) == SOUP_WEBSOCKET_STATE_OPEN) {
            soup_websocket_connection_close(connection_.get(), SOUP_WEBSOCKET_CLOSE_GOING_AWAY,
                                            nullptr);
        }
        connection_.reset();
    }
    if (session_) {
        soup_session_abort(session_.get());
        session_.reset();
    }
    node_id_.clear();
}

} // namespace tincan::agents
