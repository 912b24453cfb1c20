#include "core_routes.hpp"

#include "go_url.hpp"
#include "responses.hpp"
#include "turn.hpp"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <chrono>

namespace tincan::server {

namespace http = boost::beast::http;
namespace json = boost::json;

namespace {

// A non-empty value for `key`: the original's `Query().Get(key) != ""`.
bool query_has_value(std::string_view query, std::string_view key) {
    const auto value = go_query_get(query, key);
    return value && !value->empty();
}

} // namespace

std::string servers_json(const ServerContext& ctx) {
    const auto& c = ctx.config;
    json::array ice;
    for (const auto& url : c.ice_servers) {
        ice.emplace_back(url);
    }
    json::array idp;
    for (const auto& p : ctx.identity_providers) {
        idp.push_back(json::object{{"name", p.name}, {"kind", p.kind}, {"loginUrl", p.login_url}});
    }
    json::object server{{"id", "local"},
                        {"name", c.server_name},
                        {"url", c.api_prefix + c.ws_path},
                        {"apiPrefix", c.api_prefix},
                        {"iceServers", std::move(ice)},
                        {"idp", std::move(idp)},
                        {"allowAnonymous", c.allow_anonymous}};
    return json::serialize(json::array{std::move(server)});
}

void install_core_routes(ServerContext& ctx, Router& router) {
    router.add_root("/healthz", [&ctx](const Request& req, RequestContext&) {
        json::object body{{"status", ctx.shutting_down ? "stopping" : "ok"},
                          {"connections", ctx.hub.connection_count()},
                          {"registered", ctx.hub.registered_count()}};
        return json_response(ctx.shutting_down ? http::status::service_unavailable
                                               : http::status::ok,
                             req.version(), req.keep_alive(), json::serialize(body));
    });
    router.add_root("/metrics", [&ctx](const Request& req, RequestContext&) {
        return make_response(http::status::ok, req.version(), req.keep_alive(),
                             ctx.metrics.render(), "text/plain; version=0.0.4; charset=utf-8");
    });
    router.add_root("/servers.json", [&ctx](const Request& req, RequestContext&) {
        return json_response(http::status::ok, req.version(), req.keep_alive(), servers_json(ctx));
    });
    router.add_api("/conns", [&ctx](const Request& req, RequestContext&) {
        return json_response(http::status::ok, req.version(), req.keep_alive(),
                             ctx.hub.conns_json());
    });

    // TURN credentials (additive; http/turn.hpp), for whoever may open the WebSocket.
    router.add_api("/ice-servers", [&ctx](const Request& req, RequestContext&) {
        if (req.method() != http::verb::get && req.method() != http::verb::head) {
            auto res = json_error(http::status::method_not_allowed, req.version(), req.keep_alive(),
                                  "use GET");
            res.set(http::field::allow, "GET");
            return res;
        }
        if (!turn_enabled(ctx.config)) {
            return json_error(http::status::not_found, req.version(), req.keep_alive(),
                              "no TURN relay is configured");
        }
        if (ctx.resolve_identity) {
            const auto who = ctx.resolve_identity(req);
            if (!who.identity) {
                return json_error(static_cast<http::status>(who.refuse_status), req.version(),
                                  req.keep_alive(), who.refuse_reason);
            }
        } else if (!ctx.config.allow_anonymous) {
            return json_error(http::status::unauthorized, req.version(), req.keep_alive(),
                              "anonymous access is disabled: sign in first");
        }
        const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
        auto res = json_response(http::status::ok, req.version(), req.keep_alive(),
                                 ice_servers_json(ctx.config, now, random_turn_tag()));
        res.set(http::field::cache_control, "no-store");
        return res;
    });

    // The signalling path without an upgrade: 400, as the original's WebSocket library answers.
    auto not_upgraded = [](const Request& req, RequestContext&) {
        // As gorilla/websocket: the upgrade tokens first (400), then the method (405).
        const bool wrong_method =
            has_websocket_upgrade_tokens(req) && req.method() != http::verb::get;
        spdlog::debug(
            "websocket refused reason=\"the client is not using the websocket protocol{}\"",
            wrong_method ? ": request method is not GET" : "");
        return websocket_refusal(wrong_method ? http::status::method_not_allowed
                                              : http::status::bad_request,
                                 req.version(), req.keep_alive());
    };
    // A path ending in a slash is a subtree route, as the original's ServeMux takes it.
    router.add_api(ctx.config.ws_path, not_upgraded, ctx.config.ws_path.ends_with('/'));

    // Account routes answered as an anonymous-only server (no identity providers configured).
    router.add_api("/profile/status", [](const Request& req, RequestContext&) {
        return json_response(http::status::ok, req.version(), req.keep_alive(),
                             R"({"logged_in":false})");
    });
    auto no_profile = [](const Request& req, RequestContext& rc) {
        if (query_has_value(rc.query, "username")) {
            return json_error(http::status::not_found, req.version(), req.keep_alive(),
                              "User is not found");
        }
        return json_error(http::status::unauthorized, req.version(), req.keep_alive(),
                          "Unauthorized");
    };
    router.add_api("/profile", no_profile);
    router.add_api("/profile/avatar", no_profile);
    router.add_api("/logout", [](const Request& req, RequestContext&) {
        // OPTIONS (a CORS preflight) gets the original's 200, as AccountsApi::logout.
        if (req.method() != http::verb::post && req.method() != http::verb::options) {
            auto res = json_error(http::status::method_not_allowed, req.version(), req.keep_alive(),
                                  "use POST");
            res.set(http::field::allow, "POST");
            return res;
        }
        return make_response(http::status::ok, req.version(), req.keep_alive(), "", "");
    });
}

} // namespace tincan::server
