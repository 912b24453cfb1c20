#include "auth/github_client.hpp"

#include "auth/crypto.hpp"
#include "auth/http_util.hpp"

#include <boost/json.hpp>
#include <boost/url/url.hpp>

namespace tincan::server {

namespace json = boost::json;
namespace http = boost::beast::http;

namespace {

std::string trim_slash(std::string s) {
    while (!s.empty() && s.back() == '/') {
        s.pop_back();
    }
    return s;
}

AuthResult<json::object> parse_object(const std::string& body) {
    boost::system::error_code ec;
    auto v = json::parse(body, ec);
    if (ec || !v.is_object()) {
        return auth_error(AuthErrc::upstream, "GitHub answered with invalid JSON");
    }
    return v.as_object();
}

std::string json_string(const json::object& o, std::string_view key) {
    auto* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

} // namespace

std::string pkce_challenge(const std::string& verifier) {
    return crypto::base64url_encode(crypto::sha256(verifier));
}

GithubClient::GithubClient(GithubConfig config, const HttpClient& http)
    : config_(std::move(config)), http_(http) {
    config_.oauth_base = trim_slash(config_.oauth_base);
    config_.api_base = trim_slash(config_.api_base);
}

std::string GithubClient::authorize_url(const std::string& state,
                                        const std::string& code_challenge) const {
    return url_with_query(config_.oauth_base + "/login/oauth/authorize",
                          {{"client_id", config_.client_id},
                           {"redirect_uri", config_.redirect_uri},
                           {"scope", config_.scope},
                           {"state", state},
                           {"code_challenge", code_challenge},
                           {"code_challenge_method", "S256"}});
}

AuthResult<std::string> GithubClient::exchange_code(const std::string& code,
                                                    const std::string& code_verifier) const {
    boost::urls::url u(config_.oauth_base + "/login/oauth/access_token");
    auto p = u.params();
    p.append({"client_id", config_.client_id});
    p.append({"client_secret", config_.client_secret});
    p.append({"code", code});
    p.append({"redirect_uri", config_.redirect_uri});
    p.append({"code_verifier", code_verifier});
    auto reply = http_.fetch(
        {http::verb::post, std::string(u.buffer()), {{"Accept", "application/json"}}, ""});
    if (!reply) {
        return auth_error(reply.error().code, "token exchange failed: " + reply.error().message);
    }
    if (reply->status != 200) {
        return auth_error(AuthErrc::upstream,
                          "token exchange failed: HTTP " + std::to_string(reply->status));
    }
    auto o = parse_object(reply->body);
    if (!o) {
        return o.error();
    }
    if (auto err = json_string(*o, "error"); !err.empty()) {
        return auth_error(AuthErrc::unauthorized, "token exchange refused: " + err);
    }
    auto token = json_string(*o, "access_token");
    if (token.empty()) {
        return auth_error(AuthErrc::upstream, "token exchange returned no access_token");
    }
    return token;
}

AuthResult<GithubUser> GithubClient::fetch_user(const std::string& access_token) const {
    auto reply =
        http_.fetch({http::verb::get,
                     config_.api_base + "/user",
                     {{"Authorization", "Bearer " + access_token}, {"Accept", "application/json"}},
                     ""});
    if (!reply) {
        return auth_error(reply.error().code, "user fetch failed: " + reply.error().message);
    }
    if (reply->status != 200) {
        return auth_error(AuthErrc::upstream,
                          "user fetch failed: HTTP " + std::to_string(reply->status));
    }
    auto o = parse_object(reply->body);
    if (!o) {
        return o.error();
    }
    GithubUser user;
    auto* id = o->if_contains("id");
    if (id && id->is_int64() && id->as_int64() > 0) {
        user.id = std::to_string(id->as_int64());
    } else if (id && id->is_uint64()) {
        user.id = std::to_string(id->as_uint64());
    }
    if (user.id.empty()) {
        return auth_error(AuthErrc::unauthorized, "GitHub user has no id");
    }
    user.login = json_string(*o, "login");
    user.name = json_string(*o, "name");
    user.avatar_url = json_string(*o, "avatar_url");
    if (user.login.empty()) {
        return auth_error(AuthErrc::unauthorized, "GitHub user has no login");
    }
    return user;
}

AuthResult<void> GithubClient::revoke(const std::string& access_token) const {
    json::object body{{"access_token", access_token}};
    auto reply =
        http_.fetch({http::verb::delete_,
                     config_.api_base + "/applications/" + config_.client_id + "/token",
                     {{"Authorization", "Basic " + crypto::base64_encode(config_.client_id + ":" +
                                                                         config_.client_secret)},
                      {"Accept", "application/vnd.github+json"},
                      {"Content-Type", "application/json"}},
                     json::serialize(body)});
    if (!reply) {
        return reply.error();
    }
    if (reply->status != 204 && reply->status != 200) {
        return auth_error(AuthErrc::upstream, "revoke: HTTP " + std::to_string(reply->status));
    }
    return {};
}

} // namespace tincan::server
