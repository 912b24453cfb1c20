#include "bots/bot.hpp"

#include <glib.h>

namespace tincan::agents {

void CommandBot::on_message(const std::shared_ptr<PeerContext>& peer,
                            const common::ChatMessage& message) {
    if (!message.message || message.ack) {
        return;
    }
    peer->ack(message);
    on_command(peer, message, *message.message);
}

std::string new_message_id() {
    gchar* id = g_uuid_string_random();
    std::string s = id;
    g_free(id);
    return s;
}

std::int64_t now_ms() {
    return g_get_real_time() / 1000;
}

} // namespace tincan::agents
