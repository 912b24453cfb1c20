// The real server on an ephemeral port, driven by several real WebSocket clients.
#include "http/turn.hpp"
#include "test_client.hpp"

#include <arpa/inet.h>
#include <filesystem>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace tincan::test;
namespace json = boost::json;

namespace {

std::string sdp_offer(const std::string& to, const std::string& type = "offer",
                      const std::string& from = "forged-sender") {
    json::object desc{{"type", type}, {"sdp", "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n"}};
    return json::serialize(
        json::object{{"sdp_offer", json::object{{"type", type},
                                                {"offer_json", json::serialize(desc)},
                                                {"from_node_id", from},
                                                {"to_node_id", to}}}});
}

std::string ice_offer(const std::string& to, const std::string& from = "forged-sender") {
    json::object cand{{"candidate", "candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host"},
                      {"sdpMid", "0"},
                      {"sdpMLineIndex", 0}};
    return json::serialize(
        json::object{{"ice_offer", json::object{{"offer_json", json::serialize(cand)},
                                                {"from_node_id", from},
                                                {"to_node_id", to}}}});
}

// A short idle timeout, and no rate limit to get in the way of frequent frames.
std::function<void(tincan::server::Config&)> idle_timeout_of(std::chrono::milliseconds timeout) {
    return [timeout](tincan::server::Config& c) {
        c.ws_timeout = timeout;
        c.max_msgs_per_sec = 1e6;
        c.msg_burst = 1e6;
    };
}

json::object conns(unsigned short port) {
    return json::parse(http_get(port, "/api/conns").body).as_object();
}

} // namespace

TEST(Integration, TwoClientsRegisterAndRelayOfferAnswerAndIceWithServerSetSenders) {
    TestServer server;
    WsClient a(server.port());
    WsClient b(server.port());
    ASSERT_TRUE(a.connected());
    const auto id_a = a.register_as("alice");
    const auto id_b = b.register_as("bob");
    ASSERT_FALSE(id_a.empty());
    ASSERT_FALSE(id_b.empty());
    auto online = a.next_with("online");
    ASSERT_TRUE(online);
    EXPECT_EQ(online->at("online").at("node_id"), json::value(id_b));

    a.send(sdp_offer(id_b, "offer"));
    auto offer = b.next_with("sdp_offer");
    ASSERT_TRUE(offer);
    EXPECT_EQ(offer->size(), 1U) << "a relayed frame carries only the relay key";
    EXPECT_EQ(offer->at("sdp_offer").at("from_node_id"), json::value(id_a));
    EXPECT_EQ(offer->at("sdp_offer").at("type"), "offer");
    const auto desc = json::parse(offer->at("sdp_offer").at("offer_json").as_string());
    EXPECT_EQ(desc.at("type"), "offer");

    b.send(sdp_offer(id_a, "answer", id_a /* pretending to be a */));
    auto answer = a.next_with("sdp_offer");
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->at("sdp_offer").at("from_node_id"), json::value(id_b));
    EXPECT_EQ(answer->at("sdp_offer").at("type"), "answer");

    // Every server frame ends with a newline, as the original's JSON encoder writes it (1.1).
    a.send(ice_offer(id_b));
    const auto raw = b.next_text();
    ASSERT_TRUE(raw);
    EXPECT_TRUE(raw->ends_with("}\n")) << *raw;
    a.send(ice_offer(id_b));
    b.send(ice_offer(id_a));
    auto ice_b = b.next_with("ice_offer");
    auto ice_a = a.next_with("ice_offer");
    ASSERT_TRUE(ice_a && ice_b);
    EXPECT_EQ(ice_b->at("ice_offer").at("from_node_id"), json::value(id_a));
    EXPECT_EQ(ice_a->at("ice_offer").at("from_node_id"), json::value(id_b));
    EXPECT_EQ(server.metric("tincan_messages_relayed_total{type=\"sdp_offer\"}"), 2);
    EXPECT_EQ(server.metric("tincan_messages_relayed_total{type=\"ice_offer\"}"), 3);
}

TEST(Integration, InjectedKeysInARelayNeverReachTheTarget) {
    TestServer server;
    WsClient a(server.port());
    WsClient b(server.port());
    const auto id_a = a.register_as("a");
    const auto id_b = b.register_as("b");
    // The original forwarded the whole envelope, so this would make b adopt node id "evil".
    auto frame = json::parse(sdp_offer(id_b)).as_object();
    frame["node_id"] = "evil";
    frame["online"] = json::object{{"node_id", "evil"}};
    a.send(json::serialize(frame));
    auto got = b.next_with("sdp_offer");
    ASSERT_TRUE(got);
    EXPECT_FALSE(got->contains("node_id"));
    EXPECT_FALSE(got->contains("online"));
}

