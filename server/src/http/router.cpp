#include "router.hpp"

#include "responses.hpp"

#include <algorithm>
#include <boost/url/parse.hpp>

namespace tincan::server {

namespace http = boost::beast::http;

bool split_target(std::string_view target, std::string& path, std::string& query) {
    auto parsed = boost::urls::parse_origin_form(target);
    if (!parsed) {
        return false;
    }
    path = std::string(parsed->encoded_path());
    query = std::string(parsed->encoded_query());
    return true;
}

Router::Router(std::string api_prefix) : api_prefix_(std::move(api_prefix)) {}

void Router::add(const std::string& full_path, Route route) {
    routes_[full_path] = std::move(route);
}

void Router::add_api(const std::string& path, Handler handler, bool prefix_match) {
    // The original server answers at the root (its proxy adds the prefix, PROTOCOL.md 0): the same
    // routes answer there too, so a client of either layout works. A root route of ours wins; a
    // later API route replaces an earlier one at both places (accounts over the anonymous ones).
    if (!api_prefix_.empty()) {
        auto it = routes_.find(path);
        if (it == routes_.end() || it->second.mirror) {
            add(path, Route{handler, prefix_match, path, false, true});
        }
    }
    add(api_prefix_ + path, Route{std::move(handler), prefix_match, path, true, false});
}

void Router::add_root(const std::string& path, Handler handler, bool prefix_match) {
    add(path, Route{std::move(handler), prefix_match, path, false, false});
}

RoutedResponse Router::handle(const Request& req, RequestContext& ctx) const {
    if (!split_target(req.target(), ctx.path, ctx.query)) {
        return RoutedResponse(
            json_error(http::status::bad_request, req.version(), false, "bad request target"));
    }
    // Exact match first, then the longest prefix match (the map is in descending order, so the
    // first prefix route found below the path is the longest one).
    const Route* found = nullptr;
    if (auto it = routes_.find(ctx.path); it != routes_.end()) {
        found = &it->second;
        ctx.route = found->api_relative;
    } else {
        for (auto it2 = routes_.lower_bound(ctx.path); it2 != routes_.end(); ++it2) {
            const auto& [p, route] = *it2;
            if (route.prefix_match && ctx.path.starts_with(p) &&
                (p.ends_with('/') || ctx.path.size() == p.size() || ctx.path[p.size()] == '/')) {
                found = &route;
                ctx.route = route.is_api ? ctx.path.substr(api_prefix_.size()) : ctx.path;
                break;
            }
        }
    }
    if (found != nullptr) {
        auto res = found->handler(req, ctx);
        if (inject_cors_) {
            add_allow_all_cors(res);
        }
        return respond_to(req.method(), std::move(res));
    }
    const auto under = [&](const std::string& p) {
        return ctx.path == p || ctx.path.starts_with(p + "/");
    };
    const bool in_api = (!api_prefix_.empty() && under(api_prefix_)) ||
                        std::any_of(reserved_.begin(), reserved_.end(), under);
    if (static_ && !in_api) {
        return static_->serve(req, ctx.path, inject_cors_);
    }
    auto res = not_found_json_ ? json_error(http::status::not_found, req.version(),
                                            req.keep_alive(), *not_found_json_)
                               : go_not_found(req.version(), req.keep_alive());
    if (inject_cors_) {
        add_allow_all_cors(res);
    }
    return respond_to(req.method(), std::move(res));
}

} // namespace tincan::server
