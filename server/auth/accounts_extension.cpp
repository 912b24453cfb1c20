#include "auth/accounts_extension.hpp"

#include "auth/accounts_api.hpp"
#include "auth/accounts_service.hpp"
#include "auth/management_api.hpp"
#include "http/router.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <spdlog/spdlog.h>

#include <cstdlib>

namespace tincan::server {

namespace {

std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v ? std::string(v) : std::string();
}

bool is_plain_http(const std::string& url) {
    return url.rfind("http://", 0) == 0;
}

AccountsConfig accounts_config(const Config& c) {
    AccountsConfig a;
    a.data_dir = c.data_dir;
    a.cookie = {c.cookie_domain, c.cookie_samesite, c.cookie_secure};
    a.login_success_redir_url = c.login_success_redir_url;
    a.github.client_id = env("GH_LOGIN_CLIENT_ID");
    a.github.client_secret = env("GH_LOGIN_CLIENT_SECRET");
    a.github.redirect_uri = c.github_login_redir_url;
    a.github.oauth_base = c.github_oauth_base_url;
    a.github.api_base = c.github_api_base_url;
    // Plain http is only for loopback stand-ins of GitHub, configured explicitly by flag.
    a.github_http.allow_http =
        is_plain_http(c.github_oauth_base_url) || is_plain_http(c.github_api_base_url);
    a.github_http.timeout = std::chrono::seconds(5);
    // A loopback GitHub stand-in hands out avatar URLs on itself: with one configured (plain
    // http, by flag), the avatar proxy may fetch plain http from loopback too. A real GitHub
    // (https) keeps the avatar client https-only with private addresses refused.
    if (a.github_http.allow_http) {
        a.avatar_http.allow_http = true;
        a.avatar_http.block_private_addresses = false;
    }
    a.kioubit_pubkey_path = c.kioubit_login_pubkey;
    a.kioubit_redir_url = c.kioubit_login_redir_url;
    a.kioubit_auth_url = c.kioubit_auth_url;
    a.allow_anonymous = c.allow_anonymous;
    a.allowed_origins = c.allowed_origins;
    return a;
}

} // namespace

AuthResult<Server::Extension> make_accounts_extension(const Config& server_config) {
    auto config = accounts_config(server_config);
    if (config.github_http.allow_http) {
        spdlog::warn("accounts: GitHub endpoints over plain http (test configuration)");
    }
    auto created = AccountsService::create(config);
    if (!created) {
        return created.error();
    }
    std::shared_ptr<AccountsService> service = std::move(*created);
    return Server::Extension([service, config](ServerContext& ctx) -> bool {
        auto api = std::make_shared<AccountsApi>(*service);
        auto management = std::make_shared<ManagementApi>(*service);

        // Handlers run inside Asio completion handlers: nothing may escape them.
        Router::Handler account_handler = [service, api](const Request& req, RequestContext& rc) {
            try {
                return api->handle(req, AccountsContext::from(req, rc.route));
            } catch (const std::exception& e) {
                spdlog::error("accounts: {} failed: {}", rc.route, e.what());
                return error_response(req, boost::beast::http::status::internal_server_error,
                                      "internal error");
            }
        };
        for (const char* path :
             {"/profile", "/profile/status", "/profile/avatar", "/logout", "/counter"}) {
            ctx.router->add_api(path, account_handler);
        }
        const auto& prefix = ctx.config.api_prefix;
        if (service->github()) {
            ctx.router->add_api("/github/login/", account_handler, true);
            ctx.identity_providers.push_back({"GitHub", "github", prefix + "/github/login/start"});
            spdlog::info("accounts: GitHub login enabled (redirect_uri {})",
                         config.github.redirect_uri);
        }
        if (service->kioubit()) {
            ctx.router->add_api("/kioubit/login/", account_handler, true);
            ctx.identity_providers.push_back(
                {"Kioubit", "kioubit", prefix + "/kioubit/login/start"});
            spdlog::info("accounts: Kioubit login enabled (domain of {})",
                         config.kioubit_redir_url);
        }
        // Subtree routes, as the original's ServeMux patterns "/github/login/", "/kioubit/login/"
        // and "/bots/": the path without the slash is redirected to them (Router).
        ctx.management_router->add_api(
            "/bots/",
            [service, management](const Request& req, RequestContext&) {
                try {
                    return management->handle(req);
                } catch (const std::exception& e) {
                    spdlog::error("management: request failed: {}", e.what());
                    return error_response(req, boost::beast::http::status::internal_server_error,
                                          "internal error");
                }
            },
            true);

        // Routes that call GitHub or fetch avatars run on a small worker pool, so a slow upstream
        // never stalls the I/O thread (and with it signalling).
        auto pool = std::make_shared<boost::asio::thread_pool>(2);
        ctx.offload = [pool, service, api, prefix](Request& req, auto reply) -> bool {
            std::string path, query;
            if (!split_target(req.target(), path, query)) {
                return false;
            }
            // The same routes answer below the prefix and at the root (Router::add_api).
            std::string route = path;
            if (!prefix.empty() && (path == prefix || path.starts_with(prefix + "/"))) {
                route = path.substr(prefix.size());
            }
            // A login route of a provider that is not configured is not mounted: it gets the
            // router's plain 404, as every unknown path (PROTOCOL.md 2.2).
            if (!AccountsApi::may_block(route) ||
                (route.starts_with("/github/") && !service->github())) {
                return false;
            }
            boost::asio::post(*pool, [service, api, route, req = std::move(req),
                                      reply = std::move(reply)]() mutable {
                HttpResponse res;
                try {
                    res = api->handle(req, AccountsContext::from(req, route));
                } catch (const std::exception& e) {
                    spdlog::error("accounts: {} failed: {}", route, e.what());
                    res = error_response(req, boost::beast::http::status::internal_server_error,
                                         "internal error");
                }
                reply(std::move(res));
            });
            return true;
        };

        const bool allow_anonymous = ctx.config.allow_anonymous;
        ctx.resolve_identity = [service, allow_anonymous](const Request& req) {
            namespace http = boost::beast::http;
            auto who = service->resolve_ws_identity(req[http::field::authorization],
                                                    req[http::field::cookie]);
            UpgradeIdentity out;
            if (who.kind == AccountAuth::none) {
                if (!allow_anonymous) {
                    out.refuse_status = 401;
                    out.refuse_reason = "anonymous access is disabled: sign in first";
                    return out;
                }
                out.identity = Identity{};
                return out;
            }
            Identity id;
            id.kind = who.kind == AccountAuth::jwt ? AuthKind::jwt : AuthKind::session;
            id.user_id = who.user->id;
            id.username = who.user->username;
            id.is_bot = who.user->is_bot;
            out.identity = std::move(id);
            return out;
        };
        ctx.hub.set_name_policy([service](std::string_view name, const Identity& identity) {
            std::optional<User> self;
            if (!identity.user_id.empty()) {
                self = User{};
                self->id = identity.user_id;
            }
            return !service->name_reserved(name, self);
        });
        return true;
    });
}

} // namespace tincan::server
