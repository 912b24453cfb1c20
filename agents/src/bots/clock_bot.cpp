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
    clock = std::make_unique<Clock>(); // cancels the previous updater
    clock->message_id = new_message_id();
    peer->reply_with_id(message, clock->message_id, time_text());
    // Opened now, so it is ready by the first tick.
    std::weak_ptr<DataChannel> channel = peer->patch_channel();
    std::weak_ptr<PeerContext> weak = peer;
    const auto id = clock->message_id;
    clock->timer.every(context_, 1s, [this, weak, channel, id, peer_id = peer->peer_id()] {
        auto p = weak.lock();
        auto ch = channel.lock();
        if (!p || !ch || ch->is_closed()) {
            // The peer closed the msgpatch channel: the clock stops (PROTOCOL.md 6.4) rather than
            // opening another one. Destroys this timer; nothing below runs.
            clocks_.erase(peer_id);
            return;
        }
        p->send_patch({common::PatchKind::replace, id, time_text()});
    });
}

} // namespace tincan::agents