TEST(Integration, SeveralKeysInOneFrameAndConnsInTheSeedShape) {
    TestServer server;
    WsClient a(server.port());
    a.send(
        R"({"register":{"node_name":""},"attributes_announcement":{"attributes":{"support_attachment":"true","preferred_color":"3"}},"echo":{"direction":"ping","correlation_id":"c1","server_timestamp":0,"timestamp":1745590000123,"seq_id":0}})");
    auto online = a.next();
    auto reply = a.next();
    auto pong = a.next();
    ASSERT_TRUE(online && reply && pong);
    EXPECT_TRUE(online->contains("online"));
    const std::string id(reply->at("node_id").as_string());
    EXPECT_EQ(reply->at("register").at("node_name"), "user0000");
    EXPECT_EQ(pong->at("echo").at("direction"), "pong");
    EXPECT_EQ(pong->at("echo").at("correlation_id"), "c1");
    EXPECT_EQ(pong->at("echo").at("timestamp"), 1745590000123ULL);
    EXPECT_GT(pong->at("echo").at("server_timestamp").to_number<std::uint64_t>(), 1700000000000ULL);
    EXPECT_EQ(pong->at("node_id"), json::value(id));

    const auto res = http_get(server.port(), "/api/conns");
    EXPECT_EQ(res.status, 200U);
    EXPECT_EQ(res.headers.at("Content-Type"), "application/json");
    const auto c = json::parse(res.body).as_object();
    ASSERT_EQ(c.size(), 1U);
    const auto& rec = c.at(id).as_object();
    EXPECT_EQ(rec.at("node_name"), "user0000");
    EXPECT_TRUE(rec.at("connected_at").is_int64());
    EXPECT_TRUE(rec.at("registered_at").is_int64());
    EXPECT_TRUE(rec.at("last_heartbeat").is_int64());
    EXPECT_EQ(rec.at("authentication"), "none");
    EXPECT_EQ(rec.at("attributes").at("preferred_color"), "3");
    EXPECT_EQ(rec.at("attributes").at("support_attachment"), "true");
}

TEST(Integration, RenameIsBroadcastAndRenameBeforeRegisterDoesNotCrash) {
    TestServer server;
    WsClient a(server.port());
    WsClient b(server.port());
    a.send(R"({"rename":{"new_preference":{"name":"early"}}})");
    auto err = a.next_with("error");
    ASSERT_TRUE(err);
    EXPECT_EQ(err->at("error").at("code"), "not_registered");
    const auto id_a = a.register_as("alice");
    b.register_as("bob");
    a.send(
        R"({"rename":{"new_preference":{"name":"carol","indexOfPreferColor":2},"origin_node_name":"x"}})");
    auto rename = b.next_with("rename");
    ASSERT_TRUE(rename);
    EXPECT_EQ(rename->at("rename").at("origin_node_name"), "alice");
    EXPECT_EQ(rename->at("rename").at("new_preference").at("name"), "carol");
    const auto c = conns(server.port());
    EXPECT_EQ(c.at(id_a).at("node_name"), "carol");
    EXPECT_EQ(c.at(id_a).at("attributes").at("preferred_color"), "2");
}

TEST(Integration, OfflineIsAnnouncedWhenARegisteredNodeLeaves) {
    TestServer server;
    WsClient a(server.port());
    a.register_as("a");
    std::string id_b;
    {
        WsClient b(server.port());
        id_b = b.register_as("b");
        ASSERT_TRUE(a.next_with("online"));
    }
    auto offline = a.next_with("offline");
    ASSERT_TRUE(offline);
    EXPECT_EQ(offline->at("offline").at("node_id"), json::value(id_b));
    EXPECT_FALSE(conns(server.port()).contains(id_b));
}

