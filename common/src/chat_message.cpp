#include "tincan/common/chat_message.hpp"

#include <boost/json.hpp>

#include <initializer_list>

namespace tincan::common {
namespace json = boost::json;

namespace {

const json::value* field(const json::object& obj, std::string_view key) {
    const auto* v = obj.if_contains(key);
    return (v == nullptr || v->is_null()) ? nullptr : v;
}

bool read_string(const json::object& obj, std::string_view key, std::optional<std::string>& out) {
    if (const auto* v = field(obj, key)) {
        if (!v->is_string()) {
            return false;
        }
        out.emplace(v->get_string());
    }
    return true;
}

/// An integer as the original's Go decoder reads its int fields: a number written without a
/// fraction or exponent (Boost.JSON makes those doubles, and so does a literal beyond 64 bits),
/// within int64.
bool read_int(const json::value& v, std::int64_t& out) {
    if (v.is_int64()) {
        out = v.get_int64();
    } else if (v.is_uint64() && v.get_uint64() <= INT64_MAX) {
        out = static_cast<std::int64_t>(v.get_uint64());
    } else {
        return false;
    }
    return true;
}

/// Reads `obj[key][inner]` as a string when obj[key] is present.
bool read_nested_string(const json::object& obj, std::string_view key, std::string_view inner,
                        std::optional<std::string>& out) {
    const auto* v = field(obj, key);
    if (v == nullptr) {
        return true;
    }
    if (!v->is_object()) {
        return false;
    }
    std::optional<std::string> s;
    if (!read_string(v->get_object(), inner, s)) {
        return false;
    }
    out = s.value_or("");
    return true;
}

bool read_bool(const json::object& obj, std::string_view key, std::optional<bool>& out) {
    if (const auto* v = field(obj, key)) {
        if (!v->is_bool()) {
            return false;
        }
        out = v->get_bool();
    }
    return true;
}

/// richText: `content` and `type`, both strings ("" when absent).
bool read_rich_text(const json::object& obj, ChatMessage& m) {
    if (!read_nested_string(obj, "richText", "content", m.rich_text)) {
        return false;
    }
    std::optional<std::string> type;
    if (m.rich_text && !read_nested_string(obj, "richText", "type", type)) {
        return false;
    }
    m.rich_text_type = type.value_or("");
    return true;
}

/// `obj[key]`, when present, is an object whose members `strings` are strings and `integers`
/// integers: the original's Go decoder fails the whole message on a field of another type.
bool typed_object(const json::object& obj, std::string_view key, bool& present,
                  std::initializer_list<std::string_view> strings,
                  std::initializer_list<std::string_view> integers = {}) {
    const auto* v = field(obj, key);
    present = v != nullptr;
    if (v == nullptr) {
        return true;
    }
    if (!v->is_object()) {
        return false;
    }
    const auto& o = v->get_object();
    std::optional<std::string> s;
    for (const auto name : strings) {
        if (!read_string(o, name, s)) {
            return false;
        }
    }
    std::int64_t n = 0;
    for (const auto name : integers) {
        if (const auto* i = field(o, name); i != nullptr && !read_int(*i, n)) {
            return false;
        }
    }
    return true;
}

/// The file announcement (PROTOCOL.md 4.7) with its fields' types, thumbnail included.
bool read_file(const json::object& obj, bool& present) {
    if (!typed_object(obj, "file", present, {"category", "name", "type", "dcId", "url"},
                      {"size"})) {
        return false;
    }
    bool thumbnail = false;
    return !present || typed_object(field(obj, "file")->get_object(), "thumbnail", thumbnail,
                                    {"dataURL", "mime"});
}

} // namespace

boost::system::result<ChatMessage> parse_chat_message(std::string_view text) {
    if (text.size() > max_chat_message_size) {
        return ProtocolError::too_large;
    }
    boost::system::error_code ec;
    json::parse_options options;
    options.max_depth = 32;
    json::value value = json::parse(text, ec, {}, options);
    if (ec) {
        return ProtocolError::malformed_json;
    }
    if (!value.is_object()) {
        return ProtocolError::not_an_object;
    }
    ChatMessage m;
    m.raw = std::move(value.get_object());
    const auto& o = m.raw;
    std::optional<std::string> id, from, to;
    std::optional<bool> acked; // never used, but typed: the original's struct has it
    bool ok = read_string(o, "messageId", id) && read_string(o, "fromNodeId", from) &&
              read_string(o, "toNodeId", to) && read_string(o, "message", m.message) &&
              read_rich_text(o, m) && read_nested_string(o, "ack", "messageId", m.ack) &&
              read_bool(o, "unread", m.unread) && read_bool(o, "acked", acked) &&
              typed_object(o, "amend", m.has_amend, {"messageId", "newMessageJSON"}) &&
              typed_object(o, "delete", m.has_delete, {"messageId"}) && read_file(o, m.has_file);
    if (ok) {
        if (const auto* ts = field(o, "timestamp")) {
            ok = read_int(*ts, m.timestamp);
        }
    }
    if (ok) {
        if (const auto* p = field(o, "ping")) {
            ok = p->is_object();
            if (ok) {
                PingField ping;
                std::optional<std::string> direction;
                ok = read_string(p->get_object(), "direction", direction);
                ping.direction = direction.value_or("");
                if (const auto* seq = field(p->get_object(), "seq"); ok && seq != nullptr) {
                    ok = read_int(*seq, ping.seq);
                }
                m.ping = std::move(ping);
            }
        }
    }
    if (!ok) {
        return ProtocolError::wrong_type;
    }
    m.message_id = id.value_or("");
    m.from_node_id = from.value_or("");
    m.to_node_id = to.value_or("");
    return m;
}

json::object reply_envelope(const ChatMessage& to, std::string message_id, std::int64_t now_ms) {
    json::object o;
    o["messageId"] = std::move(message_id);
    o["fromNodeId"] = to.to_node_id;
    o["toNodeId"] = to.from_node_id;
    o["timestamp"] = now_ms;
    return o;
}

std::string make_ack(const ChatMessage& to, std::string message_id, std::int64_t now_ms) {
    auto o = reply_envelope(to, std::move(message_id), now_ms);
    o["ack"] = json::object{{"messageId", to.message_id}};
    return json::serialize(o);
}

std::string make_text_reply(const ChatMessage& to, std::string message_id, std::int64_t now_ms,
                            std::string_view text) {
    auto o = reply_envelope(to, std::move(message_id), now_ms);
    o["message"] = text;
    return json::serialize(o);
}

std::string make_pong(const ChatMessage& ping, std::string message_id, std::int64_t now_ms) {
    auto o = reply_envelope(ping, std::move(message_id), now_ms);
    o["ping"] = json::object{{"direction", "pong"}, {"seq", ping.ping ? ping.ping->seq : 0}};
    return json::serialize(o);
}

std::string make_echo(const ChatMessage& original, std::string message_id) {
    // The original's struct order; its file, ping, delete and amend are absent from a plain-text
    // message, and ack and acked are cleared.
    auto o = reply_envelope(original, std::move(message_id), original.timestamp);
    if (original.unread) {
        o["unread"] = *original.unread;
    }
    if (original.message) {
        o["message"] = *original.message;
    }
    if (original.rich_text) {
        o["richText"] =
            json::object{{"content", *original.rich_text}, {"type", original.rich_text_type}};
    }
    return json::serialize(o);
}

} // namespace tincan::common
