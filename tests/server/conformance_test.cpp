// Black-box checks of the server against the original's behaviour (PROTOCOL.md sections 1, 2
// and 9) where a client of the original could tell the difference.
#include "test_client.hpp"

#include <gtest/gtest.h>
#include <regex>

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

TEST(Conformance, AWsPathWithATrailingSlashIsASubtreeAsGosServeMuxTakesIt) {
    // The original hands --ws-path to ServeMux.Handle as it is: "/ws/" is a subtree pattern that
    // serves every path below it, and "/ws" gets 301 to "/ws/" (query kept), upgrade or not.
    TestServer server([](auto& c) { c.ws_path = "/ws/"; });
    for (const char* path : {"/api/ws/", "/ws/", "/api/ws/sub?x=1", "/ws/a/b"}) {
        WsClient::Options options;
        options.path = path;
        EXPECT_TRUE(WsClient(server.port(), options).connected()) << path;
    }
    const std::pair<const char*, const char*> redirected[] = {
        {"/api/ws?x=1", "/api/ws/?x=1"}, {"/ws", "/ws/"}, {"/api/ws/./a", "/api/ws/a"}};
    for (const auto& [path, location] : redirected) {
        auto res = http_get(server.port(), path, "GET", upgrade_headers);
        EXPECT_EQ(res.status, 301U) << path;
        EXPECT_EQ(res.headers["Location"], location) << path;
    }
    // Below it, a request without an upgrade is the WebSocket library's 400.
    EXPECT_EQ(http_get(server.port(), "/api/ws/a").status, 400U);
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

TEST(Conformance, APingWithMinusZeroInAnUnsignedFieldIsRefusedAsGoFailsToDecodeIt) {
    // The echo numbers are Go uint64s: strconv.ParseUint refuses `-0`, so the original drops the
    // frame as any other it cannot decode (PROTOCOL.md 1.2): no pong, our `error` reply.
    TestServer server;
    WsClient c(server.port());
    for (const char* field : {"server_timestamp", "timestamp", "seq_id"}) {
        c.send(std::string(R"({"echo":{"direction":"ping","correlation_id":"z",")") + field +
               R"(":-0}})");
        auto err = c.next_with("error");
        ASSERT_TRUE(err) << field;
        EXPECT_EQ(err->at("error").at("code"), "wrong_type") << field;
    }
    EXPECT_TRUE(c.round_trip());
    EXPECT_EQ(c.pending(), 0U);
    // `-0` in the signed colour index of a rename is 0 there, as Go's ParseInt reads it.
    c.register_as("zero");
    c.send(R"({"rename":{"new_preference":{"name":"zero","indexOfPreferColor":-0}}})");
    auto rename = c.next_with("rename");
    ASSERT_TRUE(rename);
    EXPECT_EQ(rename->at("rename").at("new_preference").at("indexOfPreferColor"), 0);
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

TEST(Conformance, JsonBodiesEndWithANewlineAsGosJsonEncoderWritesThem) {
    // The original writes every JSON body with json.NewEncoder(w).Encode, which ends it with a
    // newline (PROTOCOL.md 2.2): /conns, the account routes and their {"err":...} answers.
    TestServer server;
    WsClient c(server.port());
    c.register_as("listed");
    for (const char* path : {"/conns", "/api/conns", "/api/profile/status", "/profile",
                             "/api/profile?username=nobody", "/api/profile/avatar"}) {
        const auto res = http_get(server.port(), path);
        ASSERT_FALSE(res.body.empty()) << path;
        EXPECT_EQ(res.body.back(), '\n') << path;
        EXPECT_TRUE(json::parse(res.body).is_object()) << path;
    }
    EXPECT_EQ(http_get(server.port(), "/api/profile").body, "{\"err\":\"Unauthorized\"}\n");
}

TEST(Conformance, JsonBodiesAreHtmlSafeAsGosJsonEncoderWritesThem) {
    // Go's encoding/json writes <, >, & in strings as \u003c, \u003e, \u0026.
    TestServer server;
    WsClient c(server.port());
    const auto id = c.register_as("<b>&amp;");
    const auto conns = http_get(server.port(), "/api/conns").body;
    EXPECT_NE(conns.find(R"("node_name":"\u003cb\u003e\u0026amp;")"), std::string::npos) << conns;
    EXPECT_EQ(json::parse(conns).at(id).at("node_name"), "<b>&amp;");
}

