#include "llm/llm_client.hpp"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

namespace tincan::agents {
namespace json = boost::json;

class LlmRequest : public std::enable_shared_from_this<LlmRequest> {
public:
    LlmRequest(LlmClient::OnDelta on_delta, LlmClient::OnDone on_done)
        : on_delta_(std::move(on_delta)), on_done_(std::move(on_done)),
          cancellable_(GRef<GCancellable>::adopt(g_cancellable_new())) {}
    ~LlmRequest() {
        on_delta_ = nullptr;
        on_done_ = nullptr;
        g_cancellable_cancel(cancellable_.get());
    }

    void start(SoupSession* session, SoupMessage* msg, GMainContext* context,
               std::chrono::milliseconds timeout, bool stream) {
        message_ = GRef<SoupMessage>::ref(msg);
        streamed_ = stream;
        std::weak_ptr<LlmRequest> weak = shared_from_this();
        timeout_.once(context, timeout, [weak] {
            if (auto self = weak.lock()) {
                self->finish("the language model did not answer in time");
            }
        });
        soup_session_send_async(
            session, msg, G_PRIORITY_DEFAULT, cancellable_.get(),
            [](GObject* source, GAsyncResult* result, gpointer data) {
                std::unique_ptr<std::weak_ptr<LlmRequest>> weak(
                    static_cast<std::weak_ptr<LlmRequest>*>(data));
                GError* error = nullptr;
                GInputStream* stream =
                    soup_session_send_finish(SOUP_SESSION(source), result, &error);
                auto self = weak->lock();
                if (!self) {
                    g_clear_error(&error);
                    if (stream != nullptr) {
                        g_object_unref(stream);
                    }
                    return;
                }
                if (stream == nullptr) {
                    spdlog::warn("ChatBot: LLM request failed: {}", error->message);
                    g_clear_error(&error);
                    self->finish("cannot reach the language model");
                    return;
                }
                self->stream_ = GRef<GInputStream>::adopt(stream);
                // An upstream may answer with one JSON object instead of a stream (and the other
                // way round); without a content type, what was asked for.
                const char* type = soup_message_headers_get_content_type(
                    soup_message_get_response_headers(self->message_.get()), nullptr);
                self->whole_ = type != nullptr ? g_ascii_strcasecmp(type, "text/event-stream") != 0
                                               : !self->streamed_;
                const auto status = soup_message_get_status(self->message_.get());
                if (status != SOUP_STATUS_OK) {
                    spdlog::warn("ChatBot: LLM answered HTTP {}", static_cast<int>(status));
                    // The original's words (PROTOCOL.md 6.6), without the upstream body (10.1).
                    self->finish("API error (status " + std::to_string(static_cast<int>(status)) +
                                 ")");
                    return;
                }
                self->read_more();
            },
            new std::weak_ptr<LlmRequest>(weak));
    }

private:
    void read_more() {
        g_input_stream_read_bytes_async(
            stream_.get(), 8192, G_PRIORITY_DEFAULT, cancellable_.get(),
            [](GObject* source, GAsyncResult* result, gpointer data) {
                std::unique_ptr<std::weak_ptr<LlmRequest>> weak(
                    static_cast<std::weak_ptr<LlmRequest>*>(data));
                GError* error = nullptr;
                GBytes* bytes =
                    g_input_stream_read_bytes_finish(G_INPUT_STREAM(source), result, &error);
                auto self = weak->lock();
                if (!self) {
                    g_clear_error(&error);
                    if (bytes != nullptr) {
                        g_bytes_unref(bytes);
                    }
                    return;
                }
                if (bytes == nullptr) {
                    spdlog::warn("ChatBot: LLM stream broke: {}", error->message);
                    g_clear_error(&error);
                    self->finish("the language model stream broke off");
                    return;
                }
                gsize size = 0;
                const auto* p = static_cast<const char*>(g_bytes_get_data(bytes, &size));
                std::string chunk(p != nullptr ? p : "", size);
                g_bytes_unref(bytes);
                if (size == 0) {
                    if (self->whole_) {
                        self->consume_whole();
                        return;
                    }
                    self->finish(self->got_done_ ? "" : "the language model stream ended early");
                    return;
                }
                if (self->whole_) {
                    self->body_ += chunk;
                    if (self->body_.size() > max_whole_body) {
                        self->finish("the language model sent an oversized answer");
                        return;
                    }
                    self->read_more();
                    return;
                }
                self->consume(chunk);
                if (!self->finished_) {
                    self->read_more();
                }
            },
            new std::weak_ptr<LlmRequest>(weak_from_this()));
    }

