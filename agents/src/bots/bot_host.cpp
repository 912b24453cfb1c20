#include "bots/bot_host.hpp"

#include "rtc/ice_restart_policy.hpp"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace tincan::agents {
namespace json = boost::json;

namespace {

template <typename Fn> void guarded(const std::string& who, const char* what, Fn&& fn) {
    try {
        fn();
    } catch (const std::exception& e) {
        spdlog::error("[{}] {} threw: {}", who, what, e.what());
    }
}

/// The value of the first line of `sdp` starting with `prefix` ("" if none).
std::string_view sdp_line(std::string_view sdp, std::string_view prefix) {
    for (std::size_t at = sdp.find(prefix); at != std::string_view::npos;
         at = sdp.find(prefix, at + 1)) {
        if (at == 0 || sdp[at - 1] == '\n') {
            const auto start = at + prefix.size();
            const auto end = sdp.find_first_of("\r\n", start);
            return sdp.substr(start, end == std::string_view::npos ? end : end - start);
        }
    }
    return {};
}

/// What identifies the RTCPeerConnection that made an offer: the session id of its `o=` line
/// (kept across its renegotiations and ICE restarts, RFC 8829 5.2.1) and its DTLS certificate.
std::string offer_origin(std::string_view sdp) {
    auto origin = sdp_line(sdp, "o="); // username sess-id sess-version ...
    origin.remove_prefix(std::min(origin.size(), origin.find(' ') + 1));
    return std::string(origin.substr(0, origin.find(' '))) + " " +
           std::string(sdp_line(sdp, "a=fingerprint:"));
}

constexpr std::size_t max_early_candidates_per_peer = 64;
constexpr std::size_t max_early_peers = 256;
constexpr gint64 early_candidate_ttl_us = 60'000'000;

} // namespace

class BotHost::Peer : public PeerContext, public std::enable_shared_from_this<Peer> {
public:
    Peer(BotHost& host, std::string peer_id, std::shared_ptr<PeerSession> session)
        : host_(host), peer_id_(std::move(peer_id)), log_(host.bot_->name() + "<-" + peer_id_),
          session_(std::move(session)),
          restarts_(host.config_.max_ice_restarts, host.config_.ice_restart_delay) {}

    ~Peer() override { close(); }

    void close() {
        disconnected_timer_.cancel();
        connect_timer_.cancel();
        restart_timer_.cancel();
        for (auto* list : {&chats_, &pings_}) {
            for (auto& dc : *list) {
                dc->on_text(nullptr);
                dc->on_close(nullptr);
            }
            list->clear();
        }
        for (auto* dc : {&chat_, &patch_}) {
            if (*dc) {
                (*dc)->on_text(nullptr);
                (*dc)->on_close(nullptr);
                *dc = nullptr;
            }
        }
        if (session_) {
            session_->close();
        }
    }

    const std::string& peer_id() const override { return peer_id_; }
    const std::string& own_node_id() const override { return host_.signalling_->node_id(); }
    PeerSession& session() { return *session_; }
    const PeerSession& session() const { return *session_; }
    const std::string& log() const { return log_; }
    /// offer_origin() of the remote's offers on this connection ("" before the first one).
    std::string remote_origin;
    /// The ICE username fragment of the remote's last description (offer or answer).
    std::string remote_ufrag;

    bool send_chat(const std::string& text) override { return chat_ && chat_->send_text(text); }

    std::shared_ptr<DataChannel> open_channel(const std::string& label) override {
        return session_->create_data_channel(label);
    }

    std::shared_ptr<DataChannel> patch_channel() override {
        if (!patch_ || patch_->is_closed()) {
            patch_ = open_channel("msgpatch");
            if (patch_) {
                // Patches go one way (PROTOCOL.md 4.9): whatever the peer writes is dropped.
                patch_->on_text([log = log_](const std::string& t) {
                    spdlog::debug("[{}] msgpatch: text of {} bytes dropped", log, t.size());
                });
                patch_->on_binary(drop_binary("msgpatch"));
            }
        }
        return patch_;
    }

    bool send_patch(const common::PatchOrder& order) override {
        auto channel = patch_channel();
        auto bytes = common::encode_patch(order);
        if (!channel || !bytes) {
            return false;
        }
        return channel->send_binary(*bytes);
    }

