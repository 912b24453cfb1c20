#pragma once

#include "bots/bot.hpp"
#include "util/main_context.hpp"

#include <map>
#include <memory>

namespace tincan::agents {

/// `/now` sends the time, then replaces it every second through the peer's `msgpatch` channel
/// (PROTOCOL.md 6.4). One channel per peer, reused; the updater stops when the peer leaves or
/// at the next `/now`.
class ClockBot : public CommandBot {
public:
    static const char* const help_text;

    explicit ClockBot(GMainContext* context = nullptr);
    std::string name() const override { return "ClockBot"; }
    void on_command(const std::shared_ptr<PeerContext>& peer, const common::ChatMessage& message,
                    const std::string& text) override;
    void on_peer_left(const std::string& peer_id) override { clocks_.erase(peer_id); }

    /// `🕐 Current Time: <RFC 3339, local zone, seconds>`.
    static std::string time_text();
    std::size_t running_clocks() const { return clocks_.size(); }

private:
    struct Clock {
        std::string message_id;
        Timer timer;
    };
    GMainContext* context_;
    std::map<std::string, std::unique_ptr<Clock>> clocks_;
};

} // namespace tincan::agents
