#include "bots/echo_bot.hpp"

namespace tincan::agents {

void EchoBot::on_message(const std::shared_ptr<PeerContext>& peer,
                         const common::ChatMessage& message) {
    if (!message.is_plain_text()) {
        return; // files, amends, deletes, pings: no ACK, no echo (as the original)
    }
    peer->ack(message);
    peer->send_chat(common::make_echo(message, new_message_id()));
}

} // namespace tincan::agents