    bool attach_audio(GstElement* source, std::uint32_t ssrc, std::function<void()> on_negotiated,
                      std::function<void()> on_offer_sent) override {
        if (!session_->add_audio_source(source, ssrc)) {
            return false;
        }
        if (on_negotiated) {
            session_->when_negotiated(std::move(on_negotiated));
        }
        if (on_offer_sent) {
            session_->when_offer_sent(std::move(on_offer_sent));
        }
        session_->create_offer();
        return true;
    }

    bool detach_audio(GstElement* source) override { return session_->remove_audio_source(source); }

    void on_channel(const std::shared_ptr<DataChannel>& dc) {
        std::weak_ptr<Peer> weak = weak_from_this();
        // Every channel is served on its own, as the original's handlers are (one per channel,
        // answering on the channel the message came on): a peer may open several `chat` or
        // `ping` channels on one connection.
        std::weak_ptr<DataChannel> channel = dc;
        if (dc->label() == "chat") {
            chats_.push_back(dc);
            if (!chat_ || chat_->is_closed()) {
                chat_ = dc;
            }
            dc->on_open([weak] {
                if (auto self = weak.lock()) {
                    self->chat_opened();
                }
            });
            dc->on_text([weak, channel](std::string text) {
                if (auto self = weak.lock()) {
                    self->chat_text(text, channel);
                }
            });
            dc->on_binary([weak, channel](const DataChannel::Binary& b) {
                if (auto self = weak.lock()) {
                    self->chat_text(as_text(b), channel);
                }
            });
            dc->on_close([weak, channel] {
                if (auto self = weak.lock()) {
                    self->chat_closed(channel);
                }
            });
        } else if (dc->label() == "ping") {
            std::erase_if(pings_, [](const auto& p) { return p->is_closed(); });
            pings_.push_back(dc);
            dc->on_text([weak, channel](std::string text) {
                if (auto self = weak.lock()) {
                    self->ping_text(text, channel);
                }
            });
            dc->on_binary([weak, channel](const DataChannel::Binary& b) {
                if (auto self = weak.lock()) {
                    self->ping_text(as_text(b), channel);
                }
            });
            dc->on_close([weak, channel] {
                if (auto self = weak.lock()) {
                    self->forget_closed(self->pings_, channel.lock());
                }
            });
        } else {
            spdlog::debug("[{}] channel '{}' ignored", log_, dc->label());
        }
    }

    /// This connection ends (the host drops it unless a newer one from the peer replaced it).
    void leave(const char* why) { host_.drop_peer(peer_id_, why, this); }

    /// Drops the peer unless its connection comes up within the host's connect timeout.
    void expect_connection() {
        std::weak_ptr<Peer> weak = weak_from_this();
        connect_timer_.once(host_.context_, host_.config_.connect_timeout, [weak] {
            auto self = weak.lock();
            if (self && self->session_->state() != ConnectionState::connected) {
                self->leave("not connected in time");
            }
        });
    }

    /// The peer went offline on the server: kept while it keeps talking over its connection.
    void went_offline() {
        const auto mark = inbound_;
        std::weak_ptr<Peer> weak = weak_from_this();
        offline_timer_.once(host_.context_, host_.config_.offline_grace, [weak, mark] {
            auto self = weak.lock();
            if (!self) {
                return;
            }
            ++self->host_.offline_checks_;
            if (self->inbound_ == mark) {
                self->leave("went offline and fell silent");
            }
        });
    }

    void on_state(ConnectionState state) {
        if (state == ConnectionState::connected) {
            disconnected_timer_.cancel();
            connect_timer_.cancel();
            restart_timer_.cancel();
            restarts_.connected();
        } else if (state == ConnectionState::closed) {
            leave(to_string(state));
        } else if (state == ConnectionState::failed) {
            restart_or_leave("failed");
        } else if (state == ConnectionState::disconnected && !disconnected_timer_.active()) {
            std::weak_ptr<Peer> weak = weak_from_this();
            disconnected_timer_.once(host_.context_, host_.config_.disconnected_grace, [weak] {
                if (auto self = weak.lock()) {
                    self->restart_or_leave("disconnected too long");
                }
            });
        }
    }

