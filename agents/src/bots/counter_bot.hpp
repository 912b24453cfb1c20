#pragma once

#include "bots/bot.hpp"
#include "bots/departed_peers.hpp"

#include <cstdint>
#include <map>

namespace tincan::agents {

/// A personal counter per peer node id (PROTOCOL.md 6.3): kept when the peer's connection ends,
/// so a peer that reconnects under the same node id continues its count. The original never
/// prunes; here the counters of the `max_departed` most recent leavers are kept, older ones go.
class CounterBot : public CommandBot {
public:
    static const char* const help_text;

    explicit CounterBot(std::size_t max_departed = 4096) : departed_(max_departed) {}

    std::string name() const override { return "CounterBot"; }
    void on_command(const std::shared_ptr<PeerContext>& peer, const common::ChatMessage& message,
                    const std::string& text) override;
    void on_peer_left(const std::string& peer_id) override;

    /// The reply to `text` for a peer whose counter is `counter` (updated); "" = no reply.
    static std::string respond(const std::string& text, std::int64_t& counter);
    std::size_t tracked_peers() const { return counters_.size(); }

private:
    std::map<std::string, std::int64_t> counters_;
    DepartedPeers departed_;
};

} // namespace tincan::agents
