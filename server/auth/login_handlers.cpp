// GitHub (PROTOCOL.md 3.3) and Kioubit (3.4) login routes of AccountsApi, with the fixes of
// 10.1: single-use `state` bound to the session, PKCE S256, redirect targets limited to the
// configured site, session rotated at login, Kioubit domain enforced.

#include "auth/accounts_api.hpp"

#include "auth/crypto.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <spdlog/spdlog.h>

namespace tincan::server {

namespace http = boost::beast::http;

namespace {

std::string host_of(const std::string& url) {
    auto u = boost::urls::parse_absolute_uri(url);
    return u ? std::string(u->host_address()) : std::string();
}

// Base64 in a query string may arrive with '+' decoded as ' ' (form encoding).
std::string restore_plus(std::string s) {
    for (auto& c : s) {
        if (c == ' ') {
            c = '+';
        }
    }
    return s;
}

// The original's message for a state/token that names no login of this session.
std::string invalid_nonce(std::string_view nonce) {
    return "Invalid nonce " + std::string(nonce.substr(0, 64)) + ", no session is bound";
}

} // namespace

HttpResponse AccountsApi::login_start(const HttpRequest& req, const AccountsContext& ctx,
                                      const std::string& provider) const {
    std::string target;
    if (auto page = query_param(req.target(), "current_page"); page && !page->empty()) {
        auto resolved = service_.redirects().resolve(*page);
        if (!resolved) {
            spdlog::warn("accounts: {} login start refused redirect target", provider);
            return error_response(req, http::status::bad_request,
                                  "current_page is not on this site");
        }
        target = *resolved;
    }
    HttpResponse cookie_carrier;
    auto session = ensure_session(ctx, cookie_carrier);
    if (!session) {
        return error_response(req, http::status::internal_server_error, "no session");
    }
    const auto now = service_.now();
    LoginNonce nonce{provider, provider == "github" ? crypto::random_token() : std::string(),
                     target, now + service_.config().nonce_ttl_seconds};
    std::string state = crypto::random_token();
    if (auto r = service_.store().put_nonce(state, session->id, nonce, now); !r) {
        return error_response(req, http::status::internal_server_error, "cannot store nonce");
    }
    std::string location;
    if (provider == "github") {
        location = service_.github()->authorize_url(state, pkce_challenge(nonce.pkce_verifier));
    } else {
        location =
            url_with_query(service_.config().kioubit_auth_url,
                           {{"return", service_.config().kioubit_redir_url}, {"token", state}});
    }
    auto res = redirect_response(req, location);
    for (const auto& f : cookie_carrier) {
        res.insert(f.name(), f.value());
    }
    return res;
}

HttpResponse AccountsApi::github_auth(const HttpRequest& req, const AccountsContext& ctx) const {
    const auto target = req.target();
    if (auto error = query_param(target, "error")) {
        auto description = query_param(target, "error_description").value_or("");
        if (auto state = query_param(target, "state"); state && ctx.session_id) {
            (void)service_.store().take_nonce(*state, *ctx.session_id, "github", service_.now());
        }
        return error_response(req, http::status::bad_request, *error + ": " + description);
    }
    auto state = query_param(target, "state");
    if (!state || state->empty()) {
        return error_response(req, http::status::bad_request, "No nonce is found in the request");
    }
    auto nonce =
        service_.store().take_nonce(*state, ctx.session_id.value_or(""), "github", service_.now());
    if (!nonce) {
        spdlog::warn("accounts: GitHub callback with bad state: {}", nonce.error().message);
        return error_response(req, http::status::bad_request, invalid_nonce(*state));
    }
    auto code = query_param(target, "code");
    if (!code || code->empty()) {
        return error_response(req, http::status::unauthorized,
                              "No authorization code is found in the request");
    }
    const auto& github = *service_.github();
    auto token = github.exchange_code(*code, nonce->pkce_verifier);
    if (!token) {
        spdlog::warn("accounts: GitHub {}", token.error().message);
        return error_response(req, http::status::unauthorized, "Failed to exchange code");
    }
    auto gh_user = github.fetch_user(*token);
    if (auto r = github.revoke(*token); !r) {
        spdlog::info("accounts: GitHub token revoke failed: {}", r.error().message);
    }
    if (!gh_user) {
        spdlog::warn("accounts: GitHub {}", gh_user.error().message);
        return error_response(req, http::status::unauthorized, "Failed to fetch GitHub user");
    }
    User fresh;
    fresh.username = gh_user->login;
    fresh.display_name = gh_user->name;
    fresh.avatar_url = gh_user->avatar_url;
    fresh.github_id = gh_user->id;
    return login_or_create(req, ctx, service_.store().user_by_github_id(gh_user->id),
                           std::move(fresh), nonce->redirect_target);
}

HttpResponse AccountsApi::kioubit_auth(const HttpRequest& req, const AccountsContext& ctx) const {
    const auto target = req.target();
    auto params = restore_plus(query_param(target, "params").value_or(""));
    auto signature = restore_plus(query_param(target, "signature").value_or(""));
    auto assertion = service_.kioubit()->verify(
        params, signature, host_of(service_.config().kioubit_redir_url), service_.now());
    if (!assertion) {
        spdlog::warn("accounts: Kioubit assertion refused: {}", assertion.error().message);
        return error_response(req, http::status::bad_request, assertion.error().message);
    }
    auto nonce = service_.store().take_nonce(assertion->user_token, ctx.session_id.value_or(""),
                                             "kioubit", service_.now());
    if (!nonce) {
        spdlog::warn("accounts: Kioubit callback with bad token: {}", nonce.error().message);
        return error_response(req, http::status::bad_request, invalid_nonce(assertion->user_token));
    }
    auto username = assertion->username();
    if (username.empty()) {
        return error_response(req, http::status::bad_request, "assertion names no maintainer");
    }
    User fresh;
    fresh.username = username;
    fresh.display_name = assertion->effective_mnt;
    fresh.dn42_asn = assertion->asn;
    return login_or_create(req, ctx, service_.store().user_by_asn(assertion->asn), std::move(fresh),
                           nonce->redirect_target);
}

HttpResponse AccountsApi::finish_login(const HttpRequest& req, const AccountsContext& ctx,
                                       const User& user, const std::string& redirect_target) const {
    auto session =
        service_.store().rotate_session(ctx.session_id.value_or(""), user.id, service_.now(),
                                        service_.config().session_ttl_seconds);
    if (!session) {
        return error_response(req, http::status::internal_server_error, "cannot create session");
    }
    const std::string& location =
        redirect_target.empty() ? service_.redirects().success_url() : redirect_target;
    auto res =
        location.empty() ? empty_response(req, http::status::ok) : redirect_response(req, location);
    set_session_cookie(res, *session);
    return res;
}

HttpResponse AccountsApi::login_or_create(const HttpRequest& req, const AccountsContext& ctx,
                                          std::optional<User> existing, User fresh,
                                          const std::string& redirect_target) const {
    if (!existing) {
        auto created = service_.store().create_user_unique(std::move(fresh), service_.now());
        if (!created) {
            auto status = created.error().code == AuthErrc::invalid_input
                              ? http::status::bad_request
                              : http::status::internal_server_error;
            return error_response(req, status, created.error().message);
        }
        existing = std::move(*created);
        spdlog::info("accounts: created user {} (github id '{}', AS '{}')", existing->username,
                     existing->github_id, existing->dn42_asn);
    }
    return finish_login(req, ctx, *existing, redirect_target);
}

} // namespace tincan::server