    /// The connection is down: an ICE restart of ours after the policy's wait, and another if it
    /// is not up within the restart timeout, until the attempts are used up; then the peer goes.
    void restart_or_leave(const char* why) {
        if (restart_timer_.active()) {
            return; // a restart is already on its way
        }
        const auto wait = restarts_.next(g_random_double());
        if (!wait) {
            leave(why);
            return;
        }
        spdlog::info("[{}] connection {}: ICE restart {} of {} in {} ms", log_, why,
                     restarts_.attempts(), host_.config_.max_ice_restarts, wait->count());
        std::weak_ptr<Peer> weak = weak_from_this();
        restart_timer_.once(host_.context_, *wait, [weak, why] {
            auto self = weak.lock();
            if (!self || self->session_->state() == ConnectionState::connected) {
                return;
            }
            self->session_->restart_ice();
            self->restart_timer_.once(
                self->host_.context_, self->host_.config_.ice_restart_timeout, [weak, why] {
                    auto s = weak.lock();
                    if (s && s->session_->state() != ConnectionState::connected) {
                        s->restart_or_leave(why);
                    }
                });
        });
    }

private:
    /// A message on `chat` or `ping` may come as a binary frame (Pion's `Send`): the original's
    /// handlers parse the bytes of either kind, so the JSON in it counts as text; anything else
    /// fails to parse and is dropped like bad text.
    static std::string as_text(const DataChannel::Binary& b) { return {b.begin(), b.end()}; }

    /// Whatever the peer writes into a one-way channel is dropped (with no handler it would be
    /// kept for one).
    std::function<void(DataChannel::Binary)> drop_binary(const char* label) const {
        return [log = log_, label](const DataChannel::Binary& b) {
            spdlog::debug("[{}] {}: binary frame of {} bytes dropped", log, label, b.size());
        };
    }

    void chat_opened() {
        if (announced_) {
            return;
        }
        announced_ = true;
        auto self = shared_from_this();
        guarded(log_, "on_peer", [&] { host_.bot_->on_peer(self); });
    }

    /// A `chat` channel closed: while another is open, replies go there. The peer stays while
    /// it has an open `chat` or `ping` channel: the original serves `ping` on its own and answers
    /// it as long as that channel and the connection live (PROTOCOL.md 4.8, 6.1).
    void chat_closed(const std::weak_ptr<DataChannel>& channel) {
        auto closed = channel.lock();
        if (!chat_ || chat_ == closed || chat_->is_closed()) {
            chat_ = nullptr;
            for (const auto& dc : chats_) {
                if (dc != closed && !dc->is_closed()) {
                    chat_ = dc;
                }
            }
        }
        auto self = shared_from_this();
        guarded(log_, "on_chat_closed", [&] { host_.bot_->on_chat_closed(self); });
        forget_closed(chats_, closed);
    }

    /// Drops `closed` (and any other closed channel) from `list`; with the last `chat` and
    /// `ping` channel gone, the peer leaves (the remote closed its connection, which closes them
    /// all; the original would wait for ICE to fail).
    void forget_closed(std::vector<std::shared_ptr<DataChannel>>& list,
                       const std::shared_ptr<DataChannel>& closed) {
        std::erase_if(list, [&](const auto& dc) { return dc == closed || dc->is_closed(); });
        if (chats_.empty() && pings_.empty()) {
            leave("its chat and ping channels closed");
        }
    }

    void chat_text(const std::string& text, const std::weak_ptr<DataChannel>& channel) {
        ++inbound_;
        auto parsed = common::parse_chat_message(text);
        if (!parsed) {
            bad_message("chat", parsed.error().message());
            return;
        }
        if (parsed->ack) {
            return; // ACKs are never acted upon
        }
        // The ACK and replies go back on the channel the message came on (PROTOCOL.md 6.1).
        if (auto dc = channel.lock(); dc && !dc->is_closed()) {
            chat_ = std::move(dc);
        }
        chat_opened(); // a message proves the channel is open even if on-open was missed
        auto self = shared_from_this();
        guarded(log_, "on_message", [&] { host_.bot_->on_message(self, *parsed); });
    }

    void ping_text(const std::string& text, const std::weak_ptr<DataChannel>& channel) {
        ++inbound_;
        auto parsed = common::parse_chat_message(text);
        if (!parsed) {
            bad_message("ping", parsed.error().message());
            return;
        }
        if (!parsed->ping) {
            bad_message("ping", "not a ping");
            return;
        }
        if (parsed->ping->direction != "ping") {
            spdlog::debug("[{}] ping: a {} needs no answer", log_, parsed->ping->direction);
            return;
        }
        if (auto dc = channel.lock()) {
            dc->send_text(common::make_pong(*parsed, new_message_id(), now_ms())); // same channel
        }
    }

