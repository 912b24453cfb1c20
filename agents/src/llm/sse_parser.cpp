#include "llm/sse_parser.hpp"

#include <boost/json.hpp>

#include <optional>

namespace tincan::agents {
namespace json = boost::json;

std::vector<SseEvent> SseParser::feed(std::string_view chunk) {
    std::vector<SseEvent> out;
    for (char c : chunk) {
        if (after_cr_) {
            after_cr_ = false;
            if (c == '\n') {
                continue; // CRLF
            }
        }
        if (c == '\r' || c == '\n') {
            after_cr_ = c == '\r';
            line(line_, out);
            line_.clear();
        } else {
            line_ += c;
        }
    }
    return out;
}

void SseParser::line(std::string_view l, std::vector<SseEvent>& out) {
    if (l.empty()) {
        if (has_data_) {
            out.push_back({event_.empty() ? "message" : event_, data_});
        }
        event_.clear();
        data_.clear();
        has_data_ = false;
        return;
    }
    if (l.front() == ':') {
        return; // comment / keep-alive
    }
    std::string_view field = l, value;
    if (auto colon = l.find(':'); colon != std::string_view::npos) {
        field = l.substr(0, colon);
        value = l.substr(colon + 1);
        if (!value.empty() && value.front() == ' ') {
            value.remove_prefix(1);
        }
    }
    if (field == "data") {
        if (has_data_) {
            data_ += '\n';
        }
        data_ += value;
        has_data_ = true;
    } else if (field == "event") {
        event_ = value;
    }
}

namespace {

/// An upstream `error` object as a safe message (only its numeric code is passed on).
std::optional<CompletionChunk> error_of(const json::object& o) {
    const auto* err = o.if_contains("error");
    if (err == nullptr || err->is_null()) {
        return std::nullopt;
    }
    CompletionChunk chunk{CompletionChunk::Kind::error, "the language model reported an error"};
    if (const auto* eo = err->if_object()) {
        if (const auto* code = eo->if_contains("code"); code != nullptr) {
            if (code->is_int64() || code->is_uint64()) {
                chunk.text += " (code " + json::serialize(*code) + ")";
            }
        }
    }
    return chunk;
}

/// `choices[0].<field>.content` (field `delta` in a stream, `message` in a whole answer).
CompletionChunk choice_content(const json::object& o, std::string_view field) {
    CompletionChunk chunk;
    const auto* choices = o.if_contains("choices");
    if (choices == nullptr || !choices->is_array() || choices->get_array().empty()) {
        return chunk;
    }
    const auto* choice = choices->get_array()[0].if_object();
    if (choice == nullptr) {
        return chunk;
    }
    if (const auto* part = choice->if_contains(field); part != nullptr && part->is_object()) {
        const auto* content = part->get_object().if_contains("content");
        if (content != nullptr && content->is_string()) {
            chunk.kind = CompletionChunk::Kind::delta;
            chunk.text = content->get_string();
        } else if (field == "message" && (content == nullptr || content->is_null())) {
            // A whole answer's message without text is an empty answer, as for the original
            // (its Go struct reads it as ""); a stream's delta without text adds nothing.
            chunk.kind = CompletionChunk::Kind::delta;
        }
    }
    return chunk;
}

} // namespace

CompletionChunk parse_completion_chunk(std::string_view data) {
    CompletionChunk chunk;
    if (data == "[DONE]") {
        chunk.kind = CompletionChunk::Kind::done;
        return chunk;
    }
    boost::system::error_code ec;
    auto value = json::parse(data, ec);
    if (ec || !value.is_object()) {
        return chunk;
    }
    const auto& o = value.get_object();
    if (auto error = error_of(o)) {
        return *error;
    }
    return choice_content(o, "delta");
}

CompletionChunk parse_completion_body(std::string_view body) {
    boost::system::error_code ec;
    auto value = json::parse(body, ec);
    if (ec || !value.is_object()) {
        return {CompletionChunk::Kind::error, "the language model sent an unreadable answer"};
    }
    if (auto error = error_of(value.get_object())) {
        return *error;
    }
    return choice_content(value.get_object(), "message");
}

} // namespace tincan::agents
