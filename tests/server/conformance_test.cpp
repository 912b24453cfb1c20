// Black-box checks of the server against the original's behaviour (PROTOCOL.md sections 1, 2
// and 9) where a client of the original could tell the difference.
#include "test_client.hpp"

#include <gtest/gtest.h>

using namespace tincan::test;
namespace json = boost::json;

namespace {

std::uint64_t now_ms() {
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                          std::chrono::system_clock::now().time_since_epoch())
                                          .count());
}

const std::map<std::string, std::string> upgrade_headers = {
    {"Connection", "Upgrade"},
    {"Upgrade", "websocket"},
    {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="},
    {"Sec-WebSocket-Version", "13"}};

} // namespace

TEST(Conformance, NonCanonicalPathsAreRedirectedToTheirCleanFormAsGosServeMux) {
    // Go's ServeMux answers a path with `.`, `..` or empty segments with 301 to its clean form,
    // query kept, before any route sees it.
    TestServer server;
    const std::pair<const char*, const char*> cases[] = {
        {"/api//conns", "/api/conns"}, {"/api/./profile/status?x=1", "/api/profile/status?x=1"},
        {"/conns/../conns", "/conns"}, {"/api/conns/.", "/api/conns"},
        {"/api/x/../", "/api/"},
    };
    for (const auto& [path, location] : cases) {
        const auto res = http_get(server.port(), path);
        EXPECT_EQ(res.status, 301U) << path;
        EXPECT_EQ(res.headers.count("Location") ? res.headers.at("Location") : "", location)
            << path;
    }
    EXPECT_EQ(http_get(server.port(), "/api/conns").status, 200U);
}

TEST(Conformance, RefusedUpgradesAnswerAsTheOriginalsWebSocketLibrary) {
    TestServer server([](auto& c) { c.allowed_origins = {"https://chat.example.org"}; });
    // A version other than 13 is a 400 naming version 13 (gorilla/websocket; not a 426).
    WsClient::Options old_version;
    old_version.headers["Sec-WebSocket-Version"] = "12";
    WsClient v12(server.port(), old_version);
    EXPECT_EQ(v12.refused_status(), 400U);
    EXPECT_EQ(v12.refused_header("Sec-WebSocket-Version"), "13");
    // An upgrade with another method than GET is a 405.
    auto post = http_get(server.port(), "/api/ws", "POST", upgrade_headers);
    EXPECT_EQ(post.status, 405U);
    EXPECT_EQ(post.headers["Sec-WebSocket-Version"], "13");
    // A plain request (no upgrade tokens) is a 400, whatever its method.
    EXPECT_EQ(http_get(server.port(), "/api/ws", "POST").status, 400U);
    // A refused origin is a 403 that names the version too.
    WsClient::Options foreign;
    foreign.origin = "https://evil.example";
    WsClient refused(server.port(), foreign);
    EXPECT_EQ(refused.refused_status(), 403U);
    EXPECT_EQ(refused.refused_header("Sec-WebSocket-Version"), "13");
    // And the real thing still works, at the root and with a query string nobody reads.
    WsClient::Options root;
    root.path = "/ws?client=test";
    WsClient ok(server.port(), root);
    EXPECT_TRUE(ok.connected());
}

TEST(Conformance, NoOriginIsRefusedWhenDefaultCorsAllowedIsOff) {
    TestServer server([](auto& c) {
        c.default_cors_allowed = false;
        c.allowed_origins = {"https://chat.example.org"};
    });
    WsClient bot(server.port());
    EXPECT_EQ(bot.refused_status(), 403U);
    WsClient::Options listed;
    listed.origin = "https://chat.example.org";
    EXPECT_TRUE(WsClient(server.port(), listed).connected());
}

TEST(Conformance, APongCarriesEveryEchoFieldEvenWhenThePingLeftThemOut) {
    // The original's EchoPayload has no omitempty: correlation_id, server_timestamp, timestamp
    // and seq_id are always in a pong (PROTOCOL.md 1.3), also before registration.
    TestServer server;
    WsClient c(server.port());
    const auto before = now_ms();
    c.send(R"({"echo":{"direction":"ping"}})");
    auto pong = c.next_with("echo");
    ASSERT_TRUE(pong);
    const auto& echo = pong->at("echo").as_object();
    EXPECT_EQ(echo.at("direction"), "pong");
    EXPECT_EQ(echo.at("correlation_id"), "");
    EXPECT_EQ(echo.at("timestamp").to_number<std::uint64_t>(), 0U);
    EXPECT_EQ(echo.at("seq_id").to_number<std::uint64_t>(), 0U);
    const auto server_ts = echo.at("server_timestamp").to_number<std::uint64_t>();
    EXPECT_GE(server_ts, before);
    EXPECT_LE(server_ts, now_ms());
    EXPECT_TRUE(pong->at("node_id").is_string());
    // The largest unsigned 64-bit values come back unchanged.
    c.send(R"({"echo":{"direction":"ping","correlation_id":"c","timestamp":18446744073709551615,)"
           R"("seq_id":18446744073709551615,"server_timestamp":5}})");
    pong = c.next_with("echo");
    ASSERT_TRUE(pong);
    EXPECT_EQ(pong->at("echo").at("timestamp").to_number<std::uint64_t>(), UINT64_MAX);
    EXPECT_EQ(pong->at("echo").at("seq_id").to_number<std::uint64_t>(), UINT64_MAX);
    EXPECT_NE(pong->at("echo").at("server_timestamp").to_number<std::uint64_t>(), 5U);
    // A pong from the client is not answered.
    c.send(R"({"echo":{"direction":"pong","correlation_id":"p"}})");
    EXPECT_TRUE(c.round_trip());
    EXPECT_EQ(c.pending(), 0U);
}

TEST(Conformance, TheRegisterTokenIsEchoedAsSentAndOmittedWhenAbsent) {
    TestServer server;
    WsClient c(server.port());
    c.send(R"({"register":{"node_name":"","token":""}})");
    auto reply = c.next_with("register");
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->at("register").at("token"), "");
    EXPECT_EQ(reply->at("register").at("node_name"), "user0000");
    c.send(R"({"register":{"node_name":"again","token":null}})");
    reply = c.next_with("register");
    ASSERT_TRUE(reply);
    EXPECT_FALSE(reply->at("register").as_object().contains("token"));
    EXPECT_EQ(reply->at("register").at("node_name"), "again");
}
