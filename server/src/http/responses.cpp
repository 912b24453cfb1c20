#include "responses.hpp"

#include "tincan/common/signalling.hpp"

#include <boost/json.hpp>
#include <ctime>

namespace tincan::server {

namespace http = boost::beast::http;

std::string html_escape(std::string_view text) {
    std::string out;
    for (const char c : text) {
        switch (c) {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '"':
            out += "&#34;";
            break;
        case '\'':
            out += "&#39;";
            break;
        default:
            out += c;
        }
    }
    return out;
}

void set_date(http::fields& fields) {
    if (fields.count(http::field::date) != 0) {
        return;
    }
    const std::time_t now = std::time(nullptr);
    std::tm utc{};
    gmtime_r(&now, &utc);
    char text[64];
    // Go's http.TimeFormat, "Mon, 02 Jan 2006 15:04:05 GMT" (the C locale's names).
    const auto n = std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &utc);
    fields.set(http::field::date, std::string_view(text, n));
}

StringResponse make_response(http::status status, unsigned version, bool keep_alive,
                             std::string body, std::string_view content_type) {
    StringResponse res{status, version};
    res.set(http::field::server, "tincan-server");
    if (!content_type.empty()) {
        res.set(http::field::content_type, content_type);
    }
    res.keep_alive(keep_alive);
    res.body() = std::move(body);
    res.prepare_payload();
    return res;
}

StringResponse json_error(http::status status, unsigned version, bool keep_alive,
                          std::string_view message) {
    return json_response(status, version, keep_alive,
                         boost::json::serialize(boost::json::object{{"err", message}}));
}

StringResponse json_response(http::status status, unsigned version, bool keep_alive,
                             std::string body) {
    // HTML-safe and ended by a newline, as the original's json.NewEncoder(w).Encode writes every
    // JSON body.
    auto res = make_response(status, version, keep_alive, common::go_json_escape_html(body) + '\n',
                             "application/json");
    res.set(http::field::cache_control, "no-store");
    return res;
}

namespace {

// Go's http.Error(w, text, status): the text and a newline, plain text, nosniff.
StringResponse go_error(http::status status, unsigned version, bool keep_alive,
                        std::string_view text) {
    auto res = make_response(status, version, keep_alive, std::string(text) + "\n",
                             "text/plain; charset=utf-8");
    res.set("X-Content-Type-Options", "nosniff");
    return res;
}

} // namespace

StringResponse go_not_found(unsigned version, bool keep_alive) {
    // http.NotFound, which is http.Error(w, "404 page not found", 404).
    return go_error(http::status::not_found, version, keep_alive, "404 page not found");
}

StringResponse go_http_error(http::status status, unsigned version, bool keep_alive) {
    // Beast's reason phrases are Go's StatusText for every status an upgrade is refused with.
    return go_error(status, version, keep_alive, http::obsolete_reason(status));
}

StringResponse go_unreadable_request(http::status status, std::string_view detail) {
    std::string body = std::to_string(static_cast<unsigned>(status)) + " " +
                       std::string(http::obsolete_reason(status));
    if (!detail.empty()) {
        body += ": ";
        body += detail;
    }
    // Written raw by Go's conn.serve, before any handler or middleware: Content-Type and
    // Connection only (no Content-Length, Date or Server; the body ends at the close).
    StringResponse res{status, 11};
    res.set(http::field::content_type, "text/plain; charset=utf-8");
    res.set(http::field::connection, "close");
    res.body() = std::move(body);
    return res;
}

StringResponse websocket_refusal(http::status status, unsigned version, bool keep_alive) {
    auto res = go_http_error(status, version, keep_alive);
    res.set(http::field::sec_websocket_version, "13");
    return res;
}

StringResponse go_redirect(const Request& req, const std::string& location, http::status status) {
    // As Go's http.Redirect: an HTML link for GET, the header alone for other methods.
    const bool get = req.method() == http::verb::get;
    const bool typed = get || req.method() == http::verb::head;
    auto res = make_response(status, req.version(), req.keep_alive(),
                             get ? "<a href=\"" + html_escape(location) + "\">" +
                                       std::string(http::obsolete_reason(status)) + "</a>.\n\n"
                                 : std::string(),
                             typed ? "text/html; charset=utf-8" : "");
    res.set(http::field::location, location);
    return res;
}

bool has_websocket_upgrade_tokens(const Request& req) {
    return http::token_list{req[http::field::connection]}.exists("upgrade") &&
           http::token_list{req[http::field::upgrade]}.exists("websocket");
}

void add_allow_all_cors(http::fields& fields) {
    fields.set(http::field::access_control_allow_origin, "*");
    fields.set(http::field::access_control_allow_methods, "GET, POST, PUT, DELETE, OPTIONS");
    fields.set(http::field::access_control_allow_headers, "Content-Type, Authorization");
}

} // namespace tincan::server
