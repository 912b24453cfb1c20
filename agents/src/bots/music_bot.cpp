#include "bots/music_bot.hpp"

#include <spdlog/spdlog.h>

namespace tincan::agents {

const char* const MusicBot::help_text = "🎵 WebRTC Audio Bot - Available Commands:\n"
                                        "\n"
                                        "/start - Show this help message\n"
                                        "/list - List all available audio tracks\n"
                                        "/play <track_name> - Play a specific audio track\n"
                                        "\n"
                                        "Example: /play ambient_music";

const char* const MusicBot::example_track = "ambient_music";

MusicBot::MusicBot(const std::vector<std::string>& ogg_files) {
    tracks_.push_back(OpusSource::sine("C4", 261.63));
    tracks_.push_back(OpusSource::sine("A4", 440.0));
    tracks_.push_back(OpusSource::white_noise("WhiteNoise"));
    for (const auto& f : ogg_files) {
        if (auto source = OpusSource::ogg_file(f)) {
            tracks_.push_back(std::move(source));
        }
    }
    // The help's example (the original's text, PROTOCOL.md 5.1) plays: not listed, so `/list`
    // stays the original's (5.2); an Ogg file of that name takes its place.
    if (!find(example_track)) {
        example_ = OpusSource::ambient(example_track);
    }
}

MusicBot::~MusicBot() {
    *alive_ = false;
    for (auto& [peer, l] : listeners_) {
        stop_feeding(l);
    }
}

void MusicBot::stop_feeding(Listener& listener) {
    if (listener.feeding) {
        listener.source->remove_listener(listener.appsrc.get());
        listener.feeding = false;
    }
}

std::shared_ptr<OpusSource> MusicBot::find(const std::string& name) const {
    for (const auto& t : tracks_) {
        if (t->name() == name) {
            return t;
        }
    }
    return example_ && example_->name() == name ? example_ : nullptr;
}

std::string MusicBot::list_text() const {
    if (tracks_.empty()) {
        return "No tracks available.";
    }
    std::string text = "Available tracks:\n";
    for (const auto& t : tracks_) {
        text += "  - " + t->name() + "\n";
    }
    return text + "\nUse /play <track_name> to play a track.";
}

void MusicBot::on_command(const std::shared_ptr<PeerContext>& peer,
                          const common::ChatMessage& message, const std::string& text) {
    if (text == "/start") {
        peer->reply(message, help_text);
    } else if (text == "/list") {
        peer->reply(message, list_text());
    } else if (text.size() > 6 && text.rfind("/play ", 0) == 0) {
        if (auto reply = play(peer, message, text.substr(6)); !reply.empty()) {
            peer->reply(message, reply);
        }
    }
}

std::string MusicBot::play(const std::shared_ptr<PeerContext>& peer,
                           const common::ChatMessage& message, const std::string& name) {
    auto source = find(name);
    if (!source) {
        return "Error: Track '" + name + "' not found. Use /list to see available tracks.";
    }
    const auto peer_id = peer->peer_id();
    std::uint32_t tracks = 1;
    // 1. The current track (if any) stops and leaves the connection.
    if (auto it = listeners_.find(peer_id); it != listeners_.end()) {
        auto& current = it->second;
        if (current.tracks >= max_tracks) {
            // Enough m-lines on this connection: the current track carries the new source.
            if (current.feeding) {
                current.source->remove_listener(current.appsrc.get());
                source->add_listener(current.appsrc);
            }
            current.source = source;
            return "Now playing: " + name;
        }
        tracks = current.tracks + 1;
        stop_feeding(current);
        peer->detach_audio(current.bin);
        listeners_.erase(it);
    }
    // 2. A new track, 3. offered (with the removal) in one renegotiation.
    Listener listener;
    listener.tracks = tracks;
    listener.id = ++next_listener_id_;
    listener.source = source;
    std::uint32_t ssrc = 0;
    listener.bin = OpusSource::make_listener_bin(listener.appsrc, &ssrc);
    // Media flows once the peer has answered an offer carrying the track, if it is still the
    // peer's current one by then (a later /play may have replaced it).
    auto start = [this, peer_id, id = listener.id, alive = std::weak_ptr<bool>(alive_)] {
        if (!alive.lock()) {
            return;
        }
        auto it = listeners_.find(peer_id);
        if (it != listeners_.end() && it->second.id == id && !it->second.feeding) {
            it->second.feeding = true;
            it->second.source->add_listener(it->second.appsrc);
        }
    };
    std::weak_ptr<PeerContext> weak = peer;
    auto now_playing = [weak, message, name] {
        if (auto p = weak.lock()) {
            p->reply(message, "Now playing: " + name);
        }
    };
    if (listener.bin == nullptr || !peer->attach_audio(listener.bin, ssrc, start, now_playing)) {
        return "Error: Failed to play track: cannot add an audio track to the connection";
    }
    listeners_[peer_id] = std::move(listener);
    return {}; // "Now playing" once the offer is out
}

void MusicBot::on_peer_left(const std::string& peer_id) {
    auto it = listeners_.find(peer_id);
    if (it != listeners_.end()) {
        stop_feeding(it->second);
        listeners_.erase(it);
    }
}

} // namespace tincan::agents