TEST(Conformance, WithInjectedCorsHeadersAnOptionsRequestGoesToItsRoute) {
    // PROTOCOL.md 2.3: the original's CORS middleware adds its headers and passes every request
    // on, OPTIONS too: the route answers (no preflight handling of its own).
    TestServer cors([](auto& c) { c.inject_allow_all_cors_headers = true; });
    for (const char* path : {"/conns", "/api/conns"}) {
        const auto res = http_get(cors.port(), path, "OPTIONS");
        EXPECT_EQ(res.status, 200U) << path;
        EXPECT_TRUE(json::parse(res.body).is_object()) << path;
        EXPECT_EQ(res.headers.at("Access-Control-Allow-Origin"), "*") << path;
        EXPECT_EQ(res.headers.at("Access-Control-Allow-Methods"), "GET, POST, PUT, DELETE, OPTIONS")
            << path;
    }
    // The original's /logout answers any method with 200 and no body: a browser's preflight
    // before its cross-origin POST passes (ours logs out by POST only).
    for (const char* path : {"/logout", "/api/logout"}) {
        const auto res = http_get(
            cors.port(), path, "OPTIONS",
            {{"Origin", "https://elsewhere.example"}, {"Access-Control-Request-Method", "POST"}});
        EXPECT_EQ(res.status, 200U) << path;
        EXPECT_EQ(res.body, "") << path;
        EXPECT_EQ(res.headers.at("Access-Control-Allow-Origin"), "*") << path;
    }
    const auto unknown = http_get(cors.port(), "/api/nothing", "OPTIONS");
    EXPECT_EQ(unknown.status, 404U);
    EXPECT_EQ(unknown.body, "404 page not found\n");
    EXPECT_EQ(unknown.headers.at("Access-Control-Allow-Origin"), "*");
    // Without the flag the same, minus the headers.
    TestServer plain;
    const auto res = http_get(plain.port(), "/conns", "OPTIONS");
    EXPECT_EQ(res.status, 200U);
    EXPECT_EQ(res.headers.count("Access-Control-Allow-Origin"), 0U);
}

TEST(Conformance, AnAbsoluteFormTargetIsRoutedByItsPathAndItsHostIsTheRequestsHost) {
    // RFC 7230 5.3.2, as Go's net/http reads it: routed by path and query, and r.Host is the
    // URL's host (the Host header is ignored), also for the upgrade's origin check.
    TestServer server([](auto& c) { c.allowed_origins = {"https://chat.example.org"}; });
    const auto self = "127.0.0.1:" + std::to_string(server.port());
    const auto conns = http_get(server.port(), "http://" + self + "/conns");
    EXPECT_EQ(conns.status, 200U);
    EXPECT_TRUE(json::parse(conns.body).is_object());
    const auto status = http_get(server.port(), "http://" + self + "/api/profile/status?x=1");
    EXPECT_EQ(status.status, 200U);
    EXPECT_EQ(json::parse(status.body), json::parse(R"({"logged_in":false})"));
    auto unclean = http_get(server.port(), "http://" + self + "/api//conns?x=1");
    EXPECT_EQ(unclean.status, 301U);
    EXPECT_EQ(unclean.headers["Location"], "/api/conns?x=1");
    EXPECT_EQ(http_get(server.port(), "http://" + self + "/api/nothing").status, 404U);

    WsClient::Options via_url;
    via_url.path = "http://" + self + "/api/ws";
    via_url.host = "elsewhere.example";
    // The page's own origin is the URL's host, not the Host header's.
    via_url.origin = "http://elsewhere.example";
    EXPECT_EQ(WsClient(server.port(), via_url).refused_status(), 403U);
    via_url.origin = "http://" + self;
    EXPECT_TRUE(WsClient(server.port(), via_url).connected());
    via_url.origin = "https://chat.example.org";
    EXPECT_TRUE(WsClient(server.port(), via_url).connected());
}

