#pragma once

#include <boost/beast/http.hpp>
#include <boost/beast/http/message_generator.hpp>
#include <string>
#include <string_view>

namespace tincan::server {

using StringResponse = boost::beast::http::response<boost::beast::http::string_body>;

/// Sets `Date` to now in Go's http.TimeFormat, as Go's server stamps every response a handler
/// writes (unless one is set already).
void set_date(boost::beast::http::fields& fields);

/// Any response ready to be written, with its status kept for metrics and logs; it gets a Date.
struct RoutedResponse {
    template <class Body>
    explicit RoutedResponse(boost::beast::http::response<Body>&& res)
        : status(res.result_int()), keep_alive(res.keep_alive()), message(dated(std::move(res))) {}

    unsigned status;
    bool keep_alive;
    boost::beast::http::message_generator message;

private:
    template <class Body>
    static boost::beast::http::response<Body> dated(boost::beast::http::response<Body>&& res) {
        set_date(res);
        return std::move(res);
    }
};

/// `res` as the answer to a request with `method`: a HEAD request gets the header only, with the
/// Content-Length of the body it would have had (RFC 9110 9.3.2), so a keep-alive client does not
/// read the body as the start of its next response.
template <class Body>
RoutedResponse respond_to(boost::beast::http::verb method,
                          boost::beast::http::response<Body>&& res) {
    if (method == boost::beast::http::verb::head) {
        return RoutedResponse(
            boost::beast::http::response<boost::beast::http::empty_body>(std::move(res.base())));
    }
    return RoutedResponse(std::move(res));
}

/// A response with a body and content type; keep-alive and version follow the request.
StringResponse make_response(boost::beast::http::status status, unsigned version, bool keep_alive,
                             std::string body, std::string_view content_type);

/// JSON body `{"err": message}`, the original server's error shape.
StringResponse json_error(boost::beast::http::status status, unsigned version, bool keep_alive,
                          std::string_view message);

/// The original's answer to a path no route serves: Go's http.NotFound, `404 page not found` in
/// plain text with `X-Content-Type-Options: nosniff`.
StringResponse go_not_found(unsigned version, bool keep_alive);

/// Go's http.Error(w, http.StatusText(status), status): the status text and a newline, plain
/// text, `X-Content-Type-Options: nosniff`.
StringResponse go_http_error(boost::beast::http::status status, unsigned version, bool keep_alive);

/// Go's net/http answer to a request it does not hand to a handler (unreadable, or against a
/// rule of HTTP/1.1 such as the one Host header): "<code> <text>", then ": <detail>" when Go
/// names the rule, plain text, and the connection closed; written raw as Go writes it, with no
/// Content-Length, Date, Server or CORS headers.
StringResponse go_unreadable_request(boost::beast::http::status status, std::string_view detail);

/// A refused WebSocket upgrade as the original's library (gorilla/websocket) answers it: Go's
/// http.Error with `Sec-WebSocket-Version: 13`. The reason is for our log, not the client.
StringResponse websocket_refusal(boost::beast::http::status status, unsigned version,
                                 bool keep_alive);

/// Text for HTML, as Go's htmlEscape: & < > " ' as character references.
std::string html_escape(std::string_view text);

using Request = boost::beast::http::request<boost::beast::http::string_body>;

/// gorilla/websocket's first test of an upgrade: `Connection` holds the token `upgrade` and
/// `Upgrade` the token `websocket`. No HTTP version is tested (Go serves HTTP/1.0 too).
bool has_websocket_upgrade_tokens(const Request& req);

/// Go's http.Redirect: by default 301 Moved Permanently, as its ServeMux answers a subtree route's
/// path without the trailing slash; the original's login routes redirect with 307.
StringResponse
go_redirect(const Request& req, const std::string& location,
            boost::beast::http::status status = boost::beast::http::status::moved_permanently);

/// The permissive CORS headers of --inject-allow-all-cors-headers (PROTOCOL.md 2.3).
void add_allow_all_cors(boost::beast::http::fields& fields);

/// A JSON response (body already serialised), written as Go's JSON encoder writes it: HTML-safe
/// (common::go_json_escape_html) and ended by a newline.
StringResponse json_response(boost::beast::http::status status, unsigned version, bool keep_alive,
                             std::string body);

} // namespace tincan::server
