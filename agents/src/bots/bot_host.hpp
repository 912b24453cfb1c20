#pragma once

// Runs one bot as one peer: its own signalling connection and one PeerSession per remote peer.
// Answers offers, accepts `chat` and `ping`, replies to pings, queues early candidates (also for
// peers not yet known), drops per-peer state when a peer leaves or fails. One peer's failure never
// affects another: each has its own pipeline and every callback catches exceptions.

#include "bots/bot.hpp"
#include "rtc/peer_session.hpp"
#include "signalling/signalling_client.hpp"
#include "signalling/turn_credentials.hpp"
#include "util/main_context.hpp"

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace tincan::agents {

struct HostConfig {
    SignallingConfig signalling;
    std::vector<std::string> ice_servers; ///< static (`--ice-server`)
    /// Ask the server for TURN relay credentials (`{api-prefix}/ice-servers`) and add them to new
    /// connections.
    bool server_turn_credentials = true;
    std::size_t max_peers = 256;
    /// A peer whose connection stays `disconnected` this long is treated as failed (the
    /// original's bots restart ICE 3 s after `disconnected`, PROTOCOL.md 4.10).
    std::chrono::milliseconds disconnected_grace{3000};
    /// A failed connection gets up to this many ICE restarts of ours in a row (the first after
    /// `ice_restart_delay`, each later one after twice the wait before it, +-20 %), each given
    /// `ice_restart_timeout` to come up; then the peer is dropped. (A peer's own ICE restart
    /// offers are always answered.)
    unsigned max_ice_restarts = 3;
    std::chrono::milliseconds ice_restart_delay{1000};
    std::chrono::milliseconds ice_restart_timeout{10000};
    /// A peer whose connection is not up this long after its first offer is dropped (it vanished
    /// mid-negotiation: never answered, never sent candidates), so it cannot hold a peer slot,
    /// its pipeline and threads for as long as its signalling stays up.
    std::chrono::milliseconds connect_timeout{30000};
    /// A connected peer announced `offline` is kept if it sends anything within this time (its
    /// signalling blipped; browsers ping every second) and dropped otherwise (it left).
    std::chrono::milliseconds offline_grace{10000};
    /// What each peer may send on its connection (all channels together); beyond it messages are
    /// dropped unread as they arrive, so a flooding peer cannot hold the main loop that serves
    /// every other peer and bot.
    MessageRate message_budget = peer_message_rate;
};

class BotHost : public std::enable_shared_from_this<BotHost> {
public:
    static std::shared_ptr<BotHost> create(std::shared_ptr<Bot> bot, HostConfig config,
                                           GMainContext* context = nullptr);
    ~BotHost();
    BotHost(const BotHost&) = delete;
    BotHost& operator=(const BotHost&) = delete;

    void start();
    void stop();

    Bot& bot() { return *bot_; }
    const std::string& node_id() const { return signalling_->node_id(); }
    bool registered() const { return signalling_->registered(); }
    std::size_t peer_count() const { return peers_.size(); }
    /// `offline` notices received (for tests: the order of events is then known).
    std::size_t offline_notices() const { return offline_notices_; }
    /// Offline graces that ran out (the peer then dropped or kept).
    std::size_t offline_checks() const { return offline_checks_; }
    /// Messages of `peer_id`'s connection dropped over its budget (0 for an unknown peer).
    std::uint64_t dropped_over_budget(const std::string& peer_id) const;
    /// The relay credentials from the server (for tests), null when not asked for.
    const TurnCredentials* turn_credentials() const { return turn_.get(); }

private:
    class Peer;
    friend class Peer;
    struct EarlyCandidate {
        std::string offer_json;
        gint64 at_us;
    };

    BotHost(std::shared_ptr<Bot> bot, HostConfig config, GMainContext* context);
    void handle_sdp(const common::SdpOfferPayload& payload);
    void handle_ice(const common::IceOfferPayload& payload);
    std::shared_ptr<Peer> create_peer(const std::string& peer_id);
    /// Drops the peer's connection; with `only`, just if that is still the peer's connection.
    void drop_peer(const std::string& peer_id, const char* why, const Peer* only = nullptr);
    /// The peer's signalling is gone: dropped, or if connected kept while it talks.
    void peer_offline(const std::string& node);

    std::shared_ptr<Bot> bot_;
    HostConfig config_;
    GMainContext* context_;
    std::shared_ptr<SignallingClient> signalling_;
    std::unique_ptr<TurnCredentials> turn_;
    std::map<std::string, std::shared_ptr<Peer>> peers_;
    std::size_t offline_notices_ = 0;
    std::size_t offline_checks_ = 0;
    std::size_t registrations_ = 0;
    std::map<std::string, std::vector<EarlyCandidate>> early_candidates_;
};

} // namespace tincan::agents
