#include "bots/chat_bot.hpp"

#include <spdlog/spdlog.h>

namespace tincan::agents {

ChatBot::ChatBot(LlmConfig llm, std::size_t history_turns) : history_turns_(history_turns) {
    if (llm.model.empty()) {
        not_configured_ = "ChatBot is not configured on this server (no model was given), so "
                          "it cannot answer. Ask the operator to set --chatbot-model.";
    } else if (llm.api_key.empty()) {
        not_configured_ = "ChatBot is not configured on this server (no API key was given), so "
                          "it cannot answer.";
    } else {
        client_ = std::make_unique<LlmClient>(std::move(llm));
    }
    if (!not_configured_.empty()) {
        spdlog::warn("ChatBot: {}", not_configured_);
    }
}

const ChatHistory* ChatBot::history(const std::string& peer_id) const {
    auto it = conversations_.find(peer_id);
    return it != conversations_.end() ? &it->second.history : nullptr;
}

void ChatBot::on_peer(const std::shared_ptr<PeerContext>& peer) {
    if (client_) {
        peer->patch_channel(); // open now so it is ready for the first tokens
    }
}

void ChatBot::on_message(const std::shared_ptr<PeerContext>& peer,
                         const common::ChatMessage& message) {
    if (!message.is_plain_text()) {
        return;
    }
    const std::string text = message.message ? *message.message : *message.rich_text;
    if (text.empty()) {
        return;
    }
    peer->ack(message);
    if (!client_) {
        peer->reply(message, not_configured_);
        return;
    }
    const auto peer_id = peer->peer_id();
    auto [it, inserted] =
        conversations_.try_emplace(peer_id, Conversation{ChatHistory(history_turns_)});
    auto& c = it->second;
    if (c.request) {
        peer->reply(message, busy_text);
        return;
    }
    c.history.add("user", text);
    c.reply_id = new_message_id();
    c.text.clear();
    c.sent = 0;
    c.origin = message;
    peer->reply_with_id(message, c.reply_id, "");
    std::weak_ptr<PeerContext> weak = peer;
    c.request = client_->complete(
        c.history,
        [this, weak, peer_id](const std::string& delta) {
            auto it2 = conversations_.find(peer_id);
            auto p = weak.lock();
            if (it2 == conversations_.end() || !p) {
                return;
            }
            it2->second.text += delta;
            flush(*p, it2->second);
        },
        [this, weak, peer_id](const std::string& error) { finish(weak, peer_id, error); });
    if (!c.request) {
        finish(weak, peer_id, "the language model endpoint is misconfigured");
    }
}

void ChatBot::flush(PeerContext& peer, Conversation& c) {
    auto channel = peer.patch_channel();
    if (!channel || !channel->is_open() || c.sent >= c.text.size()) {
        return; // kept; sent with the next token or in the final replace order
    }
    // Leave room for the id and header in one 64 KiB message.
    for (const auto& piece :
         common::split_utf8(std::string_view(c.text).substr(c.sent), 60 * 1024)) {
        if (!peer.send_patch({common::PatchKind::append, c.reply_id, piece})) {
            return;
        }
        c.sent += piece.size();
    }
}

void ChatBot::finish(const std::weak_ptr<PeerContext>& weak, const std::string& peer_id,
                     const std::string& error) {
    auto it = conversations_.find(peer_id);
    if (it == conversations_.end()) {
        return;
    }
    auto& c = it->second;
    auto request = std::move(c.request); // released after this call returns
    std::string final_text = c.text;
    if (!error.empty()) {
        final_text = (c.text.empty() ? "" : c.text + "\n\n") +
                     "Sorry, I cannot answer right now: " + error + ".";
    } else if (final_text.empty()) {
        final_text = "I apologize, but I couldn't generate a response at this time.";
    }
    if (error.empty()) {
        c.history.add("assistant", c.text);
    }
    auto p = weak.lock();
    if (p) {
        auto channel = p->patch_channel();
        if (!channel || !channel->is_open()) {
            // No patch channel: deliver the answer as a message of its own.
            p->reply(c.origin, final_text);
            p = nullptr;
        }
    }
    if (p) {
        // The complete text in one replace order (also covers appends dropped before the
        // channel opened); split only if it does not fit one message.
        auto pieces = common::split_utf8(final_text, 60 * 1024);
        if (!pieces.empty()) {
            p->send_patch({common::PatchKind::replace, c.reply_id, pieces.front()});
            for (std::size_t i = 1; i < pieces.size(); ++i) {
                p->send_patch({common::PatchKind::append, c.reply_id, pieces[i]});
            }
        }
    }
    post(g_main_context_get_thread_default() != nullptr ? g_main_context_get_thread_default()
                                                        : g_main_context_default(),
         [request] {});
}

} // namespace tincan::agents
