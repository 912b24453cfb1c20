#pragma once

#include "bots/bot.hpp"
#include "bots/departed_peers.hpp"
#include "llm/chat_history.hpp"
#include "llm/llm_client.hpp"

#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <vector>

namespace tincan::agents {

/// LLM replies (PROTOCOL.md 6.6). To a peer whose message says it takes streamed replies
/// (`"tincanFeatures"` naming `msgpatch-stream`, as Tincan's web app sends) the reply is announced
/// as an empty chat message, filled with msgpatch append orders as tokens arrive, then completed
/// with one replace order carrying the whole text; every other peer gets the complete text as
/// one plain `message`, as from the original. Per-peer history is bounded; one request per peer
/// at a time, later messages wait their turn (a few; beyond that the peer is asked to wait).
/// A conversation is kept under `<bot node id>-<peer node id>` when its connection ends, as the
/// original's (6.6; the bot's id as the connection began), so a peer that calls again under that
/// id goes on with it; those of the `max_departed` most recent leavers are kept, older dropped.
class ChatBot : public Bot {
public:
    /// `llm.model` or `llm.api_key` empty: ChatBot only explains that it is not configured.
    explicit ChatBot(LlmConfig llm, std::size_t history_turns = 20, std::size_t max_departed = 256);

    std::string name() const override { return "ChatBot"; }
    void on_peer(const std::shared_ptr<PeerContext>& peer) override;
    void on_message(const std::shared_ptr<PeerContext>& peer,
                    const common::ChatMessage& message) override;
    void on_peer_left(const std::string& peer_id) override;

    bool configured() const { return client_ != nullptr; }
    std::size_t conversation_count() const { return conversations_.size(); }
    const ChatHistory* history(const std::string& peer_id) const;

    static constexpr const char* busy_text =
        "I am still answering your previous messages; please wait for them to finish.";
    /// Messages a peer may have waiting behind the one being answered.
    static constexpr std::size_t max_waiting = 4;
    /// The token a peer's message carries in `tincanFeatures` to get streamed replies.
    static constexpr const char* stream_feature = "msgpatch-stream";

private:
    struct Conversation {
        explicit Conversation(ChatHistory h) : history(std::move(h)) {}
        ChatHistory history;
        std::shared_ptr<LlmRequest> request;
        std::string reply_id;
        std::string text;           ///< received so far
        std::size_t sent = 0;       ///< bytes of text already sent as append orders
        common::ChatMessage origin; ///< the user message being answered (for addressing)
        bool stream = false;        ///< the reply goes out as msgpatch orders
        bool answered = false;      ///< the model answered (its text may be empty)
        std::deque<common::ChatMessage> waiting;
        std::vector<common::PatchOrder> deferred; ///< final orders waiting for the channel
    };
    void start(const std::shared_ptr<PeerContext>& peer, Conversation& c,
               const common::ChatMessage& message);
    void flush(PeerContext& peer, Conversation& c);
    /// The peer's conversation key (made when its connection's chat opened).
    const std::string& key_of(const PeerContext& peer);
    void finish(const std::weak_ptr<PeerContext>& weak, const std::string& key,
                const std::string& error);

    std::string not_configured_;
    std::unique_ptr<LlmClient> client_;
    std::size_t history_turns_;
    std::map<std::string, Conversation> conversations_; ///< by key_of
    std::map<std::string, std::string> keys_;           ///< peer id -> key, while connected
    DepartedPeers departed_;                            ///< of keys
    /// Expires with the bot: tasks posted by it check this first.
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

} // namespace tincan::agents
