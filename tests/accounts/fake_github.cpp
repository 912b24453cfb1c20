#include "fake_github.hpp"

#include "auth/crypto.hpp"
#include "http/responses.hpp"

#include <boost/json.hpp>
#include <boost/url.hpp>

namespace tincan::test {

namespace http = boost::beast::http;
namespace json = boost::json;
namespace crypto = tincan::server::crypto;

namespace {

std::string param(const boost::urls::params_view& params, std::string_view key) {
    auto it = params.find(key);
    return it == params.end() ? std::string() : std::string((*it).value);
}

Reply json_reply(const Request& req, http::status status, const json::value& v) {
    return {make_response(req, status, "application/json; charset=utf-8", json::serialize(v))};
}

} // namespace

FakeGithub::FakeGithub(std::string client_id, std::string client_secret, FakeGithubUser user)
    : client_id_(std::move(client_id)), client_secret_(std::move(client_secret)),
      user_(std::move(user)),
      server_(std::make_unique<LoopbackServer>([this](const Request& r) { return handle(r); })) {}

void FakeGithub::set_user(FakeGithubUser user) {
    std::lock_guard lock(mutex_);
    user_ = std::move(user);
}

void FakeGithub::set_token_delay(std::chrono::milliseconds delay) {
    std::lock_guard lock(mutex_);
    token_delay_ = delay;
}

int FakeGithub::exchanges() const {
    std::lock_guard lock(mutex_);
    return exchanges_;
}

int FakeGithub::revocations() const {
    std::lock_guard lock(mutex_);
    return revocations_;
}

bool FakeGithub::token_revoked(const std::string& token) const {
    std::lock_guard lock(mutex_);
    return revoked_.count(token) > 0;
}

std::string FakeGithub::last_exchange_query() const {
    std::lock_guard lock(mutex_);
    return last_exchange_query_;
}

Reply FakeGithub::handle(const Request& req) {
    auto u = boost::urls::parse_origin_form(req.target());
    if (!u) {
        return {make_response(req, http::status::bad_request, "text/plain", "bad target")};
    }
    std::string path(u->path());
    if (path == "/login/oauth/authorize" && req.method() == http::verb::get) {
        return authorize_page(req);
    }
    if (path == "/login/oauth/authorize" && req.method() == http::verb::post) {
        return authorize_grant(req, req.body());
    }
    if (path == "/login/oauth/access_token" && req.method() == http::verb::post) {
        return access_token(req);
    }
    if (path == "/user" && req.method() == http::verb::get) {
        return user(req);
    }
    if (path == "/applications/" + client_id_ + "/token" && req.method() == http::verb::delete_) {
        return revoke(req);
    }
    if (path.rfind("/avatars/", 0) == 0 && req.method() == http::verb::get) {
        // What avatars.githubusercontent.com serves: the image bytes.
        return {make_response(req, http::status::ok, "image/png", std::string(fake_avatar_png))};
    }
    return json_reply(req, http::status::not_found, json::object{{"message", "Not Found"}});
}

Reply FakeGithub::authorize_page(const Request& req) {
    auto u = boost::urls::parse_origin_form(req.target());
    auto params = u->params();
    if (param(params, "client_id") != client_id_ || param(params, "state").empty() ||
        param(params, "code_challenge_method") != "S256" ||
        param(params, "code_challenge").empty()) {
        return {make_response(req, http::status::bad_request, "text/plain",
                              "invalid authorize request")};
    }
    std::string inputs;
    for (auto key : {"client_id", "redirect_uri", "state", "code_challenge",
                     "code_challenge_method", "scope"}) {
        inputs += "<input type=\"hidden\" name=\"" + std::string(key) + "\" value=\"" +
                  server::html_escape(param(params, key)) + "\">";
    }
    std::string html = "<!doctype html><html><head><title>Authorize application</title></head>"
                       "<body><h1>Authorize tincan</h1><form method=\"post\" "
                       "action=\"/login/oauth/authorize\">" +
                       inputs + "<button type=\"submit\">Authorize</button></form></body></html>";
    return {make_response(req, http::status::ok, "text/html; charset=utf-8", html)};
}

Reply FakeGithub::authorize_grant(const Request& req, const std::string& query) {
    boost::urls::url u("/?" + query);
    auto params = u.params();
    // Form posts encode spaces as '+': decode the same way a browser encoded them.
    if (param(params, "client_id") != client_id_ || param(params, "state").empty() ||
        param(params, "code_challenge").empty()) {
        return {make_response(req, http::status::bad_request, "text/plain", "invalid grant")};
    }
    std::string code = crypto::base64url_encode(crypto::random_bytes(10));
    {
        std::lock_guard lock(mutex_);
        codes_[code] = Grant{param(params, "redirect_uri"), param(params, "code_challenge")};
    }
    boost::urls::url target(param(params, "redirect_uri"));
    target.params().append({"code", code});
    target.params().append({"state", param(params, "state")});
    auto res = make_response(req, http::status::found, "", "");
    res.set(http::field::location, target.buffer());
    return {std::move(res)};
}

std::string FakeGithub::consent(const std::string& authorize_url) {
    auto u = boost::urls::parse_uri(authorize_url);
    if (!u) {
        return {};
    }
    Request req{http::verb::post, "/login/oauth/authorize", 11};
    auto reply = authorize_grant(req, std::string(u->encoded_query()));
    if (reply.response.result() != http::status::found) {
        return {};
    }
    return std::string(reply.response[http::field::location]);
}

Reply FakeGithub::access_token(const Request& req) {
    auto u = boost::urls::parse_origin_form(req.target());
    auto params = u->params();
    std::lock_guard lock(mutex_);
    ++exchanges_;
    last_exchange_query_ = std::string(u->encoded_query());
    if (req[http::field::accept] != "application/json") {
        return {make_response(req, http::status::ok, "application/x-www-form-urlencoded",
                              "error=unsupported_accept")};
    }
    if (param(params, "client_id") != client_id_ ||
        param(params, "client_secret") != client_secret_) {
        return json_reply(req, http::status::ok,
                          json::object{{"error", "incorrect_client_credentials"}});
    }
    auto it = codes_.find(param(params, "code"));
    if (it == codes_.end() || it->second.used) {
        return json_reply(req, http::status::ok, json::object{{"error", "bad_verification_code"}});
    }
    it->second.used = true;
    if (it->second.redirect_uri != param(params, "redirect_uri")) {
        return json_reply(req, http::status::ok, json::object{{"error", "redirect_uri_mismatch"}});
    }
    auto verifier = param(params, "code_verifier");
    if (crypto::base64url_encode(crypto::sha256(verifier)) != it->second.challenge) {
        return json_reply(req, http::status::ok, json::object{{"error", "invalid_grant"}});
    }
    std::string token = "gho_" + crypto::base64url_encode(crypto::random_bytes(18));
    tokens_.insert(token);
    auto reply = json_reply(
        req, http::status::ok,
        json::object{{"access_token", token}, {"token_type", "bearer"}, {"scope", "read:user"}});
    reply.delay = token_delay_;
    return reply;
}

Reply FakeGithub::user(const Request& req) {
    std::string auth(req[http::field::authorization]);
    std::lock_guard lock(mutex_);
    if (auth.rfind("Bearer ", 0) != 0 || tokens_.count(auth.substr(7)) == 0 ||
        revoked_.count(auth.substr(7)) > 0) {
        return json_reply(req, http::status::unauthorized,
                          json::object{{"message", "Bad credentials"}});
    }
    json::object o{{"login", user_.login}, {"id", user_.id}, {"avatar_url", user_.avatar_url}};
    o["name"] = user_.name.empty() ? json::value(nullptr) : json::value(user_.name);
    return json_reply(req, http::status::ok, o);
}

Reply FakeGithub::revoke(const Request& req) {
    std::string auth(req[http::field::authorization]);
    std::string expected = "Basic " + crypto::base64_encode(client_id_ + ":" + client_secret_);
    boost::system::error_code ec;
    auto body = json::parse(req.body(), ec);
    std::lock_guard lock(mutex_);
    if (auth != expected) {
        return json_reply(req, http::status::not_found, json::object{{"message", "Not Found"}});
    }
    if (ec || !body.is_object() || !body.as_object().contains("access_token")) {
        return json_reply(req, http::status::unprocessable_entity,
                          json::object{{"message", "Invalid request"}});
    }
    std::string token(body.as_object()["access_token"].as_string());
    if (tokens_.count(token) == 0) {
        return json_reply(req, http::status::not_found, json::object{{"message", "Not Found"}});
    }
    revoked_.insert(token);
    ++revocations_;
    auto res = make_response(req, http::status::no_content, "", "");
    return {std::move(res)};
}

} // namespace tincan::test
