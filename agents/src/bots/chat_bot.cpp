#include "bots/chat_bot.hpp"

#include <spdlog/spdlog.h>

#include <utility>

namespace tincan::agents {

ChatBot::ChatBot(LlmConfig llm, std::size_t history_turns, std::size_t max_departed)
    : history_turns_(history_turns), departed_(max_departed) {
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
    auto key = keys_.find(peer_id);
    auto it = key != keys_.end() ? conversations_.find(key->second) : conversations_.end();
    return it != conversations_.end() ? &it->second.history : nullptr;
}

const std::string& ChatBot::key_of(const PeerContext& peer) {
    // The bot's node id as the peer's connection began: a connection keeps its conversation
    // across the bot's signalling reconnects, as the original's keeps the id it was made with.
    return keys_.try_emplace(peer.peer_id(), peer.own_node_id() + "-" + peer.peer_id())
        .first->second;
}

namespace {

std::string text_of(const common::ChatMessage& m) {
    return m.message ? *m.message : m.rich_text ? *m.rich_text : std::string();
}

/// Whether the message's `tincanFeatures` (a string of tokens) names `feature`.
bool announces(const common::ChatMessage& m, std::string_view feature) {
    const auto* f = m.raw.if_contains("tincanFeatures");
    if (f == nullptr || !f->is_string()) {
        return false;
    }
    std::string_view tokens = f->get_string();
    while (!tokens.empty()) {
        const auto end = tokens.find_first_of(" ,");
        if (tokens.substr(0, end) == feature) {
            return true;
        }
        tokens = end == std::string_view::npos ? std::string_view{} : tokens.substr(end + 1);
    }
    return false;
}

} // namespace

void ChatBot::on_peer(const std::shared_ptr<PeerContext>& peer) {
    key_of(*peer);
}

void ChatBot::on_message(const std::shared_ptr<PeerContext>& peer,
                         const common::ChatMessage& message) {
    // As the original: every message with a text field is ACKed (4.4); an empty one needs no
    // answer.
    if (message.ack || (!message.message && !message.rich_text)) {
        return;
    }
    peer->ack(message);
    if (text_of(message).empty()) {
        return;
    }
    if (!client_) {
        peer->reply(message, not_configured_);
        return;
    }
    const auto& key = key_of(*peer);
    auto [it, inserted] = conversations_.try_emplace(key, ChatHistory(history_turns_));
    departed_.present(key);
    auto& c = it->second;
    if (c.request) {
        // Answered in turn, as the original (its handler ran inline) but without blocking others.
        if (c.waiting.size() < max_waiting) {
            c.waiting.push_back(message);
        } else {
            peer->reply(message, busy_text);
        }
        return;
    }
    start(peer, c, message);
}

void ChatBot::on_peer_left(const std::string& peer_id) {
    auto key = keys_.find(peer_id);
    if (key == keys_.end()) {
        return;
    }
    // The conversation stays under its key, as the original's (PROTOCOL.md 6.6). What was under
    // way for the connection that ended stops: the answer being made (its question stays in the
    // history) and the messages waiting for it.
    if (auto it = conversations_.find(key->second); it != conversations_.end()) {
        auto& c = it->second;
        c.request.reset();
        c.waiting.clear();
        c.deferred.clear();
    }
    for (const auto& forgotten : departed_.left(key->second)) {
        conversations_.erase(forgotten);
    }
    keys_.erase(key);
}

void ChatBot::start(const std::shared_ptr<PeerContext>& peer, Conversation& c,
                    const common::ChatMessage& message) {
    const auto key = key_of(*peer);
    c.history.add("user", text_of(message));
    c.reply_id = new_message_id();
    c.text.clear();
    c.sent = 0;
    c.origin = message;
    c.answered = false;
    c.stream = announces(message, stream_feature);
    if (c.stream) {
        peer->patch_channel(); // opened now; tokens before it is open go with the next ones
        peer->reply_with_id(message, c.reply_id, "");
    }
    std::weak_ptr<PeerContext> weak = peer;
    c.request = client_->complete(
        c.history,
        [this, weak, key](const std::string& delta) {
            auto it2 = conversations_.find(key);
            auto p = weak.lock();
            if (it2 == conversations_.end() || !p) {
                return;
            }
            it2->second.text += delta;
            it2->second.answered = true;
            flush(*p, it2->second);
        },
        [this, weak, key](const std::string& error) { finish(weak, key, error); }, c.stream);
    if (!c.request) {
        finish(weak, key, "the language model endpoint is misconfigured");
    }
}

void ChatBot::flush(PeerContext& peer, Conversation& c) {
    if (!c.stream) {
        return; // the whole text goes out at the end
    }
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

void ChatBot::finish(const std::weak_ptr<PeerContext>& weak, const std::string& key,
                     const std::string& error) {
    auto it = conversations_.find(key);
    if (it == conversations_.end()) {
        return;
    }
    auto& c = it->second;
    auto request = std::move(c.request); // released after this call returns
    std::string final_text = c.text;
    if (!error.empty()) {
        const bool status = error.starts_with("API error");
        final_text = (c.text.empty() ? "" : c.text + "\n\n") +
                     (status ? error + ": the language model cannot answer right now."
                             : "Sorry, I cannot answer right now: " + error + ".");
    } else if (!c.answered) {
        // No answer at all (no choice, no message); one without text is sent as it is, as the
        // original's reply is choices[0].message.content (PROTOCOL.md 6.6).
        final_text = "I apologize, but I couldn't generate a response at this time.";
    }
    // The reply goes into the history as the peer gets it, as the original stores every reply it
    // sends: also the apology and the report of an error (PROTOCOL.md 6.6), so the next request
    // shows the model what the peer was told.
    c.history.add("assistant", final_text);
    if (auto p = weak.lock()) {
        auto channel = c.stream ? p->patch_channel() : nullptr;
        if (!channel || channel->is_closed()) {
            // Not streamed (or no patch channel): the answer as a plain message of its own, or
            // several if it does not fit one data channel message (bots take 64 KiB).
            auto pieces = common::split_utf8(final_text, 48 * 1024);
            if (pieces.empty()) {
                pieces.emplace_back(); // an empty answer is one empty message
            }
            for (const auto& piece : pieces) {
                p->reply(c.origin, piece);
            }
        } else {
            // The complete text in one replace order (also covers appends not sent before the
            // channel opened); split only if it does not fit one message.
            std::vector<common::PatchOrder> orders;
            auto pieces = common::split_utf8(final_text, 60 * 1024);
            if (pieces.empty()) {
                pieces.emplace_back(); // completes an empty answer too
            }
            for (std::size_t i = 0; i < pieces.size(); ++i) {
                orders.push_back({i == 0 ? common::PatchKind::replace : common::PatchKind::append,
                                  c.reply_id, pieces[i]});
            }
            if (channel->is_open()) {
                for (const auto& o : orders) {
                    p->send_patch(o);
                }
            } else {
                // A fast answer can beat the channel's opening: sent once it is open.
                const bool first = c.deferred.empty();
                c.deferred.insert(c.deferred.end(), orders.begin(), orders.end());
                if (first) {
                    channel->on_open([this, alive = std::weak_ptr<bool>(alive_), weak, key] {
                        auto peer = weak.lock();
                        auto it2 = conversations_.find(key);
                        if (alive.expired() || !peer || it2 == conversations_.end()) {
                            return;
                        }
                        for (const auto& o : std::exchange(it2->second.deferred, {})) {
                            peer->send_patch(o);
                        }
                    });
                }
            }
        }
    }
    auto* context = g_main_context_get_thread_default() != nullptr
                        ? g_main_context_get_thread_default()
                        : g_main_context_default();
    post(context, [request] {});
    if (c.waiting.empty()) {
        return;
    }
    // The next waiting message, once this callback chain has returned.
    post(context, [this, alive = std::weak_ptr<bool>(alive_), weak, key] {
        if (alive.expired()) {
            return; // the bot is gone
        }
        auto peer = weak.lock();
        auto it2 = conversations_.find(key);
        if (!peer || it2 == conversations_.end() || it2->second.request ||
            it2->second.waiting.empty()) {
            return;
        }
        auto next = std::move(it2->second.waiting.front());
        it2->second.waiting.pop_front();
        start(peer, it2->second, next);
    });
}

} // namespace tincan::agents