TEST(Integration, BadInputGetsAnErrorAndEveryoneElseKeepsWorking) {
    TestServer server;
    WsClient bad(server.port());
    WsClient good(server.port());
    bad.register_as("bad");
    const auto id_good = good.register_as("good");
    const std::pair<const char*, const char*> cases[] = {
        {"{not json", "malformed_json"},
        {"[1,2,3]", "not_an_object"},
        {R"({"register":"x"})", "wrong_type"},
        {R"({"echo":{"direction":"ping","seq_id":-1}})", "wrong_type"},
        {R"({"echo":{"direction":"ping","timestamp":1.5}})", "wrong_type"},
        {R"({"attributes_announcement":{"attributes":{"preferred_color":"-1"}}})", "invalid_value"},
        {R"({"attributes_announcement":{"attributes":{"preferred_color":"abc"}}})",
         "invalid_value"},
        {R"({"rename":{"new_preference":{"name":"x","indexOfPreferColor":11}}})", "invalid_value"},
        {R"({"sdp_offer":{"type":"pranswer","offer_json":"{}","to_node_id":"x"}})",
         "invalid_value"},
        {R"({"sdp_offer":{"type":"offer","offer_json":"{}","to_node_id":"no-such-node"}})",
         "unknown_peer"},
        {R"({"ice_offer":{"offer_json":"not json","to_node_id":"x"}})", "invalid_value"},
    };
    for (const auto& [frame, code] : cases) {
        SCOPED_TRACE(frame);
        bad.send(frame);
        auto err = bad.next_with("error");
        ASSERT_TRUE(err);
        EXPECT_EQ(err->at("error").at("code"), code);
    }
    // Unknown fields are ignored, not refused.
    bad.send(R"({"future":{"x":1},"echo":{"direction":"ping","correlation_id":"u","extra":[1]}})");
    auto pong = bad.next_with("echo");
    ASSERT_TRUE(pong);
    // Binary frames are ignored.
    bad.send("\x01\x02\x03", true);
    EXPECT_TRUE(bad.round_trip());
    // Nothing reached the other client, which still works.
    EXPECT_TRUE(good.round_trip());
    const auto c = conns(server.port());
    EXPECT_FALSE(c.at(id_good).as_object().contains("attributes"));
    EXPECT_GE(server.metric("tincan_rejected_inputs_total{reason=\"wrong_type\"}"), 3);
    EXPECT_EQ(server.metric("tincan_rejected_inputs_total{reason=\"binary_frame\"}"), 1);
}

TEST(Integration, OversizedFrameClosesWith1009AndOthersKeepWorking) {
    TestServer server([](auto& c) { c.max_frame_bytes = 4096; });
    WsClient big(server.port());
    WsClient other(server.port());
    big.register_as("big");
    other.register_as("other");
    big.send(R"({"echo":{"direction":"ping","correlation_id":")" + std::string(5000, 'x') +
             R"("}})");
    EXPECT_EQ(big.wait_closed(), 1009U);
    EXPECT_TRUE(other.round_trip());
    EXPECT_EQ(server.metric("tincan_rejected_inputs_total{reason=\"too_large\"}"), 1);
}

TEST(Integration, InvalidUtf8ClosesOnlyThatConnection) {
    TestServer server;
    WsClient bad(server.port());
    WsClient other(server.port());
    bad.register_as("bad");
    other.register_as("other");
    bad.send("{\"echo\":{\"direction\":\"ping\",\"correlation_id\":\"\xff\xfe\"}}");
    EXPECT_EQ(bad.wait_closed(), 1007U);
    EXPECT_TRUE(other.round_trip());
}

TEST(Integration, FloodIsRateLimitedThenClosedAndOthersKeepWorking) {
    TestServer server([](auto& c) {
        c.max_msgs_per_sec = 20;
        c.msg_burst = 20;
    });
    WsClient flood(server.port());
    WsClient other(server.port());
    flood.register_as("flood");
    other.register_as("other");
    for (int i = 0; i < 200; ++i) {
        flood.send(R"({"echo":{"direction":"ping","correlation_id":"f"}})");
    }
    auto err = flood.next_with("error");
    ASSERT_TRUE(err);
    EXPECT_EQ(err->at("error").at("code"), "rate_limited");
    EXPECT_EQ(flood.wait_closed(), 1008U);
    EXPECT_TRUE(other.round_trip());
    EXPECT_GT(server.metric("tincan_rejected_inputs_total{reason=\"rate_limited\"}"), 0);
}

