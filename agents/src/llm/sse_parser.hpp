#pragma once

// Server-sent events (WHATWG HTML, "event stream interpretation") as OpenAI-compatible
// streaming endpoints send them: chunks may split lines anywhere; `:` lines are keep-alives.

#include <string>
#include <string_view>
#include <vector>

namespace tincan::agents {

struct SseEvent {
    std::string event; ///< "message" unless an `event:` field set it
    std::string data;  ///< `data:` lines joined with "\n"
};

class SseParser {
public:
    /// Feeds bytes; returns the events completed by them.
    std::vector<SseEvent> feed(std::string_view chunk);
    /// Bytes buffered waiting for a line end (bounded by the caller's read size).
    std::size_t buffered() const noexcept { return line_.size(); }

private:
    void line(std::string_view l, std::vector<SseEvent>& out);

    std::string line_;
    std::string event_;
    std::string data_;
    bool has_data_ = false;
    bool after_cr_ = false;
};

/// One decoded `data:` payload of a chat-completions stream.
struct CompletionChunk {
    enum class Kind { delta, done, error, ignore } kind = Kind::ignore;
    std::string text; ///< delta content, or the error message (already safe to show)
};

/// Interprets one SSE data payload: `[DONE]`, `{"choices":[{"delta":{"content":...}}]}` or
/// `{"error":{"message":...}}`.
CompletionChunk parse_completion_chunk(std::string_view data);

/// A whole (non-streamed) chat completion object, for upstreams that answer `stream: true` with
/// one `application/json` body: the message content as a delta, an error, or ignore.
CompletionChunk parse_completion_body(std::string_view body);

} // namespace tincan::agents
