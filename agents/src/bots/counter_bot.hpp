#pragma once

#include "bots/bot.hpp"

#include <cstdint>
#include <map>

namespace tincan::agents {

/// A personal counter per peer (PROTOCOL.md 6.3); dropped when the peer leaves.
class CounterBot : public CommandBot {
public:
    static const char* const help_text;

    std::string name() const override { return "CounterBot"; }
    void on_command(const std::shared_ptr<PeerContext>& peer, const common::ChatMessage& message,
                    const std::string& text) override;
    void on_peer_left(const std::string& peer_id) override { counters_.erase(peer_id); }

    /// The reply to `text` for a peer whose counter is `counter` (updated); "" = no reply.
    static std::string respond(const std::string& text, std::int64_t& counter);
    std::size_t tracked_peers() const { return counters_.size(); }

private:
    std::map<std::string, std::int64_t> counters_;
};

} // namespace tincan::agents
