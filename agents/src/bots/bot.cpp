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

bool PeerContext::ack(const common::ChatMessage& message) {
    return send_chat(common::make_ack(message, new_message_id(), now_ms()));
}

std::string PeerContext::reply(const common::ChatMessage& to, std::string_view text) {
    auto id = new_message_id();
    return reply_with_id(to, id, text) ? id : std::string();
}

bool PeerContext::reply_with_id(const common::ChatMessage& to, const std::string& message_id,
                                std::string_view text) {
    return send_chat(common::make_text_reply(to, message_id, now_ms(), text));
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