    /// A message on `chat` or `ping` that is dropped as invalid is logged (as the original logs
    /// them, PROTOCOL.md 6.1), at most once a second per peer so a peer's junk cannot flood the
    /// log; the line counts those not logged.
    void bad_message(const char* channel, const std::string& why) {
        ++bad_messages_;
        const gint64 now = g_get_monotonic_time();
        if (now < next_bad_log_us_) {
            return;
        }
        next_bad_log_us_ = now + G_USEC_PER_SEC;
        spdlog::warn("[{}] bad {} message dropped: {} ({} bad messages so far)", log_, channel, why,
                     bad_messages_);
    }

    BotHost& host_;
    std::string peer_id_;
    std::string log_;
    std::shared_ptr<PeerSession> session_;
    std::shared_ptr<DataChannel> chat_; ///< replies go here: the last `chat` spoken on
    std::vector<std::shared_ptr<DataChannel>> chats_; ///< every `chat` channel not closed
    std::vector<std::shared_ptr<DataChannel>> pings_; ///< `ping` channels (kept to be served)
    std::shared_ptr<DataChannel> patch_;
    Timer disconnected_timer_;
    Timer connect_timer_;
    Timer offline_timer_;
    Timer restart_timer_; ///< the next ICE restart, then the wait for it to come up
    IceRestartPolicy restarts_;
    std::uint64_t inbound_ = 0; ///< messages received on `chat` and `ping`
    std::uint64_t bad_messages_ = 0;
    gint64 next_bad_log_us_ = 0; ///< monotonic; no bad-message line before it
    bool announced_ = false;
};

BotHost::BotHost(std::shared_ptr<Bot> bot, HostConfig config, GMainContext* context)
    : bot_(std::move(bot)), config_(std::move(config)), context_(context) {}

std::shared_ptr<BotHost> BotHost::create(std::shared_ptr<Bot> bot, HostConfig config,
                                         GMainContext* context) {
    if (context == nullptr) {
        context = g_main_context_get_thread_default();
    }
    if (context == nullptr) {
        context = g_main_context_default();
    }
    if (config.signalling.log_name == "signalling") {
        config.signalling.log_name = bot->name();
    }
    std::shared_ptr<BotHost> host(new BotHost(std::move(bot), std::move(config), context));
    host->signalling_ = SignallingClient::create(host->config_.signalling, context);
    std::weak_ptr<BotHost> weak = host;
    host->signalling_->on_sdp([weak](const common::SdpOfferPayload& p) {
        if (auto self = weak.lock()) {
            self->handle_sdp(p);
        }
    });
    host->signalling_->on_ice([weak](const common::IceOfferPayload& p) {
        if (auto self = weak.lock()) {
            self->handle_ice(p);
        }
    });
    host->signalling_->on_offline([weak](const std::string& node) {
        if (auto self = weak.lock()) {
            ++self->offline_notices_;
            self->peer_offline(node);
        }
    });
    if (host->config_.server_turn_credentials) {
        host->turn_ = std::make_unique<TurnCredentials>(
            ice_servers_url(host->config_.signalling.url),
            [weak_signalling = std::weak_ptr<SignallingClient>(host->signalling_)](
                const std::string& url, std::function<void(unsigned, std::string)> done) {
                if (auto s = weak_signalling.lock()) {
                    s->http_get(url, std::move(done));
                }
            },
            context);
    }
    host->signalling_->on_registered([weak](const std::string&) {
        auto self = weak.lock();
        if (!self) {
            return;
        }
        if (self->turn_) {
            self->turn_->refresh(); // the server may have changed since the last registration
        }
        if (self->registrations_++ == 0) {
            return;
        }
        // Registered again after the signalling connection dropped (a server restart): no
        // `offline` will ever come for peers that left meanwhile, so every peer is treated as
        // gone offline: kept while it talks over its connection, dropped once silent.
        self->early_candidates_.clear();
        std::vector<std::string> ids;
        for (const auto& [id, peer] : self->peers_) {
            ids.push_back(id);
        }
        for (const auto& id : ids) {
            self->peer_offline(id);
        }
    });
    return host;
}

