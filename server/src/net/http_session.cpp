#include "http_session.hpp"

#include "../http/origin.hpp"
#include "../http/responses.hpp"
#include "websocket_session.hpp"

#include <spdlog/spdlog.h>

namespace tincan::server {

namespace beast = boost::beast;
namespace http = beast::http;

namespace {
constexpr auto request_timeout = std::chrono::seconds(30);

// gorilla/websocket's isValidChallengeKey: Go's base64.StdEncoding of 16 bytes, i.e. 22 alphabet
// characters and "==" (the unused low bits of the last character are not checked).
bool valid_challenge_key(std::string_view key) {
    if (key.size() != 24 || key.substr(22) != "==") {
        return false;
    }
    for (const char c : key.substr(0, 22)) {
        const bool alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                           (c >= '0' && c <= '9') || c == '+' || c == '/';
        if (!alpha) {
            return false;
        }
    }
    return true;
}

// gorilla's tokenListContainsValue(r.Header, "Sec-Websocket-Version", "13"): any of the header's
// comma separated tokens, in any of its lines.
bool offers_version_13(const Request& req) {
    const auto [first, last] = req.equal_range(http::field::sec_websocket_version);
    for (auto it = first; it != last; ++it) {
        for (const auto token : http::token_list{it->value()}) {
            if (beast::iequals(token, "13")) {
                return true;
            }
        }
    }
    return false;
}
} // namespace

template <class Protocol>
HttpSession<Protocol>::HttpSession(typename Protocol::socket&& socket, ServerContext& ctx,
                                   Router& router, std::size_t body_limit)
    : stream_(std::move(socket)), ctx_(ctx), router_(router), body_limit_(body_limit) {
    if constexpr (std::is_same_v<Protocol, boost::asio::ip::tcp>) {
        boost::system::error_code ec;
        const auto ep = stream_.socket().remote_endpoint(ec);
        remote_ = ec ? "?" : ep.address().to_string();
    } else {
        remote_ = "unix";
    }
}

template <class Protocol> void HttpSession<Protocol>::run() {
    do_read();
}

template <class Protocol> void HttpSession<Protocol>::do_read() {
    parser_.emplace();
    parser_->body_limit(body_limit_);
    parser_->header_limit(16 * 1024);
    stream_.expires_after(request_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&HttpSession::on_read, this->shared_from_this()));
}

template <class Protocol>
void HttpSession<Protocol>::refuse(http::status status, std::string_view message, bool keep_alive,
                                   bool upgrade) {
    if (upgrade) {
        // The client gets what the original's WebSocket library sends; the reason is logged.
        spdlog::warn("websocket refused remote={} status={} reason=\"{}\"", remote_,
                     static_cast<unsigned>(status), message);
    }
    // Go's server writes its status line in the request's HTTP/1.x version (HTTP/1.0 for 1.0).
    auto res = upgrade ? websocket_refusal(status, request_version_, keep_alive)
                       : json_error(status, request_version_, keep_alive, message);
    // Written through Go's ResponseWriter (http.Error), behind the original's middleware: a Date,
    // and the CORS headers of every response of the main listener (PROTOCOL.md 2.3).
    set_date(res);
    if (std::is_same_v<Protocol, boost::asio::ip::tcp> &&
        ctx_.config.inject_allow_all_cors_headers) {
        add_allow_all_cors(res);
    }
    send_refusal(std::move(res));
}

template <class Protocol>
void HttpSession<Protocol>::refuse_unreadable(http::status status, std::string_view detail) {
    send_refusal(go_unreadable_request(status, detail));
}

template <class Protocol> void HttpSession<Protocol>::send_refusal(StringResponse res) {
    ctx_.metrics.http_request(res.result_int());
    const bool keep_alive = res.keep_alive();
    auto sp = std::make_shared<StringResponse>(std::move(res));
    http::async_write(
        stream_, *sp,
        [self = this->shared_from_this(), sp, keep_alive](beast::error_code ec, std::size_t n) {
            self->on_write(keep_alive, ec, n);
        });
}

