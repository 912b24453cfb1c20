#pragma once

#include "bots/bot.hpp"
#include "media/opus_source.hpp"

#include <map>
#include <memory>
#include <vector>

namespace tincan::agents {

/// `/start`, `/list`, `/play <name>` (PROTOCOL.md 5): every `/play` replaces the peer's track as
/// the original does (5.3): the current one is taken off the connection (its m-line goes
/// inactive), a new Opus track with a fresh SSRC is added, and one offer carries both changes.
/// A connection keeps every m-line it ever had, so after `max_tracks` of them later `/play`s
/// switch what feeds the current track instead (no renegotiation).
class MusicBot : public CommandBot {
public:
    static const char* const help_text;
    /// The track the help's example plays (`ambient_music`): a soft chord, not in `/list`.
    static const char* const example_track;
    static constexpr std::uint32_t max_tracks = 16;

    /// Tracks C4, A4, WhiteNoise, then one per valid Ogg Opus file; and the example track.
    explicit MusicBot(const std::vector<std::string>& ogg_files = {});
    ~MusicBot() override;

    std::string name() const override { return "MusicBot"; }
    void on_command(const std::shared_ptr<PeerContext>& peer, const common::ChatMessage& message,
                    const std::string& text) override;
    void on_peer_left(const std::string& peer_id) override;

    std::string list_text() const;
    const std::vector<std::shared_ptr<OpusSource>>& tracks() const { return tracks_; }
    std::shared_ptr<OpusSource> find(const std::string& name) const;

private:
    /// The peer's current track.
    struct Listener {
        std::uint64_t id = 0;
        GstElement* bin = nullptr; ///< identifies the track to detach_audio; owned by the peer
        GRef<GstElement> appsrc;
        std::shared_ptr<OpusSource> source;
        bool feeding = false;     ///< after the peer answered the offer carrying the track
        std::uint32_t tracks = 1; ///< tracks this connection has had, this one included
    };
    /// The reply to `/play <name>`, or empty when it is sent later ("Now playing" after the
    /// renegotiation offer has gone out, PROTOCOL.md 5.1).
    std::string play(const std::shared_ptr<PeerContext>& peer, const common::ChatMessage& message,
                     const std::string& name);
    /// Stops feeding `listener` (the source stops after its last listener).
    static void stop_feeding(Listener& listener);

    std::vector<std::shared_ptr<OpusSource>> tracks_;
    std::shared_ptr<OpusSource> example_;       ///< unless an Ogg file has its name
    std::map<std::string, Listener> listeners_; // by peer id
    std::uint64_t next_listener_id_ = 0;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

} // namespace tincan::agents