void BotHost::peer_offline(const std::string& node) {
    early_candidates_.erase(node);
    // A connected peer may keep talking over its own connection (PROTOCOL.md 1.6: existing
    // peer connections are unaffected): kept while it does.
    if (auto it = peers_.find(node);
        it != peers_.end() && it->second->session().state() == ConnectionState::connected) {
        spdlog::info("[{}] peer {} went offline; kept while it talks", bot_->name(), node);
        it->second->went_offline();
        return;
    }
    drop_peer(node, "went offline");
}

BotHost::~BotHost() {
    stop();
}

void BotHost::start() {
    signalling_->start();
}

void BotHost::stop() {
    auto peers = std::move(peers_);
    for (auto& [id, peer] : peers) {
        peer->close();
        guarded(bot_->name(), "on_peer_left", [&] { bot_->on_peer_left(id); });
    }
    early_candidates_.clear();
    if (turn_) {
        turn_->stop();
    }
    signalling_->stop();
}

void BotHost::handle_sdp(const common::SdpOfferPayload& payload) {
    const auto& from = payload.from_node_id;
    boost::system::error_code ec;
    auto value = json::parse(payload.offer_json, ec);
    const json::object* desc = ec ? nullptr : value.if_object();
    const json::value* sdp = desc != nullptr ? desc->if_contains("sdp") : nullptr;
    if (from.empty() || sdp == nullptr || !sdp->is_string()) {
        spdlog::warn("[{}] malformed sdp_offer from '{}' dropped", bot_->name(), from);
        return;
    }
    std::string type = payload.type;
    if (const auto* t = desc->if_contains("type"); t != nullptr && t->is_string()) {
        type = std::string(t->get_string());
    }
    spdlog::debug("[{}] {} from {}", bot_->name(), type, from);
    auto it = peers_.find(from);
    if (type == "offer") {
        const auto origin = offer_origin(sdp->get_string());
        const auto ufrag = std::string(sdp_line(sdp->get_string(), "a=ice-ufrag:"));
        if (it != peers_.end() && !it->second->remote_origin.empty() &&
            origin != it->second->remote_origin && ufrag != it->second->remote_ufrag) {
            // Other ICE credentials and another session id or certificate: the peer made a new
            // RTCPeerConnection (closed the old one, or forgot it), not a renegotiation of this
            // one. Applied to the old connection, its offer would get an answer with the old ICE
            // and DTLS parameters and never connect. Some stacks (aiortc) write a new session id
            // into every description: with the same ICE credentials it is the same connection.
            drop_peer(from, "replaced by a new connection from the same node");
            it = peers_.end();
        }
        if (it == peers_.end()) {
            auto peer = create_peer(from);
            if (!peer) {
                return;
            }
            it = peers_.find(from);
        }
        it->second->remote_origin = origin;
        it->second->remote_ufrag = ufrag;
        it->second->session().set_remote_description("offer", std::string(sdp->get_string()));
    } else if (type == "answer") {
        if (it == peers_.end()) {
            spdlog::debug("[{}] answer from unknown peer {} dropped", bot_->name(), from);
            return;
        }
        // An answer to the bot's ICE restart brings the remote's new credentials.
        it->second->remote_ufrag = std::string(sdp_line(sdp->get_string(), "a=ice-ufrag:"));
        it->second->session().set_remote_description("answer", std::string(sdp->get_string()));
    } else {
        spdlog::warn("[{}] sdp_offer of type '{}' dropped", bot_->name(), type);
        return;
    }
    // Candidates that arrived before this peer existed.
    if (auto early = early_candidates_.find(from); early != early_candidates_.end()) {
        auto list = std::move(early->second);
        early_candidates_.erase(early);
        for (const auto& c : list) {
            handle_ice(common::IceOfferPayload{c.offer_json, from, node_id()});
        }
    }
}