    void consume(const std::string& chunk) {
        auto self = shared_from_this(); // callbacks may drop the handle
        for (const auto& event : parser_.feed(chunk)) {
            auto c = parse_completion_chunk(event.data);
            if (c.kind == CompletionChunk::Kind::delta && !c.text.empty() && on_delta_) {
                on_delta_(c.text);
            } else if (c.kind == CompletionChunk::Kind::done) {
                got_done_ = true;
                finish("");
                return;
            } else if (c.kind == CompletionChunk::Kind::error) {
                finish(c.text);
                return;
            }
            if (finished_) {
                return;
            }
        }
        if (parser_.buffered() > 1024 * 1024) {
            finish("the language model sent an oversized event");
        }
    }

    void consume_whole() {
        auto self = shared_from_this(); // callbacks may drop the handle
        auto c = parse_completion_body(body_);
        if (c.kind == CompletionChunk::Kind::error) {
            finish(c.text);
            return;
        }
        // Also an empty text: the model answered, with nothing.
        if (c.kind == CompletionChunk::Kind::delta && on_delta_) {
            on_delta_(c.text);
        }
        finish("");
    }

    void finish(const std::string& error) {
        if (finished_) {
            return;
        }
        finished_ = true;
        timeout_.cancel();
        g_cancellable_cancel(cancellable_.get());
        auto done = std::move(on_done_);
        on_delta_ = nullptr;
        if (done) {
            done(error);
        }
    }

    LlmClient::OnDelta on_delta_;
    LlmClient::OnDone on_done_;
    GRef<GCancellable> cancellable_;
    GRef<SoupMessage> message_;
    GRef<GInputStream> stream_;
    SseParser parser_;
    Timer timeout_;
    bool finished_ = false;
    bool got_done_ = false;
    bool whole_ = false;   ///< a single JSON answer, read to the end first
    bool streamed_ = true; ///< server-sent events were asked for
    std::string body_;
    static constexpr std::size_t max_whole_body = 4 * 1024 * 1024;
};

LlmClient::LlmClient(LlmConfig config, GMainContext* context)
    : config_(std::move(config)), context_(context) {
    if (context_ == nullptr) {
        context_ = g_main_context_get_thread_default();
    }
    if (context_ == nullptr) {
        context_ = g_main_context_default();
    }
    const auto seconds = static_cast<guint>(std::max<long long>(1, config_.timeout.count() / 1000));
    session_ = GRef<SoupSession>::adopt(
        soup_session_new_with_options("timeout", seconds, "user-agent", "tincan-agents", nullptr));
}

LlmClient::~LlmClient() {
    if (session_) {
        soup_session_abort(session_.get());
    }
}

std::string LlmClient::request_body(const ChatHistory& history, bool stream) const {
    json::array messages;
    messages.push_back(json::object{{"role", "system"}, {"content", config_.system_prompt}});
    for (const auto& turn : history.turns()) {
        messages.push_back(json::object{{"role", turn.role}, {"content", turn.content}});
    }
    json::object body{{"model", config_.model}, {"messages", std::move(messages)}};
    if (stream) {
        body["stream"] = true;
    }
    body["reasoning"] = json::object{{"enabled", false}};
    return json::serialize(body);
}

std::shared_ptr<LlmRequest> LlmClient::complete(const ChatHistory& history, OnDelta on_delta,
                                                OnDone on_done, bool stream) {
    auto request = std::make_shared<LlmRequest>(std::move(on_delta), std::move(on_done));
    std::string url = config_.base_url;
    while (!url.empty() && url.back() == '/') {
        url.pop_back();
    }
    url += "/chat/completions";
    SoupMessage* msg = soup_message_new(SOUP_METHOD_POST, url.c_str());
    if (msg == nullptr) {
        spdlog::error("ChatBot: invalid LLM base URL '{}'", config_.base_url);
        return nullptr;
    }
    auto* headers = soup_message_get_request_headers(msg);
    soup_message_headers_replace(headers, "Authorization", ("Bearer " + config_.api_key).c_str());
    soup_message_headers_replace(headers, "Accept",
                                 stream ? "text/event-stream" : "application/json");
    const auto body = request_body(history, stream);
    GBytes* bytes = g_bytes_new(body.data(), body.size());
    soup_message_set_request_body_from_bytes(msg, "application/json", bytes);
    g_bytes_unref(bytes);
    request->start(session_.get(), msg, context_, config_.timeout, stream);
    g_object_unref(msg);
    return request;
}

} // namespace tincan::agents
