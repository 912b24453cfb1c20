#pragma once

// ChatMessage, the JSON object carried by the `chat` and `ping` data channels
// (spec/PROTOCOL.md 4.3, 4.4, 4.8), and the replies bots build from it.

#include "tincan/common/protocol_error.hpp"

#include <boost/json/object.hpp>
#include <boost/system/result.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tincan::common {

/// Largest message a data channel carries (webrtcbin's limit).
inline constexpr std::size_t max_chat_message_size = 64 * 1024;

struct PingField {
    std::string direction; ///< "ping" or "pong"
    std::int64_t seq = 0;
};

struct ChatMessage {
    std::string message_id;
    std::string from_node_id;
    std::string to_node_id;
    std::int64_t timestamp = 0; ///< sender clock, Unix ms
    std::optional<std::string> message;
    std::optional<std::string> rich_text; ///< richText.content
    std::string rich_text_type;           ///< richText.type ("" without one)
    std::optional<std::string> ack;       ///< ack.messageId
    std::optional<PingField> ping;
    std::optional<bool> unread;
    bool has_amend = false;
    bool has_delete = false;
    bool has_file = false;
    boost::json::object raw; ///< the whole object as received (with fields not listed here)

    /// A new text or rich-text message (not an ACK, amend, delete, ping or file).
    bool is_plain_text() const noexcept {
        return (message || rich_text) && !ack && !has_amend && !has_delete && !ping && !has_file;
    }
};

/// Parses one message. Unknown fields are kept in `raw`; a known field of the wrong type fails.
boost::system::result<ChatMessage> parse_chat_message(std::string_view text);

/// `{"messageId","fromNodeId","toNodeId","timestamp"}` addressed back to the sender of `to`
/// (PROTOCOL.md 6.1: from = to.toNodeId, to = to.fromNodeId).
boost::json::object reply_envelope(const ChatMessage& to, std::string message_id,
                                   std::int64_t now_ms);
/// ACK of `to` (4.4).
std::string make_ack(const ChatMessage& to, std::string message_id, std::int64_t now_ms);
/// A text reply to `to`.
std::string make_text_reply(const ChatMessage& to, std::string message_id, std::int64_t now_ms,
                            std::string_view text);
/// The pong answering a ping (4.8).
std::string make_pong(const ChatMessage& ping, std::string message_id, std::int64_t now_ms);
/// EchoBot's echo (6.2) of a plain-text `original`: as the original decodes it into its Go
/// struct, swaps from/to, sets a new id, clears ack/acked and encodes it again. Only the fields
/// that struct knows, in its order: `messageId`, `fromNodeId`, `toNodeId`, `timestamp` always,
/// then `unread`, `message` and `richText` (`content` and `type`) when present.
std::string make_echo(const ChatMessage& original, std::string message_id);

} // namespace tincan::common
