#pragma once

// One bot's signalling WebSocket (spec/PROTOCOL.md 1.7, bots): libsoup 3 on the GLib main
// context, reconnect on by default, echo pings, JWT bearer header, register with the bot's name
// (or an empty name when holding a JWT). The own node id is refreshed on every registration.

#include "signalling/dial_resolver.hpp"
#include "tincan/common/signalling.hpp"
#include "util/gobject.hpp"
#include "util/main_context.hpp"

#include <libsoup/soup.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace tincan::agents {

struct SignallingConfig {
    std::string url = "ws://localhost:3001/ws";
    std::string node_name;                    ///< sent in register (empty when jwt is set)
    std::string jwt;                          ///< sent as `Authorization: bearer <jwt>`
    std::vector<std::string> custom_ca_files; ///< PEM files added to the system roots (wss)
    std::chrono::milliseconds ping_period{3000};
    std::chrono::milliseconds reconnect_delay{3000};
    bool reconnect = true;
    /// `--custom-resolver` / `--prefer-ipv6`: how the server's name is resolved for the dial.
    DialResolverConfig resolver;
    std::string log_name = "signalling";
};

class SignallingClient : public std::enable_shared_from_this<SignallingClient> {
public:
    static std::shared_ptr<SignallingClient> create(SignallingConfig config,
                                                    GMainContext* context = nullptr);
    ~SignallingClient();
    SignallingClient(const SignallingClient&) = delete;
    SignallingClient& operator=(const SignallingClient&) = delete;

    void start();
    /// Closes the socket and stops reconnecting. Idempotent.
    void stop();

    /// Called after every successful registration with the (new) own node id.
    void on_registered(std::function<void(const std::string& node_id)> fn);
    void on_sdp(std::function<void(const common::SdpOfferPayload&)> fn);
    void on_ice(std::function<void(const common::IceOfferPayload&)> fn);
    /// A node left (server extension `offline`).
    void on_offline(std::function<void(const std::string& node_id)> fn);
    void on_disconnected(std::function<void()> fn);

    /// Relays an SDP (type "offer"/"answer") or a candidate; false when not registered.
    bool send_sdp(const std::string& to, const std::string& type, const std::string& sdp);
    bool send_ice(const std::string& to, const std::string& candidate, const std::string& mid,
                  unsigned mline);

    /// GET `url` over this client's HTTP session (same TLS roots and resolution as the
    /// WebSocket, the bot's JWT as bearer); `done(status, body)` on the main context, status 0
    /// when there was no answer.
    void http_get(const std::string& url, std::function<void(unsigned, std::string)> done);

    bool registered() const noexcept { return !node_id_.empty(); }
    const std::string& node_id() const noexcept { return node_id_; }
    const SignallingConfig& config() const noexcept { return config_; }

private:
    SignallingClient(SignallingConfig config, GMainContext* context);
    void connect();
    /// Dials with session_ (created for this dial when it goes to a resolved address).
    void dial(SoupMessage* msg);
    /// Dials through `proxy` (an HTTP CONNECT tunnel, as the original's dialer).
    void dial_through(const std::string& proxy);
    GRef<SoupSession> make_session(GSocketConnectable* remote) const;
    void on_connected(SoupWebsocketConnection* connection);
    void on_connect_failed(const std::string& why);
    void handle_text(std::string_view text);
    void handle_closed();
    void schedule_reconnect();
    void send_ping();
    bool send_envelope(const common::Envelope& envelope);

    SignallingConfig config_;
    GMainContext* context_;
    GRef<GTlsDatabase> tls_database_; ///< system roots + custom CAs; null: the system's
    GRef<SoupSession> session_;
    GRef<GCancellable> cancellable_;
    GRef<SoupWebsocketConnection> connection_;
    std::vector<SignalConnection> connection_signals_;
    Timer ping_timer_;
    Timer reconnect_timer_;
    std::string node_id_;
    std::uint64_t ping_seq_ = 0;
    std::size_t dial_attempt_ = 0; ///< picks the next resolved address after a failed dial
    std::int64_t last_pong_us_ = 0;
    bool started_ = false;
    bool stopped_ = false;

    std::function<void(const std::string&)> on_registered_;
    std::function<void(const common::SdpOfferPayload&)> on_sdp_;
    std::function<void(const common::IceOfferPayload&)> on_ice_;
    std::function<void(const std::string&)> on_offline_;
    std::function<void()> on_disconnected_;
};

} // namespace tincan::agents
