#include "router.hpp"

#include "go_url.hpp"
#include "responses.hpp"

#include <algorithm>
#include <boost/url/parse.hpp>
#include <cctype>

namespace tincan::server {

namespace http = boost::beast::http;

bool split_target(std::string_view target, std::string& path, std::string& query) {
    // As Go's url.ParseRequestURI reads a request's target: the path up to the first '?' (a '#'
    // is part of it), whose escapes must be valid, and the query after it as it is, read pair
    // by pair later (go_query_get). An empty path is what to_origin_form leaves of a URL
    // without one.
    const auto q = target.find('?');
    const auto raw_path = target.substr(0, q);
    if ((!raw_path.empty() && !raw_path.starts_with('/')) || !go_unescape(raw_path, false)) {
        return false;
    }
    path = std::string(raw_path);
    query = q == std::string_view::npos ? std::string() : std::string(target.substr(q + 1));
    return true;
}

namespace {

// Go's getScheme: the index of the `:` after a scheme (a letter, then letters, digits, `+`, `-`,
// `.`), or npos when the target does not start with one.
std::size_t scheme_end(std::string_view target) {
    for (std::size_t i = 0; i < target.size(); ++i) {
        const auto c = static_cast<unsigned char>(target[i]);
        if (std::isalpha(c) != 0 ||
            (i > 0 && (std::isdigit(c) != 0 || c == '+' || c == '-' || c == '.'))) {
            continue;
        }
        return c == ':' && i > 0 ? i : std::string_view::npos;
    }
    return std::string_view::npos;
}

} // namespace

bool to_origin_form(Request& req) {
    const auto target = req.target();
    if (target.starts_with('/')) {
        // url.ParseRequestURI refuses a path with a bad escape (`/conns%zz`): Go's plain 400.
        return go_unescape(target.substr(0, target.find('?')), false).has_value();
    }
    // CONNECT's authority form is Go's own case (not routed as a URL): left as it is.
    if (target == "*" || req.method() == http::verb::connect) {
        return true;
    }
    const auto colon = scheme_end(target);
    if (colon == std::string_view::npos) {
        return false; // url.ParseRequestURI: "invalid URI for request"
    }
    const auto rest = target.substr(colon + 1);
    if (!rest.starts_with('/')) {
        // A rootless ("opaque") URL such as `http:foo`: Go's url.ParseRequestURI takes it, with an
        // empty path, which its ServeMux redirects to `/` (query kept).
        const auto q = rest.find('?');
        req.target(q == std::string_view::npos ? std::string() : std::string(rest.substr(q)));
        return true;
    }
    auto parsed = boost::urls::parse_absolute_uri(target);
    if (!parsed) {
        return true; // left as it is: the router refuses it
    }
    // Go's readRequest: r.Host is the URL's host, the Host header only when the URL has none.
    if (!parsed->encoded_host_and_port().empty()) {
        req.set(http::field::host, parsed->encoded_host_and_port());
    }
    // An empty path (`http://host`) stays empty, as in Go's URL: the router sends it to `/`.
    std::string origin_form(parsed->encoded_path());
    if (parsed->has_query()) {
        origin_form += '?';
        origin_form += parsed->encoded_query();
    }
    req.target(origin_form);
    return true;
}

std::string clean_path(std::string_view path) {
    // Go's path.Clean over the segments, with the trailing slash kept (net/http cleanPath).
    std::vector<std::string_view> kept;
    std::size_t start = 0;
    while (start <= path.size()) {
        auto end = path.find('/', start);
        if (end == std::string_view::npos) {
            end = path.size();
        }
        const auto segment = path.substr(start, end - start);
        if (segment == "..") {
            if (!kept.empty()) {
                kept.pop_back();
            }
        } else if (!segment.empty() && segment != ".") {
            kept.push_back(segment);
        }
        start = end + 1;
    }
    std::string out;
    for (const auto segment : kept) {
        out += '/';
        out += segment;
    }
    if (out.empty() || (path.ends_with('/') && !path.empty())) {
        out += '/';
    }
    if (out == "//") {
        out = "/";
    }
    return out;
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
    // Go's ServeMux sends a path with `.`, `..` or `//` segments to its clean form first.
    if (auto clean = clean_path(ctx.path); clean != ctx.path) {
        return redirect(req, clean + (ctx.query.empty() ? "" : "?" + ctx.query));
    }
    // Exact match first, then the longest prefix match (the map is in descending order, so the
    // first prefix route found below the path is the longest one).
    const Route* found = nullptr;
    if (auto it = routes_.find(ctx.path); it != routes_.end()) {
        found = &it->second;
        ctx.route = found->api_relative;
    } else if (auto sub = routes_.find(ctx.path + "/");
               sub != routes_.end() && sub->second.prefix_match) {
        // Go's ServeMux: a subtree route ("/github/login/") answers its path without the slash
        // with a permanent redirect to it, query kept (PROTOCOL.md 2.2).
        return redirect(req, ctx.path + "/" + (ctx.query.empty() ? "" : "?" + ctx.query));
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
    // The plain text 404 of the original's Go mux (PROTOCOL.md 2.2).
    auto res = go_not_found(req.version(), req.keep_alive());
    if (inject_cors_) {
        add_allow_all_cors(res);
    }
    return respond_to(req.method(), std::move(res));
}

RoutedResponse Router::redirect(const Request& req, const std::string& location) const {
    auto res = go_redirect(req, location);
    if (inject_cors_) {
        add_allow_all_cors(res);
    }
    return respond_to(req.method(), std::move(res));
}

} // namespace tincan::server
