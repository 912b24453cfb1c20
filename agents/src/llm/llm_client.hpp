#pragma once

// Streaming OpenAI-compatible chat completions over libsoup 3 on the GLib main context
// (`POST {base}/chat/completions`, with `"stream": true` read as server-sent events, or the
// original's plain request answered by one JSON completion).
// Upstream error bodies are never passed on: callers get a short, safe description.

#include "llm/chat_history.hpp"
#include "llm/sse_parser.hpp"
#include "util/gobject.hpp"
#include "util/main_context.hpp"

#include <libsoup/soup.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>

namespace tincan::agents {

struct LlmConfig {
    std::string base_url = "https://openrouter.ai/api/v1";
    std::string model;
    std::string api_key;
    std::string system_prompt =
        "You are a helpful assistant. Respond concisely and helpfully to user messages.";
    std::chrono::milliseconds timeout{60000};
};

class LlmRequest;

class LlmClient {
public:
    explicit LlmClient(LlmConfig config, GMainContext* context = nullptr);
    ~LlmClient();

    /// Text pieces as they arrive (a whole answer's text in one, "" if the model answered without
    /// text); then exactly one `done` with an empty error on success.
    using OnDelta = std::function<void(const std::string& text)>;
    using OnDone = std::function<void(const std::string& error)>;

    /// Starts a request; destroying the returned handle cancels it (no callbacks afterwards).
    /// `stream`: ask for server-sent events (deltas as they come); otherwise the original's
    /// plain request, answered by one JSON completion (one delta at the end).
    std::shared_ptr<LlmRequest> complete(const ChatHistory& history, OnDelta on_delta,
                                         OnDone on_done, bool stream = true);
    const LlmConfig& config() const noexcept { return config_; }
    /// The JSON body for `history` (exposed for tests).
    std::string request_body(const ChatHistory& history, bool stream = true) const;

private:
    LlmConfig config_;
    GMainContext* context_;
    GRef<SoupSession> session_;
};

} // namespace tincan::agents
