// Outbound HTTP client: scheme policy, timeouts, size caps, private-address guard.

#include "auth/http_client.hpp"
#include "loopback_server.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace tincan::server {
namespace {

namespace http = boost::beast::http;
using namespace std::chrono_literals;
using tincan::test::make_response;
using tincan::test::Reply;
using tincan::test::Request;

class HttpClientTest : public ::testing::Test {
protected:
    tincan::test::LoopbackServer server{[](const Request& req) -> Reply {
        std::string target(req.target());
        if (target == "/slow") {
            return {make_response(req, http::status::ok, "text/plain", "late"), 3000ms};
        }
        if (target == "/big") {
            return {make_response(req, http::status::ok, "text/plain", std::string(4096, 'x'))};
        }
        return {make_response(req, http::status::ok, "text/plain",
                              std::string(req.method_string()) + " " + target + " " + req.body())};
    }};
};

TEST_F(HttpClientTest, PlainHttpOnlyWhenAllowed) {
    HttpClient strict({});
    auto r = strict.fetch({http::verb::get, server.base_url() + "/x", {}, ""});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, AuthErrc::invalid_input);

    HttpClientOptions o;
    o.allow_http = true;
    HttpClient loose(o);
    auto ok = loose.fetch({http::verb::post, server.base_url() + "/echo?q=1", {}, "body"});
    ASSERT_TRUE(ok) << ok.error().message;
    EXPECT_EQ(ok->status, 200u);
    EXPECT_EQ(ok->body, "POST /echo?q=1 body");
}

TEST_F(HttpClientTest, TimeoutEnforced) {
    HttpClientOptions o;
    o.allow_http = true;
    o.timeout = 300ms;
    HttpClient client(o);
    auto start = std::chrono::steady_clock::now();
    auto r = client.fetch({http::verb::get, server.base_url() + "/slow", {}, ""});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, AuthErrc::timeout);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
}

TEST_F(HttpClientTest, SizeCapEnforced) {
    HttpClientOptions o;
    o.allow_http = true;
    o.max_body_bytes = 1024;
    HttpClient client(o);
    auto r = client.fetch({http::verb::get, server.base_url() + "/big", {}, ""});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, AuthErrc::too_large);
}

TEST_F(HttpClientTest, PrivateAddressesBlockedWhenAsked) {
    HttpClientOptions o;
    o.allow_http = true;
    o.block_private_addresses = true;
    HttpClient client(o);
    for (std::string host : {"127.0.0.1", "localhost", "[::1]"}) {
        auto r = client.fetch({http::verb::get,
                               "http://" + host + ":" + std::to_string(server.port()) + "/x",
                               {},
                               ""});
        ASSERT_FALSE(r) << host;
        EXPECT_EQ(r.error().code, AuthErrc::invalid_input) << host;
    }
}

TEST_F(HttpClientTest, BadUrlsRefused) {
    HttpClientOptions o;
    o.allow_http = true;
    HttpClient client(o);
    for (std::string url : {"ftp://example.com/", "not a url", "file:///etc/passwd",
                            "http://user:pw@127.0.0.1/", "gopher://x"}) {
        auto r = client.fetch({http::verb::get, url, {}, ""});
        ASSERT_FALSE(r) << url;
        EXPECT_EQ(r.error().code, AuthErrc::invalid_input) << url;
    }
}

TEST_F(HttpClientTest, ConnectionRefusedIsUpstreamError) {
    HttpClientOptions o;
    o.allow_http = true;
    o.timeout = 2s;
    HttpClient client(o);
    auto r = client.fetch({http::verb::get, "http://127.0.0.1:1/x", {}, ""});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, AuthErrc::upstream);
}

} // namespace
} // namespace tincan::server
