#pragma once
// Helpers shared by the accounts HTTP handlers: JSON/error responses and query parameters.

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tincan::server {

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;
using HttpResponse = boost::beast::http::response<boost::beast::http::string_body>;

HttpResponse json_response(const HttpRequest& req, boost::beast::http::status status,
                           const boost::json::value& body);
// `{"err": message}` as the original.
HttpResponse error_response(const HttpRequest& req, boost::beast::http::status status,
                            std::string_view message);
HttpResponse empty_response(const HttpRequest& req, boost::beast::http::status status);
HttpResponse redirect_response(const HttpRequest& req, std::string_view location);

// Value of query parameter `key` of the request target, if present, as the original's
// r.URL.Query().Get(key) reads it (http/go_url.hpp).
std::optional<std::string> query_param(std::string_view target, std::string_view key);
// `base` with the query `k=v&...` in Go's url.Values.Encode form (keys sorted, everything but
// A-Z a-z 0-9 - _ . ~ percent-encoded, space as '+'), as the original builds its login redirects.
std::string url_with_query(std::string_view base,
                           std::vector<std::pair<std::string_view, std::string_view>> params);
// The request target's path without query.
std::string_view target_path(std::string_view target);
// ASCII lower case (header values, schemes, hosts, domains).
std::string ascii_lower(std::string_view s);

} // namespace tincan::server