template <class Protocol> void HttpSession<Protocol>::on_read(beast::error_code ec, std::size_t) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout) {
        return do_close();
    }
    if (ec == http::error::body_limit) {
        ctx_.metrics.rejected("http_body_too_large");
        request_version_ = parser_->is_header_done() ? parser_->get().version() : 11;
        return refuse(http::status::payload_too_large, "request body too large", false);
    }
    if (ec == http::error::header_limit) {
        ctx_.metrics.rejected("http_header_too_large");
        return refuse_unreadable(http::status::request_header_fields_too_large, "");
    }
    if (ec) {
        if (ec != boost::asio::error::operation_aborted) {
            ctx_.metrics.rejected("http_bad_request");
            spdlog::debug("http read failed remote={} error=\"{}\"", remote_, ec.message());
            return refuse_unreadable(http::status::bad_request, "");
        }
        return;
    }
    Request req = parser_->release();
    request_version_ = req.version() == 10 ? 10 : 11;
    const auto hosts = req.count(http::field::host);
    // Every check and route below (the upgrade's origin check too) sees Go's r.URL and r.Host.
    // Go reads the target first: one it cannot read is its plain 400.
    if (!to_origin_form(req)) {
        ctx_.metrics.rejected("http_bad_request");
        return refuse_unreadable(http::status::bad_request, "");
    }
    // Go's server refuses an HTTP/1.1 request without exactly one Host header before any handler
    // (RFC 9112 3.2); HTTP/1.0 may leave it out.
    if (hosts != 1) {
        if (hosts > 1 || (req.version() >= 11 && req.method() != http::verb::connect)) {
            ctx_.metrics.rejected("http_bad_request");
            return refuse_unreadable(http::status::bad_request,
                                     hosts > 1 ? "too many Host headers"
                                               : "missing required Host header");
        }
    }
    if constexpr (std::is_same_v<Protocol, boost::asio::ip::tcp>) {
        // Not Beast's is_upgrade, which wants HTTP/1.1. An upgrade with another method than GET
        // gets the route's 405 (below).
        if (req.method() == http::verb::get && has_websocket_upgrade_tokens(req) &&
            try_upgrade(req)) {
            return;
        }
        if (ctx_.offload && try_offload(req)) {
            return;
        }
    }
    RequestContext rc;
    rc.remote = remote_;
    // Go's server answers `OPTIONS *` itself, before any handler (its globalOptionsHandler).
    auto routed = req.target() == "*" && req.method() == http::verb::options
                      ? RoutedResponse(make_response(http::status::ok, req.version(),
                                                     req.keep_alive(), "", ""))
                      : router_.handle(req, rc);
    const bool keep_alive = routed.keep_alive;
    ctx_.metrics.http_request(routed.status);
    spdlog::debug("http {} {} -> {} remote={}", std::string(req.method_string()),
                  rc.path.substr(0, 200), routed.status, remote_);
    beast::async_write(
        stream_, std::move(routed.message),
        [self = this->shared_from_this(), keep_alive](beast::error_code e, std::size_t n) {
            self->on_write(keep_alive, e, n);
        });
}

template <class Protocol> bool HttpSession<Protocol>::try_offload(Request& req) {
    // The handler answers later from another thread; the reply is written on this session's
    // executor. Reading the next request waits until then (HTTP/1.1 answers in order).
    auto self = this->shared_from_this();
    auto reply = [self, method = req.method()](StringResponse res) {
        auto sp = std::make_shared<StringResponse>(std::move(res));
        boost::asio::post(self->stream_.get_executor(), [self, sp, method] {
            if (self->ctx_.config.inject_allow_all_cors_headers) {
                add_allow_all_cors(*sp);
            }
            self->ctx_.metrics.http_request(sp->result_int());
            auto routed = respond_to(method, std::move(*sp));
            beast::async_write(
                self->stream_, std::move(routed.message),
                [self, keep_alive = routed.keep_alive](beast::error_code e, std::size_t n) {
                    self->on_write(keep_alive, e, n);
                });
        });
    };
    return ctx_.offload(req, std::move(reply));
}

