#pragma once

// The bot SDK (docs/bots.md). A bot is a peer: the host (BotHost) gives it its own signalling
// connection and one PeerSession per remote peer, answers offers, replies to `ping`, and calls
// the bot on the GLib main context. Bots never touch webrtcbin directly.

#include "rtc/data_channel.hpp"
#include "tincan/common/chat_message.hpp"
#include "tincan/common/msgpatch.hpp"

#include <gst/gst.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace tincan::agents {

/// What a bot can do with one remote peer. Valid until the peer leaves; keep a weak_ptr in
/// timers and asynchronous work.
class PeerContext {
public:
    virtual ~PeerContext() = default;

    /// The remote peer's node id.
    virtual const std::string& peer_id() const = 0;
    /// This bot's current node id (changes after a signalling reconnect).
    virtual const std::string& own_node_id() const = 0;

    /// Sends a raw ChatMessage JSON on the `chat` channel.
    virtual bool send_chat(const std::string& json) = 0;
    /// ACKs `message` (PROTOCOL.md 4.4) through send_chat.
    virtual bool ack(const common::ChatMessage& message);
    /// Replies to `to` with a text message through reply_with_id; returns the new message id
    /// ("" if not sent).
    virtual std::string reply(const common::ChatMessage& to, std::string_view text);
    /// Like reply, with a message id chosen by the caller (for later patches); by default
    /// through send_chat.
    virtual bool reply_with_id(const common::ChatMessage& to, const std::string& message_id,
                               std::string_view text);

    /// Opens a data channel on the established connection (no renegotiation needed).
    virtual std::shared_ptr<DataChannel> open_channel(const std::string& label) = 0;
    /// The peer's `msgpatch` channel, created on first use and reused afterwards.
    virtual std::shared_ptr<DataChannel> patch_channel() = 0;
    /// Sends one patch order on patch_channel(); false if it is not open (yet).
    virtual bool send_patch(const common::PatchOrder& order) = 0;

    /// Adds an audio source (element with a "src" pad producing Opus RTP, floating ref taken)
    /// to the connection as a new track in a stream of its own, and sends a renegotiation offer.
    /// `on_offer_sent` runs once an offer carrying the track has gone to the peer;
    /// `on_negotiated` once the peer answered it: start feeding media only then. `ssrc` is the
    /// payloader's ssrc (announced in the offer; 0 if unknown). While an earlier offer waits for
    /// its answer, one follow-up offer goes out after it.
    virtual bool attach_audio(GstElement* source, std::uint32_t ssrc,
                              std::function<void()> on_negotiated,
                              std::function<void()> on_offer_sent = {}) = 0;
    /// Takes a source added with attach_audio off the connection, like removeTrack: it stops,
    /// and the next offer marks its m-line inactive (the peer's track mutes). It sends no offer
    /// by itself: attach the replacement next and its offer carries both changes. False if
    /// `source` is not attached.
    virtual bool detach_audio(GstElement* source) = 0;
};

class Bot {
public:
    virtual ~Bot() = default;

    /// Registration name without a JWT (`EchoBot`, ...); also names the `<NAME>_JWT_TOKEN`
    /// environment variable (upper-cased).
    virtual std::string name() const = 0;
    /// The peer's `chat` channel opened.
    virtual void on_peer(const std::shared_ptr<PeerContext>& peer) {}
    /// A valid ChatMessage arrived on `chat` (not ACKs: those never reach bots).
    virtual void on_message(const std::shared_ptr<PeerContext>& peer,
                            const common::ChatMessage& message) = 0;
    /// One of the peer's `chat` channels closed; the peer may stay (its connection and other
    /// channels live). The original's per-channel close handlers stop per-peer work here
    /// (ClockBot's clock, PROTOCOL.md 6.4).
    virtual void on_chat_closed(const std::shared_ptr<PeerContext>& peer) {}
    /// The peer left or its connection failed: drop every per-peer state.
    virtual void on_peer_left(const std::string& peer_id) {}
};

/// A bot driven by slash commands: ACKs every message with a `message` field first (as the
/// original CounterBot, ClockBot and MusicBot do), then calls on_command with the text.
class CommandBot : public Bot {
public:
    void on_message(const std::shared_ptr<PeerContext>& peer,
                    const common::ChatMessage& message) override;
    /// `text` is the whole message; unknown commands get no reply.
    virtual void on_command(const std::shared_ptr<PeerContext>& peer,
                            const common::ChatMessage& message, const std::string& text) = 0;
};

/// A random UUIDv4 string.
std::string new_message_id();
/// Bot clock, Unix milliseconds.
std::int64_t now_ms();

} // namespace tincan::agents