TEST(Conformance, AUrlTargetWithAnEmptyPathIsRedirectedToTheRootAsGoRoutesIt) {
    // Go's url.ParseRequestURI takes an opaque URL (`http:foo`) and a URL without a path
    // (`http://host`), both with an empty path, which its ServeMux cleans to `/` and redirects
    // there with 301, query kept. A target it cannot read (neither a path nor a URL with a
    // scheme) is its plain 400, before the Host check.
    TestServer server;
    const auto self = "127.0.0.1:" + std::to_string(server.port());
    const std::pair<std::string, const char*> redirected[] = {
        {"http:foo", "/"},        {"http:foo?x=1", "/?x=1"}, {"mailto:a@b.example", "/"},
        {"HTTP:", "/"},           {"http://" + self, "/"},   {"http://" + self + "?x=1", "/?x=1"},
        {"a1+-.:b/c?q?", "/?q?"},
    };
    for (const auto& [target, location] : redirected) {
        auto res = http_get(server.port(), target);
        EXPECT_EQ(res.status, 301U) << target;
        EXPECT_EQ(res.headers["Location"], location) << target;
    }
    for (const std::string target : {"foo", "?x=1", "1http:foo", ":foo", "a_b:c"}) {
        for (const std::string host : {"Host: a\r\n", ""}) {
            auto res = http_raw(server.port(), "GET " + target + " HTTP/1.1\r\n" + host + "\r\n");
            EXPECT_EQ(res.status, 400U) << target;
            EXPECT_EQ(res.body, "400 Bad Request") << target;
            EXPECT_EQ(res.headers["Connection"], "close") << target;
        }
    }
}

TEST(Conformance, ARefusedUpgradeHasTheBodyAndHeadersOfGorillasHttpError) {
    // gorilla/websocket refuses with http.Error(w, http.StatusText(status), status); the reason
    // is only in our log.
    TestServer server([](auto& c) { c.allowed_origins = {"https://chat.example.org"}; });
    auto foreign = upgrade_headers;
    foreign["Origin"] = "https://evil.example";
    auto old_version = upgrade_headers;
    old_version["Sec-WebSocket-Version"] = "12";
    const std::tuple<const char*, std::map<std::string, std::string>, unsigned, const char*>
        cases[] = {
            {"GET", foreign, 403U, "Forbidden\n"},
            {"GET", old_version, 400U, "Bad Request\n"},
            {"POST", upgrade_headers, 405U, "Method Not Allowed\n"},
            {"GET", {}, 400U, "Bad Request\n"},
        };
    for (const auto& [method, headers, status, body] : cases) {
        auto res = http_get(server.port(), "/api/ws", method, headers);
        EXPECT_EQ(res.status, status) << body;
        EXPECT_EQ(res.body, body);
        EXPECT_EQ(res.headers["Content-Type"], "text/plain; charset=utf-8") << body;
        EXPECT_EQ(res.headers["X-Content-Type-Options"], "nosniff") << body;
        EXPECT_EQ(res.headers["Sec-WebSocket-Version"], "13") << body;
    }
}

