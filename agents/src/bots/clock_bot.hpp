#pragma once

#include "bots/bot.hpp"
#include "util/main_context.hpp"

#include <map>
#include <memory>

namespace tincan::agents {

/// `/now` sends the time, then replaces it every second through a new `msgpatch` channel
/// (PROTOCOL.md 6.4). One clock per peer: it stops when the peer closes that channel or any of
/// its `chat` channels, or leaves, or at the next `/now`, which also closes the previous channel.
class ClockBot : public CommandBot {
public:
    static const char* const help_text;

    explicit ClockBot(GMainContext* context = nullptr);
    std::string name() const override { return "ClockBot"; }
    void on_command(const std::shared_ptr<PeerContext>& peer, const common::ChatMessage& message,
                    const std::string& text) override;
    void on_chat_closed(const std::shared_ptr<PeerContext>& peer) override;
    void on_peer_left(const std::string& peer_id) override;

    /// `🕐 Current Time: <RFC 3339, local zone, seconds>`.
    static std::string time_text();
    std::size_t running_clocks() const { return clocks_.size(); }

private:
    struct Clock {
        Clock() = default;
        Clock(const Clock&) = delete;
        Clock& operator=(const Clock&) = delete;
        ~Clock(); ///< closes the channel
        std::string message_id;
        std::shared_ptr<DataChannel> channel; ///< this clock's own `msgpatch` channel
        Timer timer;
    };
    GMainContext* context_;
    std::map<std::string, std::unique_ptr<Clock>> clocks_;
};

} // namespace tincan::agents
