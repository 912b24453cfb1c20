#include "auth/accounts_service.hpp"

#include <boost/url/parse.hpp>

#include <cctype>
#include <chrono>

namespace tincan::server {

std::string_view account_auth_name(AccountAuth kind) {
    switch (kind) {
    case AccountAuth::jwt:
        return "jwt";
    case AccountAuth::session:
        return "session";
    case AccountAuth::none:
        break;
    }
    return "none";
}

AuthResult<std::unique_ptr<AccountsService>> AccountsService::create(AccountsConfig config,
                                                                     Clock clock) {
    if (!clock) {
        clock = [] {
            return std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                .count();
        };
    }
    // URLs from flags are parsed once here: a bad one is a startup error, never a failure (or an
    // exception) while serving a request.
    const std::pair<const char*, const std::string*> urls[] = {
        {"--login-success-redir-url", &config.login_success_redir_url},
        {"--github-login-redir-url", &config.github.redirect_uri},
        {"--github-oauth-base-url", &config.github.oauth_base},
        {"--github-api-base-url", &config.github.api_base},
        {"--kioubit-login-redir-url", &config.kioubit_redir_url},
        {"--kioubit-auth-url", &config.kioubit_auth_url},
    };
    for (const auto& [flag, url] : urls) {
        if (url == &config.login_success_redir_url && is_root_relative_path(*url)) {
            continue; // a path on this server, as the original's http.Redirect takes it
        }
        auto parsed = boost::urls::parse_absolute_uri(*url);
        if (!url->empty() &&
            (!parsed || (parsed->scheme() != "http" && parsed->scheme() != "https") ||
             parsed->host().empty())) {
            return auth_error(AuthErrc::invalid_input,
                              std::string(flag) + " is not an absolute http(s) URL: " + *url);
        }
    }
    auto store = Store::open(config.data_dir);
    if (!store) {
        return store.error();
    }
    auto jwt = JwtSigner::load_or_create(config.data_dir / "jwt.key");
    if (!jwt) {
        return jwt.error();
    }
    std::optional<KioubitVerifier> kioubit;
    if (!config.kioubit_pubkey_path.empty()) {
        auto k = KioubitVerifier::from_file(config.kioubit_pubkey_path);
        if (!k) {
            return auth_error(k.error().code, "--kioubit-login-pubkey: " + k.error().message);
        }
        kioubit = std::move(*k);
    }
    std::unique_ptr<AccountsService> service(new AccountsService(
        std::move(config), std::move(clock), std::move(*store), std::move(*jwt)));
    service->kioubit_ = std::move(kioubit);
    return service;
}

AccountsService::AccountsService(AccountsConfig config, Clock clock, std::unique_ptr<Store> store,
                                 JwtSigner jwt)
    : config_(std::move(config)), clock_(std::move(clock)), store_(std::move(store)),
      jwt_(std::move(jwt)), github_http_(std::make_unique<HttpClient>(config_.github_http)),
      avatar_http_(std::make_unique<HttpClient>(config_.avatar_http)),
      redirects_(config_.login_success_redir_url) {
    if (config_.github.enabled()) {
        github_ = std::make_unique<GithubClient>(config_.github, *github_http_);
    }
}

WsIdentity AccountsService::resolve_ws_identity(std::string_view authorization,
                                                std::string_view cookie_header) {
    const auto now = clock_();
    // "Bearer" compared case-insensitively (bots send "bearer").
    if (authorization.size() > 7) {
        std::string scheme(authorization.substr(0, 7));
        for (auto& c : scheme) {
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
        if (scheme == "bearer ") {
            auto token = authorization.substr(7);
            while (!token.empty() && token.front() == ' ') {
                token.remove_prefix(1);
            }
            if (auto claims = jwt_.verify(token, now)) {
                if (auto user = store_->user_by_id(claims->sub);
                    user && user->token_generation == claims->gen) {
                    return {AccountAuth::jwt, std::move(user)};
                }
            }
        }
    }
    if (auto id = find_cookie(cookie_header, session_cookie_name)) {
        if (auto session = store_->find_session(*id, now); session && session->user_id) {
            if (auto user = store_->user_by_id(*session->user_id)) {
                return {AccountAuth::session, std::move(user)};
            }
        }
    }
    return {};
}

bool AccountsService::name_reserved(std::string_view name, const std::optional<User>& self) {
    if (name.empty()) {
        return false;
    }
    auto owner = store_->user_by_username(std::string(name));
    return owner && (!self || self->id != owner->id);
}

std::string AccountsService::issue_token(const User& user) {
    return jwt_.sign(user.id, clock_(), config_.bot_token_ttl_seconds, user.token_generation);
}

} // namespace tincan::server