TEST(Integration, SlowReaderIsDisconnectedWithoutStallingOthers) {
    TestServer server([](auto& c) {
        c.max_queue_bytes = 64 * 1024;
        c.max_msgs_per_sec = 1e5;
        c.msg_burst = 1e5;
        c.max_frame_bytes = 1 << 20;
    });
    WsClient::Options slow_opts;
    slow_opts.receive_buffer = 4096;
    WsClient slow(server.port(), slow_opts);
    WsClient sender(server.port());
    WsClient bystander(server.port());
    const auto id_slow = slow.register_as("slow");
    sender.register_as("sender");
    bystander.register_as("bystander");
    // The slow client stops reading; the sender keeps relaying 32 KiB offers to it.
    slow_opts.start_reading = false;
    bool gone = false;
    for (int i = 0; i < 2000 && !gone; ++i) {
        json::object desc{{"type", "offer"}, {"sdp", std::string(32 * 1024, 'a')}};
        sender.send(json::serialize(
            json::object{{"sdp_offer", json::object{{"type", "offer"},
                                                    {"offer_json", json::serialize(desc)},
                                                    {"to_node_id", id_slow}}}}));
        if (i % 50 == 49) {
            gone = !conns(server.port()).contains(id_slow);
        }
    }
    EXPECT_TRUE(gone) << "the slow reader was never disconnected";
    EXPECT_EQ(server.metric("tincan_rejected_inputs_total{reason=\"slow_consumer\"}"), 1);
    EXPECT_TRUE(sender.round_trip());
    EXPECT_TRUE(bystander.round_trip());
}

TEST(Integration, ForeignOriginIsRefusedSameOriginAndAllowListAccepted) {
    TestServer server([](auto& c) { c.allowed_origins = {"https://chat.example.org"}; });
    const auto port = server.port();
    const auto self_origin = "http://127.0.0.1:" + std::to_string(port);
    auto with_origin = [&](const std::string& origin) {
        WsClient::Options o;
        o.origin = origin;
        return o;
    };
    WsClient foreign(port, with_origin("http://evil.example.com"));
    EXPECT_FALSE(foreign.connected());
    EXPECT_EQ(foreign.refused_status(), 403U);
    WsClient lookalike(port, with_origin(self_origin + ".evil.com"));
    EXPECT_EQ(lookalike.refused_status(), 403U);
    WsClient null_origin(port, with_origin("null"));
    EXPECT_EQ(null_origin.refused_status(), 403U);
    WsClient same(port, with_origin(self_origin));
    EXPECT_TRUE(same.connected());
    WsClient listed(port, with_origin("https://chat.example.org"));
    EXPECT_TRUE(listed.connected());
    WsClient bot(port); // no Origin header
    EXPECT_TRUE(bot.connected());
    EXPECT_FALSE(same.register_as("same").empty());
    EXPECT_EQ(server.metric("tincan_rejected_inputs_total{reason=\"origin\"}"), 3);
}

TEST(Integration, IdleConnectionsAreClosedActiveOnesStay) {
    TestServer server(idle_timeout_of(std::chrono::milliseconds(400)));
    WsClient idle(server.port());
    WsClient active(server.port());
    ASSERT_TRUE(idle.connected() && active.connected());
    const auto start = std::chrono::steady_clock::now();
    // The active client keeps pinging for three timeout periods.
    while (std::chrono::steady_clock::now() - start < std::chrono::milliseconds(1200)) {
        ASSERT_TRUE(active.round_trip());
    }
    EXPECT_TRUE(idle.wait_closed(2s).has_value());
    EXPECT_TRUE(active.round_trip());
}

