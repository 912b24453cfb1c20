#pragma once

#include "../server_context.hpp"
#include "responses.hpp"
#include "static_files.hpp"

#include <boost/beast/http/message_generator.hpp>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace tincan::server {

/// What a handler knows about a request besides the request itself.
struct RequestContext {
    std::string remote; ///< peer address ("unix" on the management socket)
    std::string path;   ///< percent-encoded path of the target, without the query
    std::string query;  ///< percent-encoded query, without '?'
    std::string route;  ///< the path relative to the API prefix (or the full path)
};

/// Maps request paths to handlers: root routes (/healthz, ...), API routes below the API prefix,
/// then the web app's static files.
class Router {
public:
    using Handler = std::function<StringResponse(const Request&, RequestContext&)>;

    explicit Router(std::string api_prefix = "");

    /// `path` is relative to the API prefix, e.g. "/conns". With `prefix_match` every path
    /// below it matches too (longest prefix wins).
    void add_api(const std::string& path, Handler handler, bool prefix_match = false);
    /// A route outside the API prefix, e.g. "/healthz".
    void add_root(const std::string& path, Handler handler, bool prefix_match = false);
    /// Paths at and below `path` (at the root) are the original server's even when no route of
    /// ours serves them (a login provider not configured): they get 404, never the web app.
    void reserve(const std::string& path) { reserved_.push_back(path); }
    /// Where unmatched GET requests go (the web app); without it they get the 404 below.
    void set_static(std::shared_ptr<StaticFiles> files) { static_ = std::move(files); }
    /// Adds permissive CORS headers to every API response (--inject-allow-all-cors-headers).
    void set_inject_cors(bool on) { inject_cors_ = on; }

    RoutedResponse handle(const Request& req, RequestContext& ctx) const;

    const std::string& api_prefix() const { return api_prefix_; }

private:
    struct Route {
        Handler handler;
        bool prefix_match;
        std::string api_relative; ///< set for API routes
        bool is_api;
        bool mirror; ///< an API route's copy at the root
    };
    void add(const std::string& full_path, Route route);
    /// Go's 301 to `location` (a subtree route's slash, a cleaned path).
    RoutedResponse redirect(const Request& req, const std::string& location) const;

    std::string api_prefix_;
    std::map<std::string, Route, std::greater<>> routes_; ///< reverse order: longer prefixes first
    std::shared_ptr<StaticFiles> static_;
    std::vector<std::string> reserved_;
    bool inject_cors_ = false;
};

/// Go's net/http cleanPath: `.`, `..` and empty segments resolved, the trailing slash kept.
std::string clean_path(std::string_view path);

/// An absolute-form target (`http://host/path?q`, RFC 7230 5.3.2) becomes its origin form
/// (`/path?q`) and its host the request's Host, as Go's net/http reads one. A URL whose path is
/// empty in Go (`http://host?q`, the opaque `http:foo?q`) is left as its query alone (`?q`, or
/// nothing). Other targets are left as they are. False for a target Go's url.ParseRequestURI
/// refuses: neither a path (`/...`, `*`) nor a URL with a scheme.
bool to_origin_form(Request& req);

/// Splits a request target into path and query as Go reads it: the path up to the first `?`
/// (still percent-encoded), the raw query after it. False if the path neither starts with `/` nor
/// is empty (what to_origin_form leaves of a URL without a path), or has a bad `%` escape.
bool split_target(std::string_view target, std::string& path, std::string& query);

} // namespace tincan::server
