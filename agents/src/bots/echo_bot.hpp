#pragma once

#include "bots/bot.hpp"

namespace tincan::agents {

/// Echoes every text or rich-text message back after an ACK (PROTOCOL.md 6.2).
class EchoBot : public Bot {
public:
    std::string name() const override { return "EchoBot"; }
    void on_message(const std::shared_ptr<PeerContext>& peer,
                    const common::ChatMessage& message) override;
};

} // namespace tincan::agents
