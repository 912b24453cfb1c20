#pragma once
// Minimal blocking HTTP(S) client on Beast + OpenSSL for the few outbound calls of the accounts
// code (GitHub OAuth, avatar proxy). Each call runs on a private io_context, so call it from a
// worker thread, never from the server's I/O thread. Every call has an overall deadline and a
// response size cap; https verifies the peer against the system roots (plus an optional CA file)
// and the host name; plain http must be allowed explicitly (loopback test endpoints).

#include "auth/error.hpp"

#include <boost/beast/http/verb.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace boost::asio::ssl {
class context;
}

namespace tincan::server {

struct HttpClientOptions {
    std::chrono::milliseconds timeout{10000};
    std::size_t max_body_bytes = 1024 * 1024;
    bool allow_http = false;              // permit plain http:// URLs
    bool block_private_addresses = false; // refuse loopback/private/link-local peers (SSRF guard)
    std::string extra_ca_file;            // PEM file added to the system roots
    std::string user_agent = "tincan-server";
};

struct HttpFetch {
    boost::beast::http::verb method = boost::beast::http::verb::get;
    std::string url;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
};

struct HttpReply {
    unsigned status = 0;
    std::string content_type;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers; // all response headers, in order

    // First header named `name` (case-insensitive), or empty.
    std::string header(std::string_view name) const;
};

class HttpClient {
public:
    explicit HttpClient(HttpClientOptions options);
    ~HttpClient();
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    // Performs one request; redirects are not followed. Errors: invalid_input (URL, scheme,
    // blocked address), timeout, too_large, upstream (connect/TLS/protocol failure).
    AuthResult<HttpReply> fetch(const HttpFetch& request) const;

    const HttpClientOptions& options() const { return options_; }

private:
    HttpClientOptions options_;
    std::unique_ptr<boost::asio::ssl::context> tls_;
};

} // namespace tincan::server
