#pragma once

// A loopback HTTP server speaking the OpenAI streaming chat-completions protocol (SSE), for the
// ChatBot tests. Runs on the test's GLib main context (libsoup server).

#include <libsoup/soup.h>

#include <string>
#include <utility>
#include <vector>

namespace tincan::agents::test {

class FakeLlmServer {
public:
    FakeLlmServer() {
        server_ = soup_server_new(nullptr, nullptr);
        soup_server_add_handler(
            server_, "/v1/chat/completions",
            [](SoupServer*, SoupServerMessage* msg, const char*, GHashTable*, gpointer data) {
                static_cast<FakeLlmServer*>(data)->handle(msg);
            },
            this, nullptr);
        GError* error = nullptr;
        soup_server_listen_local(server_, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
        GSList* uris = soup_server_get_uris(server_);
        port_ = g_uri_get_port(static_cast<GUri*>(uris->data));
        g_slist_free_full(uris, reinterpret_cast<GDestroyNotify>(g_uri_unref));
    }
    ~FakeLlmServer() {
        soup_server_disconnect(server_);
        g_object_unref(server_);
    }

    std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/v1"; }

    /// Tokens of the next answers (each call streams them as deltas, with keep-alives).
    std::vector<std::string> tokens{"Hello", ", ", "wor", "ld", "!"};
    int status = 200;
    bool hang = false; ///< accept the request, never answer
    std::string error_body = R"({"error":{"message":"secret upstream detail sk-999"}})";

    bool plain_json = false; ///< answer with one chat completion object, not a stream
    bool no_choices = false; ///< with plain_json: a completion without any choice
    bool hold = false;       ///< keep requests until release()

    /// Answers the requests kept while `hold` was set.
    void release() {
        hold = false;
        for (auto* msg : std::exchange(held_, {})) {
            respond(msg);
            soup_server_message_unpause(msg);
        }
    }

    std::vector<std::string> bodies;         ///< request bodies received
    std::vector<std::string> authorizations; ///< Authorization headers received

private:
    void handle(SoupServerMessage* msg) {
        auto* request = soup_server_message_get_request_body(msg);
        GBytes* body = soup_message_body_flatten(request);
        gsize size = 0;
        const auto* p = static_cast<const char*>(g_bytes_get_data(body, &size));
        bodies.emplace_back(p != nullptr ? p : "", size);
        g_bytes_unref(body);
        const char* auth = soup_message_headers_get_one(
            soup_server_message_get_request_headers(msg), "Authorization");
        authorizations.emplace_back(auth != nullptr ? auth : "");
        if (hang || hold) {
            soup_server_message_pause(msg);
            if (hold) {
                held_.push_back(msg);
            }
            return;
        }
        respond(msg);
    }

    void respond(SoupServerMessage* msg) {
        if (status != 200) {
            soup_server_message_set_status(msg, static_cast<guint>(status), nullptr);
            soup_server_message_set_response(msg, "application/json", SOUP_MEMORY_COPY,
                                             error_body.data(), error_body.size());
            return;
        }
        if (plain_json) {
            std::string text;
            for (const auto& t : tokens) {
                text += t;
            }
            const std::string body =
                no_choices ? R"({"id":"c1","object":"chat.completion","choices":[]})"
                           : R"({"id":"c1","object":"chat.completion","choices":[{"index":0,)"
                             R"("message":{"role":"assistant","content":")" +
                                 text + R"("},"finish_reason":"stop"}]})";
            soup_server_message_set_status(msg, 200, nullptr);
            soup_server_message_set_response(msg, "application/json", SOUP_MEMORY_COPY, body.data(),
                                             body.size());
            return;
        }
        std::string sse = ": OPENROUTER PROCESSING\n\n"
                          "data: {\"choices\":[{\"delta\":{\"role\":\"assistant\"}}]}\n\n";
        for (const auto& t : tokens) {
            sse += "data: {\"choices\":[{\"delta\":{\"content\":\"" + t + "\"}}]}\r\n\r\n";
            sse += ": keep-alive\n\n";
        }
        sse += "data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
               "data: [DONE]\n\n";
        soup_server_message_set_status(msg, 200, nullptr);
        soup_server_message_set_response(msg, "text/event-stream", SOUP_MEMORY_COPY, sse.data(),
                                         sse.size());
    }

    SoupServer* server_ = nullptr;
    guint port_ = 0;
    std::vector<SoupServerMessage*> held_;
};

} // namespace tincan::agents::test