TEST(Integration, OnlyHandledTextFramesKeepAConnectionAlive) {
    // PROTOCOL.md 1.6: the idle timer is re-armed by a text frame handled without error, not by
    // binary frames or frames that fail to parse; a frame of unknown keys is handled fine.
    TestServer server(idle_timeout_of(std::chrono::milliseconds(500)));
    WsClient binary(server.port());
    WsClient broken(server.port());
    WsClient unknown(server.port());
    ASSERT_TRUE(binary.connected() && broken.connected() && unknown.connected());
    const auto start = std::chrono::steady_clock::now();
    while (std::chrono::steady_clock::now() - start < std::chrono::milliseconds(1500)) {
        binary.send("\x01\x02", true);
        broken.send("{not json");
        unknown.send(R"({"future_key":{"x":1}})");
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    EXPECT_TRUE(binary.wait_closed(2s).has_value());
    EXPECT_TRUE(broken.wait_closed(2s).has_value());
    EXPECT_TRUE(unknown.round_trip()) << "a frame with only unknown keys keeps it alive";
}

TEST(Integration, MaxConnectionsRefusesWith503) {
    TestServer server([](auto& c) { c.max_connections = 2; });
    WsClient a(server.port());
    WsClient b(server.port());
    WsClient c(server.port());
    EXPECT_TRUE(a.connected() && b.connected());
    EXPECT_EQ(c.refused_status(), 503U);
}

TEST(Integration, EmptyApiPrefixMountsTheOriginalRootRoutes) {
    TestServer server([](auto& c) { c.api_prefix = ""; });
    WsClient::Options o;
    o.path = "/ws";
    WsClient a(server.port(), o);
    ASSERT_TRUE(a.connected());
    const auto id = a.register_as("root");
    const auto res = http_get(server.port(), "/conns");
    EXPECT_EQ(res.status, 200U);
    EXPECT_TRUE(json::parse(res.body).as_object().contains(id));
    const auto servers = json::parse(http_get(server.port(), "/servers.json").body);
    EXPECT_EQ(servers.at(0).at("url"), "/ws");
    EXPECT_EQ(servers.at(0).at("apiPrefix"), "");
}

TEST(Integration, ListenAddrTakesAHostNameAsTheOriginalDoes) {
    // `--listen-addr localhost:3001`: the original's net.Listen resolves the name.
    TestServer server([](auto& c) { c.listen_addr = "localhost:0"; });
    ASSERT_NE(server.port(), 0);
    WsClient a(server.port());
    ASSERT_TRUE(a.connected());
    const auto id = a.register_as("by-name");
    EXPECT_TRUE(conns(server.port()).contains(id));
}

TEST(Integration, FramesSentWithTheUpgradeRequestAreHandled) {
    // A client that writes its first frame right behind the upgrade request, without waiting for
    // the 101: the frame was read along with the request and lost (no register reply ever came).
    TestServer server;
    boost::asio::io_context ioc;
    boost::beast::tcp_stream stream(ioc);
    stream.connect({boost::asio::ip::make_address("127.0.0.1"), server.port()});
    const auto masked_text_frame = [](const std::string& text) {
        std::string f{'\x81', static_cast<char>(0x80 | text.size())}; // text.size() < 126
        const char mask[4] = {0x11, 0x22, 0x33, 0x44};
        f.append(mask, 4);
        for (std::size_t i = 0; i < text.size(); ++i) {
            f.push_back(static_cast<char>(text[i] ^ mask[i % 4]));
        }
        return f;
    };
    const std::string bytes = "GET /api/ws HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\n"
                              "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
                              "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n" +
                              masked_text_frame(R"({"register":{"node_name":"eager"}})");
    boost::asio::write(stream.socket(), boost::asio::buffer(bytes));
    std::string received;
    char buf[4096];
    std::function<void()> read_more = [&] {
        stream.async_read_some(
            boost::asio::buffer(buf), [&](boost::beast::error_code ec, std::size_t n) {
                received.append(buf, n);
                if (!ec && received.find(R"("node_name":"eager")") == std::string::npos) {
                    read_more();
                }
            });
    };
    stream.expires_after(5s); // a read still pending then fails and ends the loop
    read_more();
    ioc.run();
    EXPECT_NE(received.find("101 Switching Protocols"), std::string::npos) << received;
    EXPECT_NE(received.find(R"("register":{"node_name":"eager"})"), std::string::npos) << received;
}

TEST(Integration, TheDefaultPrefixAlsoAnswersAtTheOriginalRootPaths) {
    TestServer server;
    WsClient::Options o;
    o.path = "/ws";
    WsClient root(server.port(), o);
    WsClient prefixed(server.port());
    ASSERT_TRUE(root.connected() && prefixed.connected());
    const auto a = root.register_as("at-root");
    const auto b = prefixed.register_as("at-prefix");
    for (const char* path : {"/conns", "/api/conns"}) {
        const auto res = http_get(server.port(), path);
        EXPECT_EQ(res.status, 200U) << path;
        const auto conns = json::parse(res.body).as_object();
        EXPECT_TRUE(conns.contains(a) && conns.contains(b)) << path;
    }
    EXPECT_EQ(http_get(server.port(), "/profile/status").body, "{\"logged_in\":false}\n");
    EXPECT_EQ(http_get(server.port(), "/logout").status, 405U);
    // The signalling path without an upgrade is a bad request, never the web app.
    for (const char* path : {"/ws", "/api/ws"}) {
        EXPECT_EQ(http_get(server.port(), path).status, 400U) << path;
    }
    // servers.json keeps telling browsers the prefixed layout.
    const auto servers = json::parse(http_get(server.port(), "/servers.json").body);
    EXPECT_EQ(servers.at(0).at("url"), "/api/ws");
}

TEST(Integration, OurServerOnlyKeysInAClientFrameAreIgnoredLikeOtherUnknownKeys) {
    TestServer server;
    WsClient a(server.port());
    a.register_as("extra-keys");
    // `error` and `offline` are keys only our server sends; a client's are unknown keys.
    a.send(R"({"echo":{"direction":"ping","correlation_id":"c9","timestamp":1,"seq_id":9},)"
           R"("error":"not an object","offline":5})");
    const auto pong = a.next_with("echo");
    ASSERT_TRUE(pong);
    EXPECT_EQ(pong->at("echo").at("correlation_id"), "c9");
    EXPECT_EQ(pong->at("echo").at("direction"), "pong");
}

TEST(Integration, ServersJsonHealthzAndAnonymousAccountRoutes) {
    TestServer server([](auto& c) { c.ice_servers = {"stun:127.0.0.1:3478"}; });
    const auto port = server.port();
    const auto servers = json::parse(http_get(port, "/servers.json").body).as_array();
    ASSERT_EQ(servers.size(), 1U);
    EXPECT_EQ(servers[0].at("url"), "/api/ws");
    EXPECT_EQ(servers[0].at("apiPrefix"), "/api");
    EXPECT_EQ(servers[0].at("iceServers").at(0), "stun:127.0.0.1:3478");
    EXPECT_EQ(servers[0].at("allowAnonymous"), true);
    EXPECT_EQ(http_get(port, "/healthz").status, 200U);
    EXPECT_EQ(http_get(port, "/api/profile/status").body, "{\"logged_in\":false}\n");
    EXPECT_EQ(http_get(port, "/api/profile").status, 401U);
    EXPECT_EQ(http_get(port, "/api/profile?username=nobody").status, 404U);
    EXPECT_EQ(http_get(port, "/api/profile?username=").status, 401U); // names nobody
    EXPECT_EQ(http_get(port, "/api/logout").status, 405U);
    EXPECT_EQ(http_get(port, "/api/logout", "POST").status, 200U);
    EXPECT_EQ(http_get(port, "/api/nope").status, 404U);
    const auto metrics = http_get(port, "/metrics");
    EXPECT_NE(metrics.body.find("# TYPE tincan_websocket_connections gauge"), std::string::npos);
}

TEST(Integration, UnknownPathsGetTheOriginalsPlainTextNotFound) {
    // Go's mux answers a path no route serves with `404 page not found` (PROTOCOL.md 2.2): at the
    // root, below the API prefix (the original behind its proxy) and for the login routes of a
    // provider that is not configured.
    TestServer server;
    for (const char* path : {"/nothing", "/api/nothing", "/github/login/start",
                             "/api/kioubit/login/start", "/conns/extra"}) {
        const auto res = http_get(server.port(), path);
        EXPECT_EQ(res.status, 404U) << path;
        EXPECT_EQ(res.body, "404 page not found\n") << path;
        EXPECT_EQ(res.headers.at("Content-Type"), "text/plain; charset=utf-8") << path;
        // http.NotFound is http.Error, which adds nosniff.
        EXPECT_EQ(res.headers.count("X-Content-Type-Options") != 0
                      ? res.headers.at("X-Content-Type-Options")
                      : "",
                  "nosniff")
            << path;
    }
}

TEST(Integration, GracefulShutdownClosesWebSocketsWithGoingAway) {
    TestServer server;
    WsClient a(server.port());
    a.register_as("a");
    server.shutdown();
    EXPECT_EQ(a.wait_closed(), 1001U);
}

TEST(Integration, HeadGetsTheHeaderOnlySoTheNextKeepAliveResponseIsIntact) {
    TestServer server;
    namespace http = boost::beast::http;
    boost::asio::io_context ioc;
    boost::beast::tcp_stream stream(ioc);
    stream.connect({boost::asio::ip::make_address("127.0.0.1"), server.port()});
    stream.expires_after(5s);
    boost::beast::flat_buffer buffer;
    const auto exchange = [&](http::verb method, const std::string& target) {
        http::request<http::empty_body> req{method, target, 11};
        req.set(http::field::host, "127.0.0.1");
        http::write(stream, req);
        http::response_parser<http::string_body> parser;
        parser.skip(method == http::verb::head); // a HEAD response has no body to read
        http::read(stream, buffer, parser);
        return parser.release();
    };
    for (const char* target : {"/api/conns", "/api/nothing", "/nothing.js"}) {
        const auto head = exchange(http::verb::head, target);
        EXPECT_NE(head[http::field::content_length], "0") << target;
        const auto get = exchange(http::verb::get, "/api/profile/status");
        EXPECT_EQ(get.result_int(), 200U) << "after HEAD " << target;
        EXPECT_EQ(get.body(), "{\"logged_in\":false}\n") << "after HEAD " << target;
    }
}

TEST(Integration, InjectAllowAllCorsHeadersIsOffByDefault) {
    TestServer plain;
    EXPECT_EQ(http_get(plain.port(), "/api/conns").headers.count("Access-Control-Allow-Origin"),
              0U);
    TestServer cors([](auto& c) { c.inject_allow_all_cors_headers = true; });
    EXPECT_EQ(http_get(cors.port(), "/api/conns").headers["Access-Control-Allow-Origin"], "*");
    // Every response, also a 404 below the prefix and the web app's files (PROTOCOL.md 2.3).
    EXPECT_EQ(http_get(cors.port(), "/api/nothing").headers["Access-Control-Allow-Origin"], "*");
    EXPECT_EQ(http_get(cors.port(), "/index.html").headers["Access-Control-Allow-Origin"], "*");
}

TEST(Integration, InjectedCorsHeadersAreOnARefusedUpgradeToo) {
    // PROTOCOL.md 2.3: with the flag every response carries them, also the 403 of the origin
    // check (the original's middleware sets them before the WebSocket library refuses).
    TestServer cors([](auto& c) { c.inject_allow_all_cors_headers = true; });
    WsClient::Options foreign;
    foreign.origin = "https://elsewhere.example";
    WsClient refused(cors.port(), foreign);
    ASSERT_EQ(refused.refused_status(), 403U);
    EXPECT_EQ(refused.refused_header("Access-Control-Allow-Origin"), "*");
    EXPECT_EQ(refused.refused_header("Access-Control-Allow-Methods"),
              "GET, POST, PUT, DELETE, OPTIONS");
    EXPECT_EQ(refused.refused_header("Access-Control-Allow-Headers"),
              "Content-Type, Authorization");
    TestServer plain;
    WsClient refused_plain(plain.port(), foreign);
    ASSERT_EQ(refused_plain.refused_status(), 403U);
    EXPECT_EQ(refused_plain.refused_header("Access-Control-Allow-Origin"), "");
}

TEST(Turn, CredentialIsCoturnsRestApiScheme) {
    // base64(HMAC-SHA1(secret, "<expiry>:<tag>")), as coturn's use-auth-secret checks it (value
    // computed with Python's hmac module).
    const auto c = tincan::server::turn_credential("tincan-test-secret", 1700000000, "abc");
    EXPECT_EQ(c.username, "1700000000:abc");
    EXPECT_EQ(c.credential, "FtUD9jmkP1bhzkXdCAUWmQ5WH3s=");
    const auto tag = tincan::server::random_turn_tag();
    EXPECT_EQ(tag.size(), 16U);
    EXPECT_NE(tag, tincan::server::random_turn_tag());
}

TEST(Integration, IceServersHandsOutTimeLimitedTurnCredentials) {
    TestServer server([](auto& c) {
        c.turn_urls = {"turn:127.0.0.1:3478?transport=udp", "turn:127.0.0.1:3478?transport=tcp"};
        c.turn_secret = "tincan-test-secret";
        c.turn_credential_ttl = std::chrono::seconds(3600);
    });
    const auto res = http_get(server.port(), "/api/ice-servers");
    ASSERT_EQ(res.status, 200U) << res.body;
    EXPECT_EQ(res.headers.at("Cache-Control"), "no-store");
    const auto body = json::parse(res.body).as_object();
    EXPECT_EQ(body.at("ttl"), 3600);
    const auto& entry = body.at("iceServers").at(0).as_object();
    EXPECT_EQ(entry.at("urls").at(1), "turn:127.0.0.1:3478?transport=tcp");
    const std::string username(entry.at("username").as_string());
    const auto colon = username.find(':');
    ASSERT_NE(colon, std::string::npos);
    const auto expiry = std::stoll(username.substr(0, colon));
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    EXPECT_NEAR(static_cast<double>(expiry), static_cast<double>(now + 3600), 5.0);
    const auto expected =
        tincan::server::turn_credential("tincan-test-secret", expiry, username.substr(colon + 1));
    EXPECT_EQ(entry.at("credential"), json::value(expected.credential));
    // The secret itself is never sent.
    EXPECT_EQ(res.body.find("tincan-test-secret"), std::string::npos);
    EXPECT_EQ(http_get(server.port(), "/api/ice-servers", "POST").status, 405U);
}

TEST(Integration, IceServersIsNotFoundWithoutATurnRelay) {
    TestServer server([](auto& c) { c.turn_urls = {"turn:127.0.0.1:3478"}; }); // no secret
    const auto res = http_get(server.port(), "/api/ice-servers");
    EXPECT_EQ(res.status, 404U);
    EXPECT_EQ(json::parse(res.body).at("err"), "no TURN relay is configured");
}

TEST(Integration, OutOfFdsTheServerPausesAcceptingInsteadOfSpinningAndRecovers) {
    TestServer server;
    std::vector<int> socks;
    for (int i = 0; i < 30; ++i) {
        const int s = ::socket(AF_INET, SOCK_STREAM, 0);
        ASSERT_GE(s, 0);
        socks.push_back(s);
    }
    int open_fds = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) {
        ++open_fds;
    }
    rlimit old{};
    ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &old), 0);
    rlimit tight = old;
    tight.rlim_cur = static_cast<rlim_t>(open_fds + 5); // room for a handful of accepts only
    ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &tight), 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(server.port());
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    for (const int s : socks) {
        // The kernel completes these from the backlog; the server cannot accept most of them.
        EXPECT_EQ(::connect(s, reinterpret_cast<const sockaddr*>(&addr), sizeof addr), 0);
    }
    std::this_thread::sleep_for(200ms);
    const auto cpu_seconds = [] {
        rusage u{};
        ::getrusage(RUSAGE_SELF, &u);
        return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
               static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
    };
    const double before = cpu_seconds();
    std::this_thread::sleep_for(1s);
    const double used = cpu_seconds() - before;
    for (const int s : socks) {
        ::close(s);
    }
    ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &old), 0);
    EXPECT_LT(used, 0.3) << "the server spun on accept while out of file descriptors";
    // Once fds are free again it accepts as before.
    WsClient client(server.port());
    ASSERT_TRUE(client.connected());
    EXPECT_FALSE(client.register_as("after").empty());
    EXPECT_GT(server.metric("tincan_rejected_inputs_total{reason=\"accept_failed\"}"), 0);
}