template <class Protocol> bool HttpSession<Protocol>::try_upgrade(Request& req) {
    if constexpr (!std::is_same_v<Protocol, boost::asio::ip::tcp>) {
        return false; // the management socket has no WebSocket
    } else {
        std::string path, query;
        if (!split_target(req.target(), path, query) || !on_ws_path(path)) {
            return false; // not the signalling path: answered as a normal request (404)
        }
        // The original's WebSocket library (gorilla) checks the version before the origin and
        // refuses any but 13 with 400 (Beast alone would answer 426).
        if (!offers_version_13(req)) {
            ctx_.metrics.rejected("websocket_version");
            refuse(http::status::bad_request,
                   "websocket: unsupported version: 13 not found in 'Sec-Websocket-Version' header",
                   false, true);
            return true;
        }
        const auto origin = req.find(http::field::origin);
        const bool has_origin = origin != req.end();
        const std::string_view origin_value =
            has_origin ? std::string_view(origin->value().data(), origin->value().size())
                       : std::string_view{};
        const auto host = req[http::field::host];
        if (!origin_allowed(origin_value, has_origin, std::string_view(host.data(), host.size()),
                            ctx_.config.allowed_origins, ctx_.config.default_cors_allowed)) {
            ctx_.metrics.rejected("origin");
            refuse(http::status::forbidden,
                   "origin not allowed: " + std::string(origin_value.substr(0, 200)), false, true);
            return true;
        }
        // Then the key, as gorilla (Beast alone would take any key up to 24 characters and
        // refuse others with a response of its own).
        if (!valid_challenge_key(req[http::field::sec_websocket_key])) {
            ctx_.metrics.rejected("websocket_key");
            refuse(http::status::bad_request,
                   "websocket: not a websocket handshake: 'Sec-WebSocket-Key' header must be "
                   "Base64 encoded value of 16-byte in length",
                   false, true);
            return true;
        }
        // Beast's handshake wants exactly "13" where gorilla accepts a list holding it.
        req.set(http::field::sec_websocket_version, "13");
        // And it wants HTTP/1.1 with a Host header, where gorilla checks neither: Go's server
        // serves every HTTP/1.x, and HTTP/1.0 may leave Host out (checked above for the others).
        // gorilla's 101 says HTTP/1.1 whatever the request's version, as Beast's does for 1.1.
        if (req.version() != 11 && req.version() / 10 == 1) {
            req.version(11);
            if (req.count(http::field::host) == 0) {
                req.set(http::field::host, "");
            }
        }
        if (ctx_.shutting_down) {
            refuse(http::status::service_unavailable, "server shutting down", false, true);
            return true;
        }
        if (ctx_.sessions.size() >= ctx_.config.max_connections) {
            ctx_.metrics.rejected("max_connections");
            refuse(http::status::service_unavailable, "too many connections", false, true);
            return true;
        }
        Identity identity;
        if (ctx_.resolve_identity) {
            auto resolved = ctx_.resolve_identity(req);
            if (!resolved.identity) {
                ctx_.metrics.rejected("unauthenticated");
                refuse(static_cast<http::status>(resolved.refuse_status), resolved.refuse_reason,
                       false, true);
                return true;
            }
            identity = std::move(*resolved.identity);
        } else if (!ctx_.config.allow_anonymous) {
            ctx_.metrics.rejected("unauthenticated");
            refuse(http::status::unauthorized, "anonymous access is disabled", false, true);
            return true;
        }
        ctx_.metrics.http_request(101);
        // A client that did not wait for the 101 already sent frames: they are in our buffer.
        std::string early_data = beast::buffers_to_string(buffer_.data());
        buffer_.consume(buffer_.size());
        auto session = std::make_shared<WebSocketSession>(stream_.release_socket(), ctx_);
        session->run(std::move(req), std::move(identity), std::move(early_data));
        return true;
    }
}

template <class Protocol> bool HttpSession<Protocol>::on_ws_path(const std::string& path) const {
    // Also at the root, where the original server has it (see Router::add_api). A --ws-path with
    // a trailing slash is a subtree, as Go's ServeMux takes it: a clean path below it (the router
    // redirects others, and the path without the slash, as Go's does).
    const auto& ws = ctx_.config.ws_path;
    for (const auto& route : {ctx_.config.api_prefix + ws, ws}) {
        if (path == route ||
            (route.ends_with('/') && path.starts_with(route) && clean_path(path) == path)) {
            return true;
        }
    }
    return false;
}

template <class Protocol>
void HttpSession<Protocol>::on_write(bool keep_alive, beast::error_code ec, std::size_t) {
    if (ec) {
        return do_close();
    }
    if (!keep_alive) {
        return do_close();
    }
    do_read();
}

template <class Protocol> void HttpSession<Protocol>::do_close() {
    beast::error_code ec;
    stream_.socket().shutdown(Protocol::socket::shutdown_send, ec);
    stream_.socket().close(ec);
}

template class HttpSession<boost::asio::ip::tcp>;
template class HttpSession<boost::asio::local::stream_protocol>;

} // namespace tincan::server
