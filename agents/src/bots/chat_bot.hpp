#pragma once

#include "bots/bot.hpp"
#include "llm/chat_history.hpp"
#include "llm/llm_client.hpp"

#include <map>
#include <memory>
#include <optional>

namespace tincan::agents {

/// LLM replies (PROTOCOL.md 6.6), streamed: the reply is announced as an empty chat message,
/// filled with msgpatch append orders as tokens arrive, then completed with one replace order
/// carrying the whole text. Per-peer history is bounded; one request per peer at a time.
class ChatBot : public Bot {
public:
    /// `llm.model` or `llm.api_key` empty: ChatBot only explains that it is not configured.
    explicit ChatBot(LlmConfig llm, std::size_t history_turns = 20);

    std::string name() const override { return "ChatBot"; }
    void on_peer(const std::shared_ptr<PeerContext>& peer) override;
    void on_message(const std::shared_ptr<PeerContext>& peer,
                    const common::ChatMessage& message) override;
    void on_peer_left(const std::string& peer_id) override { conversations_.erase(peer_id); }

    bool configured() const { return client_ != nullptr; }
    std::size_t conversation_count() const { return conversations_.size(); }
    const ChatHistory* history(const std::string& peer_id) const;

    static constexpr const char* busy_text =
        "I am still answering your previous message; please wait for it to finish.";

private:
    struct Conversation {
        ChatHistory history;
        std::shared_ptr<LlmRequest> request;
        std::string reply_id;
        std::string text;           ///< received so far
        std::size_t sent = 0;       ///< bytes of text already sent as append orders
        common::ChatMessage origin; ///< the user message being answered (for addressing)
    };
    void flush(PeerContext& peer, Conversation& c);
    void finish(const std::weak_ptr<PeerContext>& weak, const std::string& peer_id,
                const std::string& error);

    std::string not_configured_;
    std::unique_ptr<LlmClient> client_;
    std::size_t history_turns_;
    std::map<std::string, Conversation> conversations_;
};

} // namespace tincan::agents