TEST(Conformance, ResponsesCarryTheDateAsGosServerStampsThem) {
    // Go's net/http adds Date (http.TimeFormat, GMT) to every response a handler writes: routes,
    // its mux's 404 and 301, refused upgrades. Its own answers to unreadable requests have none.
    TestServer server;
    const std::regex date(R"([A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT)");
    auto foreign = upgrade_headers;
    foreign["Origin"] = "https://evil.example";
    const std::pair<const char*, std::map<std::string, std::string>> cases[] = {
        {"/api/conns", {}}, {"/api/nothing", {}}, {"/api//conns", {}},
        {"/api/ws", {}},    {"/api/ws", foreign}, {"/api/profile", {}}};
    for (const auto& [path, headers] : cases) {
        auto res = http_get(server.port(), path, "GET", headers);
        EXPECT_TRUE(std::regex_match(res.headers["Date"], date))
            << path << " " << res.status << ": '" << res.headers["Date"] << "'";
    }
    auto star =
        http_raw(server.port(), "OPTIONS * HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
    EXPECT_TRUE(std::regex_match(star.headers["Date"], date));
    auto unreadable =
        http_raw(server.port(), "GET /api/conns HTTP/1.1\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(unreadable.status, 400U);
    EXPECT_EQ(unreadable.headers.count("Date"), 0U);
}

TEST(Conformance, TargetsAreReadAsGosUrlPackageReadsThem) {
    // Go takes a request's query as it is and reads it pair by pair (url.ParseQuery drops a pair
    // with ';' or a bad escape); it refuses only a path with a bad escape, with its plain 400.
    TestServer server;
    for (const char* path : {"/api/conns?x=[1]", "/api/conns?x=%zz", "/conns?a=|&b={\"}^`"}) {
        EXPECT_EQ(http_get(server.port(), path).status, 200U) << path;
    }
    const std::pair<const char*, unsigned> profiles[] = {
        {"/api/profile?username=a|b", 404U},      // a name, nobody's
        {"/api/profile?username=nobody;x", 401U}, // the pair is dropped: no name
        {"/api/profile?username=%zz&username=nobody", 404U},
        {"/api/profile?username=%zz", 401U},
        {"/api/profile?x=1&username=no+body", 404U},
    };
    for (const auto& [path, status] : profiles) {
        EXPECT_EQ(http_get(server.port(), path).status, status) << path;
    }
    // A '#' is part of the path in a request.
    EXPECT_EQ(http_get(server.port(), "/api/conns#top").body, "404 page not found\n");
    for (const char* path : {"/api/conns%zz", "/api/conns%2", "/api/x%G0?a=b"}) {
        auto bad =
            http_raw(server.port(), "GET " + std::string(path) + " HTTP/1.1\r\nHost: a\r\n\r\n");
        EXPECT_EQ(bad.status, 400U) << path;
        EXPECT_EQ(bad.body, "400 Bad Request") << path;
        EXPECT_EQ(bad.headers["Connection"], "close") << path;
    }
}

TEST(Conformance, RequestsGosServerAnswersItselfGetItsAnswers) {
    // Go's net/http answers these before any handler of the original runs.
    TestServer server;
    // An HTTP/1.1 request needs exactly one Host header (RFC 9112 3.2); HTTP/1.0 may leave it out.
    const std::pair<const char*, const char*> refused[] = {
        {"GET /api/conns HTTP/1.1\r\nConnection: close\r\n\r\n",
         "400 Bad Request: missing required Host header"},
        {"GET http://127.0.0.1/api/conns HTTP/1.1\r\nConnection: close\r\n\r\n",
         "400 Bad Request: missing required Host header"},
        {"GET /api/conns HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
         "400 Bad Request: too many Host headers"},
        {"GET /api/conns HTTP/1.1\r\nHost: a\r\nX: \x01\r\n\r\n", "400 Bad Request"},
    };
    // Go writes them raw, outside its handlers and the original's middleware: Content-Type and
    // Connection only, the body ending at the close.
    TestServer cors([](auto& c) { c.inject_allow_all_cors_headers = true; });
    for (const auto& [request, body] : refused) {
        auto res = http_raw(cors.port(), request);
        EXPECT_EQ(res.status, 400U) << request;
        EXPECT_EQ(res.body, body) << request;
        EXPECT_EQ(res.headers["Content-Type"], "text/plain; charset=utf-8") << request;
        EXPECT_EQ(res.headers["Connection"], "close") << request;
        for (const char* absent : {"Content-Length", "Server", "Access-Control-Allow-Origin"}) {
            EXPECT_EQ(res.headers.count(absent), 0U) << request << absent;
        }
    }
    EXPECT_EQ(http_raw(server.port(), "GET /api/conns HTTP/1.0\r\n\r\n").status, 200U);
    // The upgrade is one of those requests too: no Host, no WebSocket.
    const auto ws = http_raw(server.port(), "GET /api/ws HTTP/1.1\r\nConnection: Upgrade\r\n"
                                            "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
                                            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
    EXPECT_EQ(ws.status, 400U);
    // `OPTIONS *` is the server's own: 200 with no body, whatever the routes.
    auto star = http_raw(server.port(), "OPTIONS * HTTP/1.1\r\nHost: a\r\nConnection: "
                                        "close\r\n\r\n");
    EXPECT_EQ(star.status, 200U);
    EXPECT_EQ(star.headers["Content-Length"], "0");
    EXPECT_EQ(http_raw(server.port(), "GET * HTTP/1.1\r\nHost: a\r\n\r\n").status, 400U);
}

/// An upgrade request written as it is and the server's response, its connection kept open.
struct RawUpgrade {
    boost::asio::io_context ioc;
    boost::beast::tcp_stream stream{ioc};
    boost::beast::flat_buffer buffer;
    boost::beast::http::response<boost::beast::http::string_body> res;

    /// `GET /api/ws HTTP/1.<minor>`, then `headers` and the upgrade's own headers.
    RawUpgrade(unsigned short port, char minor, const std::string& headers) {
        stream.connect({boost::asio::ip::make_address("127.0.0.1"), port});
        stream.expires_after(5s);
        boost::asio::write(
            stream,
            boost::asio::buffer(std::string("GET /api/ws HTTP/1.") + minor + "\r\n" + headers +
                                "Connection: Upgrade\r\nUpgrade: websocket\r\n"
                                "Sec-WebSocket-Version: 13\r\n"
                                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"));
        boost::beast::http::read(stream, buffer, res);
    }
};

TEST(Conformance, AnHttp10UpgradeIsAcceptedAsGorillaTestsNoHttpVersion) {
    // Go's net/http serves HTTP/1.0 (which may leave Host out) and gorilla's Upgrader tests no
    // HTTP version: the original answers 101, as HTTP/1.1, and the WebSocket works.
    namespace asio = boost::asio;
    namespace beast = boost::beast;
    TestServer server;
    for (const std::string host : {"Host: 127.0.0.1\r\n", ""}) {
        SCOPED_TRACE(host);
        RawUpgrade up(server.port(), '0', host);
        auto& [ioc, stream, buffer, res] = up;
        ASSERT_EQ(res.result_int(), 101U);
        EXPECT_EQ(res.version(), 11U);
        EXPECT_EQ(res["Sec-WebSocket-Accept"], "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
        // A ping in a masked text frame (mask 0) gets its pong.
        const std::string ping = R"({"echo":{"direction":"ping","correlation_id":"http10"}})";
        std::string frame{'\x81', static_cast<char>(0x80 | ping.size()), 0, 0, 0, 0};
        asio::write(stream, asio::buffer(frame + ping));
        std::string received = beast::buffers_to_string(buffer.data());
        beast::error_code ec;
        while (!ec && received.find("http10") == std::string::npos) {
            char chunk[512];
            received.append(chunk, stream.read_some(asio::buffer(chunk), ec));
        }
        EXPECT_NE(received.find(R"("direction":"pong")"), std::string::npos) << ec.message();
    }
}

TEST(Conformance, AnHttp10UpgradeIsRefusedInHttp10AsGosServerWritesIt) {
    // Go writes a response's status line in the request's version: gorilla's refusal of an
    // HTTP/1.0 upgrade (here a foreign origin) is "HTTP/1.0 403 Forbidden".
    TestServer server;
    for (const unsigned version : {10U, 11U}) {
        SCOPED_TRACE(version);
        const RawUpgrade up(server.port(), static_cast<char>('0' + version % 10),
                            "Host: 127.0.0.1\r\nOrigin: https://evil.example\r\n");
        EXPECT_EQ(up.res.result_int(), 403U);
        EXPECT_EQ(up.res.version(), version);
    }
}

TEST(Conformance, TheChallengeKeyAndVersionAreCheckedAsGorillaChecksThem) {
    // gorilla/websocket refuses a Sec-WebSocket-Key that is not the base64 of 16 bytes with its
    // http.Error 400 (after the origin check), and takes a version list that holds 13.
    TestServer server([](auto& c) { c.allowed_origins = {"https://chat.example.org"}; });
    for (const std::string key : {"", "abc", "dGhlIHNhbXBsZSBub25jZQ", "dGhlIHNhbXBsZSBub25jZQ=",
                                  "dGhlIHNhbXBsZSBub25jZQ===", "dGhlIHNhbXBsZSBub25j*Q==",
                                  "dGhlIHNhbXBsZSBub25jZQ==dGhlIHNhbXBsZSBub25jZQ=="}) {
        auto headers = upgrade_headers;
        if (key.empty()) {
            headers.erase("Sec-WebSocket-Key");
        } else {
            headers["Sec-WebSocket-Key"] = key;
        }
        auto res = http_get(server.port(), "/api/ws", "GET", headers);
        EXPECT_EQ(res.status, 400U) << key;
        EXPECT_EQ(res.body, "Bad Request\n") << key;
        EXPECT_EQ(res.headers["Content-Type"], "text/plain; charset=utf-8") << key;
        EXPECT_EQ(res.headers["Sec-WebSocket-Version"], "13") << key;
        // The origin is checked first.
        headers["Origin"] = "https://evil.example";
        EXPECT_EQ(http_get(server.port(), "/api/ws", "GET", headers).status, 403U) << key;
    }
    auto other_key = upgrade_headers;
    other_key["Sec-WebSocket-Key"] = "AAAAAAAAAAAAAAAAAAAAAB==";
    EXPECT_EQ(http_get(server.port(), "/api/ws", "GET", other_key).status, 101U);
    WsClient::Options version_list;
    version_list.headers["Sec-WebSocket-Version"] = "8, 13";
    WsClient listed(server.port(), version_list);
    ASSERT_TRUE(listed.connected());
    EXPECT_FALSE(listed.register_as("listed").empty());
}