TEST(Integration, AReaderWhoseWritesStallIsDroppedEvenWhileItKeepsPinging) {
    TestServer server([](auto& c) {
        c.ws_timeout = std::chrono::milliseconds(1500);
        c.max_queue_bytes = 256 * 1024 * 1024; // the queue limit must not be what drops it
        c.max_queue_frames = 100000;
        c.max_msgs_per_sec = 1e5;
        c.msg_burst = 1e5;
        c.max_frame_bytes = 1 << 20;
    });
    WsClient::Options stuck_opts;
    stuck_opts.receive_buffer = 4096;
    WsClient stuck(server.port(), stuck_opts);
    WsClient sender(server.port());
    const auto id_stuck = stuck.register_as("stuck");
    sender.register_as("sender");
    // More than the socket buffers hold, far less than the queue limit; then the stuck client
    // keeps its connection alive with pings but never reads another byte.
    json::object desc{{"type", "offer"}, {"sdp", std::string(256 * 1024, 'a')}};
    const auto offer = json::serialize(
        json::object{{"sdp_offer", json::object{{"type", "offer"},
                                                {"offer_json", json::serialize(desc)},
                                                {"to_node_id", id_stuck}}}});
    for (int i = 0; i < 64; ++i) {
        sender.send(offer);
    }
    ASSERT_TRUE(sender.round_trip());
    bool gone = false;
    const auto start = std::chrono::steady_clock::now();
    while (!gone && std::chrono::steady_clock::now() - start < 8s) {
        stuck.send(R"({"echo":{"direction":"ping","correlation_id":"s"}})");
        ASSERT_TRUE(sender.round_trip()); // the sender is unaffected throughout
        std::this_thread::sleep_for(250ms);
        gone = !conns(server.port()).contains(id_stuck);
    }
    EXPECT_TRUE(gone) << "a reader that takes nothing is kept as long as it pings";
    EXPECT_EQ(server.metric("tincan_rejected_inputs_total{reason=\"write_stalled\"}"), 1);
    EXPECT_TRUE(sender.round_trip());
}
