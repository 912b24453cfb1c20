#include "auth/http_client.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/url/parse.hpp>

#include <openssl/ssl.h>

namespace tincan::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

struct Target {
    bool tls = false;
    std::string host;
    std::string port;
    std::string host_header;
    std::string path;
};

bool is_private(const asio::ip::address& a) {
    if (a.is_loopback() || a.is_unspecified() || a.is_multicast()) {
        return true;
    }
    if (a.is_v6()) {
        auto v6 = a.to_v6();
        if (v6.is_v4_mapped()) {
            return is_private(asio::ip::make_address_v4(asio::ip::v4_mapped, v6));
        }
        auto b = v6.to_bytes();
        return v6.is_link_local() || v6.is_site_local() || (b[0] & 0xfe) == 0xfc;
    }
    auto b = a.to_v4().to_bytes();
    return b[0] == 0 || b[0] == 10 || b[0] == 127 || (b[0] == 169 && b[1] == 254) ||
           (b[0] == 172 && (b[1] & 0xf0) == 16) || (b[0] == 192 && b[1] == 168) ||
           (b[0] == 100 && (b[1] & 0xc0) == 64) || b[0] >= 224;
}

AuthResult<Target> parse_target(const std::string& url, bool allow_http) {
    auto u = boost::urls::parse_uri(url);
    if (!u) {
        return auth_error(AuthErrc::invalid_input, "invalid URL");
    }
    Target t;
    if (u->scheme() == "https") {
        t.tls = true;
    } else if (u->scheme() != "http" || !allow_http) {
        return auth_error(AuthErrc::invalid_input, "URL scheme not allowed");
    }
    if (u->has_userinfo()) {
        return auth_error(AuthErrc::invalid_input, "URL with credentials not allowed");
    }
    t.host = std::string(u->host_address());
    if (t.host.empty()) {
        return auth_error(AuthErrc::invalid_input, "URL has no host");
    }
    t.port = u->has_port() ? std::string(u->port()) : (t.tls ? "443" : "80");
    t.host_header = std::string(u->encoded_host_and_port());
    t.path = std::string(u->encoded_path());
    if (t.path.empty()) {
        t.path = "/";
    }
    if (u->has_query()) {
        t.path += "?" + std::string(u->encoded_query());
    }
    return t;
}

AuthError map_error(const boost::system::error_code& ec, const char* stage) {
    if (ec == beast::error::timeout || ec == asio::error::operation_aborted) {
        return auth_error(AuthErrc::timeout, std::string("timeout during ") + stage);
    }
    if (ec == http::error::body_limit || ec == http::error::header_limit ||
        ec == http::error::buffer_overflow) {
        return auth_error(AuthErrc::too_large, "response too large");
    }
    return auth_error(AuthErrc::upstream, std::string(stage) + ": " + ec.message());
}

template <class Stream>
asio::awaitable<AuthResult<HttpReply>>
exchange(Stream& stream, http::request<http::string_body> req, std::size_t max_body) {
    auto [wec, wn] = co_await http::async_write(stream, req, use_tuple);
    if (wec) {
        co_return map_error(wec, "write");
    }
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(max_body);
    parser.header_limit(16 * 1024);
    auto [rec, rn] = co_await http::async_read(stream, buffer, parser, use_tuple);
    if (rec) {
        co_return map_error(rec, "read");
    }
    auto& res = parser.get();
    HttpReply reply;
    reply.status = res.result_int();
    reply.content_type = std::string(res[http::field::content_type]);
    reply.body = std::move(res.body());
    for (const auto& f : res) {
        reply.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
    }
    co_return reply;
}

asio::awaitable<AuthResult<HttpReply>> run_fetch(const HttpClientOptions& options,
                                                 asio::ssl::context& tls, Target target,
                                                 http::request<http::string_body> req,
                                                 std::chrono::steady_clock::time_point deadline) {
    auto ex = co_await asio::this_coro::executor;
    tcp::resolver resolver(ex);
    auto [ec, results] = co_await resolver.async_resolve(target.host, target.port, use_tuple);
    if (ec) {
        co_return map_error(ec, "resolve");
    }
    std::vector<tcp::endpoint> endpoints;
    for (const auto& r : results) {
        if (!options.block_private_addresses || !is_private(r.endpoint().address())) {
            endpoints.push_back(r.endpoint());
        }
    }
    if (endpoints.empty()) {
        co_return auth_error(AuthErrc::invalid_input, "host resolves to no allowed address");
    }
    if (!target.tls) {
        beast::tcp_stream stream(ex);
        stream.expires_at(deadline);
        auto [cec, ep] = co_await stream.async_connect(endpoints, use_tuple);
        if (cec) {
            co_return map_error(cec, "connect");
        }
        co_return co_await exchange(stream, std::move(req), options.max_body_bytes);
    }
    beast::ssl_stream<beast::tcp_stream> stream(ex, tls);
    if (!SSL_set_tlsext_host_name(stream.native_handle(), target.host.c_str())) {
        co_return auth_error(AuthErrc::upstream, "cannot set SNI");
    }
    stream.set_verify_callback(asio::ssl::host_name_verification(target.host));
    beast::get_lowest_layer(stream).expires_at(deadline);
    auto [cec, ep] = co_await beast::get_lowest_layer(stream).async_connect(endpoints, use_tuple);
    if (cec) {
        co_return map_error(cec, "connect");
    }
    auto [hec] = co_await stream.async_handshake(asio::ssl::stream_base::client, use_tuple);
    if (hec) {
        co_return map_error(hec, "TLS handshake");
    }
    co_return co_await exchange(stream, std::move(req), options.max_body_bytes);
}

} // namespace

std::string HttpReply::header(std::string_view name) const {
    for (const auto& [k, v] : headers) {
        if (beast::iequals(k, name)) {
            return v;
        }
    }
    return {};
}

HttpClient::HttpClient(HttpClientOptions options)
    : options_(std::move(options)),
      tls_(std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client)) {
    tls_->set_default_verify_paths();
    tls_->set_verify_mode(asio::ssl::verify_peer);
    SSL_CTX_set_min_proto_version(tls_->native_handle(), TLS1_2_VERSION);
    if (!options_.extra_ca_file.empty()) {
        boost::system::error_code ec;
        tls_->load_verify_file(options_.extra_ca_file, ec);
    }
}

HttpClient::~HttpClient() = default;

AuthResult<HttpReply> HttpClient::fetch(const HttpFetch& request) const {
    auto target = parse_target(request.url, options_.allow_http);
    if (!target) {
        return target.error();
    }
    http::request<http::string_body> req{request.method, target->path, 11};
    req.set(http::field::host, target->host_header);
    req.set(http::field::user_agent, options_.user_agent);
    for (const auto& [name, value] : request.headers) {
        req.set(name, value);
    }
    req.body() = request.body;
    req.prepare_payload();

    asio::io_context ioc;
    AuthResult<HttpReply> out = auth_error(AuthErrc::timeout, "request timed out");
    auto deadline = std::chrono::steady_clock::now() + options_.timeout;
    asio::co_spawn(ioc, run_fetch(options_, *tls_, std::move(*target), std::move(req), deadline),
                   [&out](std::exception_ptr e, AuthResult<HttpReply> r) {
                       out = e ? AuthResult<HttpReply>(
                                     auth_error(AuthErrc::upstream, "internal client error"))
                               : std::move(r);
                   });
    // Backstop for the resolver, which has no deadline of its own.
    ioc.run_for(options_.timeout + std::chrono::milliseconds(200));
    return out;
}

} // namespace tincan::server