void BotHost::handle_ice(const common::IceOfferPayload& payload) {
    const auto& from = payload.from_node_id;
    auto it = peers_.find(from);
    if (it == peers_.end()) {
        if (from.empty()) {
            return;
        }
        // Unknown peer: keep the candidate until its offer arrives (bounded, expiring).
        const gint64 now = g_get_monotonic_time();
        std::erase_if(early_candidates_, [&](auto& entry) {
            return entry.second.empty() || now - entry.second.back().at_us > early_candidate_ttl_us;
        });
        if (early_candidates_.size() >= max_early_peers && !early_candidates_.contains(from)) {
            return;
        }
        auto& list = early_candidates_[from];
        if (list.size() < max_early_candidates_per_peer) {
            list.push_back({payload.offer_json, now});
        }
        return;
    }
    boost::system::error_code ec;
    auto value = json::parse(payload.offer_json, ec);
    const json::object* init = ec ? nullptr : value.if_object();
    if (init == nullptr) {
        spdlog::warn("[{}] malformed ice_offer dropped", it->second->log());
        return;
    }
    std::string candidate, mid;
    std::optional<unsigned> mline;
    if (const auto* c = init->if_contains("candidate"); c != nullptr && c->is_string()) {
        candidate = c->get_string();
    }
    if (const auto* m = init->if_contains("sdpMid"); m != nullptr && m->is_string()) {
        mid = m->get_string();
    }
    if (const auto* m = init->if_contains("sdpMLineIndex"); m != nullptr && m->is_number()) {
        auto index = m->to_number<std::int64_t>(ec);
        if (!ec && index >= 0 && index < 64) {
            mline = static_cast<unsigned>(index);
        }
    }
    if (candidate.rfind("a=", 0) == 0) {
        candidate.erase(0, 2);
    }
    it->second->session().add_ice_candidate(mline, mid, candidate);
}

std::shared_ptr<BotHost::Peer> BotHost::create_peer(const std::string& peer_id) {
    if (peers_.size() >= config_.max_peers) {
        spdlog::warn("[{}] peer limit {} reached, offer from {} refused", bot_->name(),
                     config_.max_peers, peer_id);
        return nullptr;
    }
    PeerConfig pc;
    pc.name = bot_->name() + "<-" + peer_id.substr(0, 8);
    pc.ice_servers = config_.ice_servers;
    if (turn_) {
        auto relays = turn_->urls();
        pc.ice_servers.insert(pc.ice_servers.end(), relays.begin(), relays.end());
    }
    pc.context = context_;
    pc.message_budget = config_.message_budget;
    auto session = PeerSession::create(std::move(pc));
    if (!session) {
        return nullptr;
    }
    auto peer = std::make_shared<Peer>(*this, peer_id, session);
    std::weak_ptr<BotHost> weak_host = weak_from_this();
    std::weak_ptr<Peer> weak_peer = peer;
    session->on_local_description([weak_host, peer_id](std::string type, std::string sdp) {
        if (auto host = weak_host.lock()) {
            host->signalling_->send_sdp(peer_id, type, sdp);
        }
    });
    session->on_ice_candidate(
        [weak_host, peer_id](unsigned mline, std::string mid, std::string candidate) {
            if (auto host = weak_host.lock()) {
                host->signalling_->send_ice(peer_id, candidate, mid, mline);
            }
        });
    session->on_data_channel([weak_peer](std::shared_ptr<DataChannel> dc) {
        if (auto p = weak_peer.lock()) {
            p->on_channel(dc);
        }
    });
    session->on_state([weak_peer](ConnectionState state) {
        if (auto p = weak_peer.lock()) {
            p->on_state(state);
        }
    });
    session->on_error([weak_peer](const std::string& what) {
        if (auto p = weak_peer.lock(); p && what.rfind("pipeline:", 0) == 0) {
            p->leave("pipeline error");
        }
    });
    peers_[peer_id] = peer;
    peer->expect_connection();
    spdlog::info("[{}] new peer {} ({} peers)", bot_->name(), peer_id, peers_.size());
    return peer;
}

std::uint64_t BotHost::dropped_over_budget(const std::string& peer_id) const {
    auto it = peers_.find(peer_id);
    return it != peers_.end() ? it->second->session().dropped_over_budget() : 0;
}

void BotHost::drop_peer(const std::string& peer_id, const char* why, const Peer* only) {
    auto it = peers_.find(peer_id);
    if (it == peers_.end() || (only != nullptr && it->second.get() != only)) {
        return; // gone already, or `only` was replaced by a newer connection from the peer
    }
    auto peer = std::move(it->second);
    peers_.erase(it);
    spdlog::info("[{}] peer {} left: {} ({} peers)", bot_->name(), peer_id, why, peers_.size());
    guarded(bot_->name(), "on_peer_left", [&] { bot_->on_peer_left(peer_id); });
    // Closing tears down the pipeline; do it outside the current callback chain.
    post(context_, [peer] { peer->close(); });
}

} // namespace tincan::agents
