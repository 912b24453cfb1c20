#include "auth/accounts_api.hpp"

#include "auth/crypto.hpp"
#include "http/go_url.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <optional>

namespace tincan::server {

namespace http = boost::beast::http;
namespace json = boost::json;

namespace {

constexpr std::array<std::string_view, 4> data_url_mimes = {"image/jpeg", "image/png", "image/webp",
                                                            "image/svg+xml"};
constexpr std::array<std::string_view, 6> proxied_mimes = {
    "image/jpeg", "image/png", "image/webp", "image/gif", "image/avif", "image/svg+xml"};

bool starts_with(std::string_view s, std::string_view p) {
    return s.substr(0, p.size()) == p;
}

std::string_view trim(std::string_view s) {
    auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string_view::npos) {
        return {};
    }
    auto e = s.find_last_not_of(" \t\r\n");
    return s.substr(b, e - b + 1);
}

HttpResponse image_response(const HttpRequest& req, std::string_view mime, std::string body) {
    HttpResponse res{http::status::ok, req.version()};
    res.keep_alive(req.keep_alive());
    res.set(http::field::content_type, mime);
    res.set("X-Content-Type-Options", "nosniff");
    res.set(http::field::cache_control, "private, max-age=300");
    // An SVG opened directly must not run script on our origin.
    res.set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; sandbox");
    res.body() = std::move(body);
    res.prepare_payload();
    return res;
}

} // namespace

AccountsContext AccountsContext::from(const HttpRequest& req, std::string_view path) {
    AccountsContext ctx;
    // The original dispatches and names paths by r.URL.Path, the decoded path (`%73tart` is
    // `start`); a path Go could not decode never gets here.
    ctx.path = go_unescape(path, false).value_or(std::string(path));
    ctx.session_id = find_cookie(req[http::field::cookie], session_cookie_name);
    return ctx;
}

bool AccountsApi::handles(std::string_view path) {
    return path == "/profile" || path == "/profile/status" || path == "/profile/avatar" ||
           path == "/logout" || path == "/counter" || starts_with(path, "/github/login/") ||
           starts_with(path, "/kioubit/login/");
}

bool AccountsApi::may_block(std::string_view path) {
    return path == "/profile/avatar" || path == "/github/login/auth";
}

json::object profile_json(const User& user) {
    json::object o{{"username", user.username}};
    if (!user.display_name.empty()) {
        o["displayName"] = user.display_name;
    }
    if (!user.avatar_url.empty()) {
        o["avatarURL"] = user.avatar_url;
    }
    if (user.is_bot) {
        o["isBot"] = true;
    }
    return o;
}

AccountsApi::SessionState AccountsApi::current(const AccountsContext& ctx) const {
    SessionState state;
    if (!ctx.session_id) {
        return state;
    }
    state.session = service_.store().find_session(*ctx.session_id, service_.now());
    if (state.session && state.session->user_id) {
        state.user = service_.store().user_by_id(*state.session->user_id);
    }
    return state;
}

void AccountsApi::set_session_cookie(HttpResponse& res, const Session& session) const {
    res.insert(http::field::set_cookie, build_session_cookie(service_.config().cookie, session.id,
                                                             session.expires_at - service_.now()));
}

AuthResult<Session> AccountsApi::ensure_session(const AccountsContext& ctx,
                                                HttpResponse& res) const {
    if (ctx.session_id) {
        if (auto s = service_.store().find_session(*ctx.session_id, service_.now())) {
            return *s;
        }
    }
    auto s = service_.store().create_session(service_.now(),
                                             service_.config().anonymous_session_ttl_seconds);
    if (s) {
        set_session_cookie(res, *s);
    }
    return s;
}

