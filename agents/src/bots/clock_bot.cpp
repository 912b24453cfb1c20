#include "bots/clock_bot.hpp"

#include <glib.h>

namespace tincan::agents {

using namespace std::chrono_literals;

const char* const ClockBot::help_text =
    "🕐 Clock Bot - Available Commands:\n"
    "\n"
    "/start - Show this help message\n"
    "/now - Display a real-time clock that updates every second\n"
    "\n"
    "The clock keeps updating until you send /now again or disconnect.";

ClockBot::ClockBot(GMainContext* context)
    : context_(context != nullptr ? context : g_main_context_get_thread_default()) {
    if (context_ == nullptr) {
        context_ = g_main_context_default();
    }
}

std::string ClockBot::time_text() {
    GDateTime* now = g_date_time_new_now_local();
    gchar* base = g_date_time_format(now, "%Y-%m-%dT%H:%M:%S");
    std::string text = std::string("🕐 Current Time: ") + base;
    g_free(base);
    const GTimeSpan offset = g_date_time_get_utc_offset(now);
    if (offset == 0) {
        text += "Z"; // as Go's time.RFC3339
    } else {
        gchar* zone = g_date_time_format(now, "%:z");
        text += zone;
        g_free(zone);
    }
    g_date_time_unref(now);
    return text;
}

void ClockBot::on_command(const std::shared_ptr<PeerContext>& peer,
                          const common::ChatMessage& message, const std::string& text) {
    if (text == "/start") {
        peer->reply(message, help_text);
        return;
    }
    if (text != "/now") {
        return;
    }
    auto& clock = clocks_[peer->peer_id()];
    // 1. The previous updater stops; its channel is closed (the original leaves it open for the
    //    connection's lifetime, one more per /now: PROTOCOL.md 10.2).
    clock = std::make_unique<Clock>();
    clock->message_id = new_message_id();
    // 2. The time as a chat message, 3. then a new `msgpatch` channel for its updates (6.4).
    peer->reply_with_id(message, clock->message_id, time_text());
    clock->channel = peer->open_channel("msgpatch");
    if (!clock->channel) {
        clocks_.erase(peer->peer_id());
        return;
    }
    // One way: whatever the peer writes into it is dropped.
    clock->channel->on_text([](const std::string&) {});
    clock->channel->on_binary([](const DataChannel::Binary&) {});
    std::weak_ptr<DataChannel> channel = clock->channel;
    const auto id = clock->message_id;
    clock->timer.every(context_, 1s, [this, channel, id, peer_id = peer->peer_id()] {
        auto ch = channel.lock();
        if (!ch || ch->is_closed()) {
            // 4. The peer closed the channel (or left): the clock stops. Destroys this timer;
            // nothing below runs.
            clocks_.erase(peer_id);
            return;
        }
        auto bytes = common::encode_patch({common::PatchKind::replace, id, time_text()});
        if (ch->is_open() && bytes) {
            ch->send_binary(*bytes);
        }
    });
}

void ClockBot::on_chat_closed(const std::shared_ptr<PeerContext>& peer) {
    // 4. As the original's close handler on every chat channel: the peer's clock stops (and its
    //    channel is closed), whichever of its chat channels `/now` came on.
    clocks_.erase(peer->peer_id());
}

void ClockBot::on_peer_left(const std::string& peer_id) {
    if (auto it = clocks_.find(peer_id); it != clocks_.end()) {
        it->second->channel = nullptr; // goes with the connection
        clocks_.erase(it);
    }
}

ClockBot::Clock::~Clock() {
    timer.cancel();
    if (channel) {
        channel->close();
    }
}

} // namespace tincan::agents
