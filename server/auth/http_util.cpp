#include "auth/http_util.hpp"

#include "http/go_url.hpp"
#include "http/responses.hpp"
#include "tincan/common/signalling.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>

namespace tincan::server {

namespace http = boost::beast::http;

namespace {

HttpResponse base(const HttpRequest& req, http::status status) {
    HttpResponse res{status, req.version()};
    res.keep_alive(req.keep_alive());
    res.set(http::field::cache_control, "no-store");
    return res;
}

} // namespace

HttpResponse json_response(const HttpRequest& req, http::status status,
                           const boost::json::value& body) {
    auto res = base(req, status);
    res.set(http::field::content_type, "application/json");
    // As the original's json.NewEncoder(w).Encode: HTML-safe, ended by a newline.
    res.body() = common::go_json_escape_html(boost::json::serialize(body)) + "\n";
    res.prepare_payload();
    return res;
}

HttpResponse error_response(const HttpRequest& req, http::status status, std::string_view message) {
    return json_response(req, status, boost::json::object{{"err", message}});
}

HttpResponse empty_response(const HttpRequest& req, http::status status) {
    auto res = base(req, status);
    res.prepare_payload();
    return res;
}

HttpResponse redirect_response(const HttpRequest& req, std::string_view location) {
    // The original's http.Redirect(w, r, url, 307): an HTML link to the target for GET.
    auto res = go_redirect(req, std::string(location), http::status::temporary_redirect);
    res.set(http::field::cache_control, "no-store");
    return res;
}

std::optional<std::string> query_param(std::string_view target, std::string_view key) {
    const auto q = target.find('?');
    if (q == std::string_view::npos) {
        return std::nullopt;
    }
    return go_query_get(target.substr(q + 1), key);
}

std::string url_with_query(std::string_view base,
                           std::vector<std::pair<std::string_view, std::string_view>> params) {
    static constexpr char hex[] = "0123456789ABCDEF";
    const auto escape = [](std::string& out, std::string_view s) {
        for (const unsigned char c : s) {
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                c == '-' || c == '_' || c == '.' || c == '~') {
                out += static_cast<char>(c);
            } else if (c == ' ') {
                out += '+';
            } else {
                out += '%';
                out += hex[c >> 4];
                out += hex[c & 15];
            }
        }
    };
    std::stable_sort(params.begin(), params.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    std::string out(base);
    char sep = out.find('?') == std::string::npos ? '?' : '&';
    for (const auto& [key, value] : params) {
        out += sep;
        escape(out, key);
        out += '=';
        escape(out, value);
        sep = '&';
    }
    return out;
}

std::string_view target_path(std::string_view target) {
    return target.substr(0, target.find('?'));
}

std::string ascii_lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return out;
}

} // namespace tincan::server