HttpResponse AccountsApi::handle(const HttpRequest& req, const AccountsContext& ctx) const {
    const auto& p = ctx.path;
    if (p == "/profile") {
        return profile(req, ctx);
    }
    if (p == "/profile/status") {
        return profile_status(req, ctx);
    }
    if (p == "/profile/avatar") {
        return avatar(req, ctx);
    }
    // The original dispatches on the path's ending below each provider's prefix (PROTOCOL.md
    // 3.3, 3.4): `/github/login/x/login/start` is the start route too.
    const auto under = [&](std::string_view prefix, std::string_view route) {
        return starts_with(p, prefix) && p.size() >= route.size() &&
               p.compare(p.size() - route.size(), route.size(), route) == 0;
    };
    if (p == "/logout" || p == "/kioubit/login/delete" ||
        (service_.kioubit() && under("/kioubit/login/", "/login/delete"))) {
        return logout(req, ctx);
    }
    if (p == "/counter") {
        return counter(req, ctx);
    }
    if (service_.github() && under("/github/login/", "/login/start")) {
        return login_start(req, ctx, "github");
    }
    if (service_.github() && under("/github/login/", "/login/auth")) {
        return github_auth(req, ctx);
    }
    if (service_.kioubit() && under("/kioubit/login/", "/login/start")) {
        return login_start(req, ctx, "kioubit");
    }
    if (service_.kioubit() && under("/kioubit/login/", "/login/auth")) {
        return kioubit_auth(req, ctx);
    }
    if ((service_.github() && starts_with(p, "/github/login/")) ||
        (service_.kioubit() && starts_with(p, "/kioubit/login/"))) {
        return error_response(req, http::status::not_found,
                              "Path " + p.substr(0, 256) + " has no handler attached");
    }
    return error_response(req, http::status::not_found, "404 page not found");
}

std::variant<User, HttpResponse> AccountsApi::profile_user(const HttpRequest& req,
                                                           const AccountsContext& ctx) const {
    if (auto name = query_param(req.target(), "username"); name && !name->empty()) {
        auto user = service_.store().user_by_username(*name);
        if (!user) {
            return error_response(req, http::status::not_found, "User is not found");
        }
        return std::move(*user);
    }
    auto state = current(ctx);
    if (!state.session || !state.session->user_id) {
        return error_response(req, http::status::unauthorized, "Unauthorized");
    }
    if (!state.user) {
        return error_response(req, http::status::unauthorized, "User didn't found");
    }
    return std::move(*state.user);
}

HttpResponse AccountsApi::profile(const HttpRequest& req, const AccountsContext& ctx) const {
    auto found = profile_user(req, ctx);
    if (auto* err = std::get_if<HttpResponse>(&found)) {
        return std::move(*err);
    }
    return json_response(req, http::status::ok, profile_json(std::get<User>(found)));
}

HttpResponse AccountsApi::profile_status(const HttpRequest& req, const AccountsContext& ctx) const {
    return json_response(req, http::status::ok,
                         json::object{{"logged_in", current(ctx).user.has_value()}});
}

HttpResponse AccountsApi::avatar(const HttpRequest& req, const AccountsContext& ctx) const {
    auto found = profile_user(req, ctx);
    if (auto* err = std::get_if<HttpResponse>(&found)) {
        return std::move(*err);
    }
    const auto* user = std::get_if<User>(&found);
    std::string_view url = trim(user->avatar_url);
    if (url.empty()) {
        return error_response(req, http::status::not_found, "No avatar URL found");
    }
    if (starts_with(url, "data:")) {
        // As the original: the MIME type first, then the base64 marker, then Go's decoder.
        const auto meta_end = url.find_first_of(";,");
        const auto mime =
            url.substr(5, meta_end == std::string_view::npos ? url.npos : meta_end - 5);
        if (std::find(data_url_mimes.begin(), data_url_mimes.end(), mime) == data_url_mimes.end()) {
            return error_response(req, http::status::bad_request, "unsupported MIME type");
        }
        const auto rest = url.substr(5 + mime.size());
        if (!starts_with(rest, ";base64,")) {
            return error_response(req, http::status::bad_request, "not base64 encoded");
        }
        auto decoded = crypto::go_std_base64_decode(trim(rest.substr(8)));
        if (decoded.corrupt_at) {
            return error_response(req, http::status::bad_request,
                                  "illegal base64 data at input byte " +
                                      std::to_string(*decoded.corrupt_at));
        }
        return image_response(req, mime, std::move(decoded.bytes));
    }
    const std::string key(url);
    auto cached = service_.avatar_cache().get(key, service_.now());
    if (!cached) {
        cached = fetch_avatar(key, user->username);
        service_.avatar_cache().put(key, *cached,
                                    service_.now() + (cached->status == 200 ? 600 : 60));
    }
    if (cached->status != 200) {
        return error_response(req, static_cast<http::status>(cached->status), cached->body);
    }
    return image_response(req, cached->content_type, std::move(cached->body));
}

CachedAvatar AccountsApi::fetch_avatar(const std::string& url, const std::string& username) const {
    auto reply = service_.avatar_http().fetch({http::verb::get, url, {}, ""});
    if (!reply) {
        spdlog::warn("accounts: avatar fetch for {} failed: {}", username, reply.error().message);
        return {500, "", "Failed to fetch avatar"};
    }
    if (reply->status != 200) {
        unsigned status = reply->status >= 400 && reply->status < 600 ? reply->status : 502;
        return {status, "", "Upstream returned error"};
    }
    std::string_view mime = reply->content_type;
    mime = trim(mime.substr(0, mime.find(';')));
    for (auto m : proxied_mimes) {
        if (m == mime) {
            return {200, std::string(m), std::move(reply->body)};
        }
    }
    return {502, "", "Upstream returned no image"};
}

namespace {

// A browser request from another site (its Origin is neither the page's own origin nor an
// allowed one). Requests without Origin (curl, the original client's same-origin fetches in old
// browsers) pass: the session cookie is what a cross-site page could not otherwise read.
bool cross_site(const HttpRequest& req, const std::vector<std::string>& allowed) {
    const auto it = req.find(http::field::origin);
    if (it == req.end()) {
        return false;
    }
    const std::string origin(it->value());
    if (std::find(allowed.begin(), allowed.end(), origin) != allowed.end()) {
        return false;
    }
    const std::string host(req[http::field::host]);
    const auto o = ascii_lower(origin);
    const auto h = ascii_lower(host);
    return h.empty() || (o != "http://" + h && o != "https://" + h);
}

} // namespace

HttpResponse AccountsApi::logout(const HttpRequest& req, const AccountsContext& ctx) const {
    // The original answers every method with its 200; a CORS preflight (OPTIONS, sent without
    // cookies) gets it here too, so a cross-origin POST may follow, and logs nobody out.
    if (req.method() == http::verb::options) {
        return empty_response(req, http::status::ok);
    }
    if (req.method() != http::verb::post) {
        auto res = error_response(req, http::status::method_not_allowed, "Method Not Allowed");
        res.set(http::field::allow, "POST");
        return res;
    }
    if (cross_site(req, service_.config().allowed_origins)) {
        return error_response(req, http::status::forbidden, "cross-site logout refused");
    }
    if (ctx.session_id) {
        if (auto r = service_.store().delete_session(*ctx.session_id); !r) {
            return error_response(req, http::status::internal_server_error,
                                  "Unable to log user out, internal problem");
        }
    }
    auto res = empty_response(req, http::status::ok);
    res.insert(http::field::set_cookie, build_clearing_cookie(service_.config().cookie));
    return res;
}

HttpResponse AccountsApi::counter(const HttpRequest& req, const AccountsContext& ctx) const {
    HttpResponse cookie_carrier;
    auto session = ensure_session(ctx, cookie_carrier);
    if (!session) {
        return error_response(req, http::status::internal_server_error, "no session");
    }
    auto count = service_.store().bump_counter(session->id);
    if (!count) {
        return error_response(req, http::status::internal_server_error, "no session");
    }
    auto res = json_response(req, http::status::ok, json::object{{"count", *count}});
    for (const auto& f : cookie_carrier) {
        res.insert(f.name(), f.value());
    }
    return res;
}

} // namespace tincan::server
