// Signalling logic without sockets: frames in, frames out through recording sinks.
#include "signalling/hub.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <gtest/gtest.h>

using namespace tincan::server;
namespace json = boost::json;

namespace {

struct RecordingSink : PeerSink {
    std::vector<json::object> frames;
    void deliver(const Frame& frame) override { frames.push_back(json::parse(*frame).as_object()); }
    std::vector<json::object> take() { return std::exchange(frames, {}); }
};

class HubTest : public ::testing::Test {
protected:
    Metrics metrics;
    Hub hub{HubLimits{}, metrics,
            [] { return std::chrono::system_clock::time_point(std::chrono::seconds(1745590000)); }};

    std::pair<std::string, std::shared_ptr<RecordingSink>> join(Identity id = {}) {
        auto sink = std::make_shared<RecordingSink>();
        return {hub.connect(sink, std::move(id)), sink};
    }
    std::string name_of(const std::string& reply_node) {
        return std::string(
            json::parse(hub.conns_json()).at(reply_node).at("node_name").as_string());
    }
};

} // namespace

TEST_F(HubTest, DefaultNamesCountEveryAcceptedConnection) {
    auto [a, sa] = join();
    auto [b, sb] = join(); // never registers, still takes a number
    auto [c, sc] = join();
    ASSERT_FALSE(hub.handle_text(a, R"({"register":{"node_name":""}})"));
    ASSERT_FALSE(hub.handle_text(c, R"({"register":{"node_name":""}})"));
    EXPECT_EQ(name_of(a), "user0000");
    EXPECT_EQ(name_of(c), "user0002");
}

TEST_F(HubTest, FramesAreHtmlSafeAsGosJsonEncoderWritesThem) {
    // Go's encoding/json writes <, >, & and U+2028, U+2029 in strings as \u escapes: the same
    // values, the original's bytes.
    struct TextSink : PeerSink {
        std::vector<std::string> texts;
        void deliver(const Frame& frame) override { texts.push_back(*frame); }
    };
    auto sink = std::make_shared<TextSink>();
    const auto a = hub.connect(sink, {});
    ASSERT_FALSE(hub.handle_text(a, R"({"register":{"node_name":"a<b>&c\u2028d\u2029"}})"));
    ASSERT_EQ(sink->texts.size(), 2U);
    EXPECT_NE(sink->texts[1].find(R"("node_name":"a\u003cb\u003e\u0026c\u2028d\u2029")"),
              std::string::npos)
        << sink->texts[1];
    EXPECT_EQ(json::parse(sink->texts[1]).at("register").at("node_name"), "a<b>&c\u2028d\u2029");
}

TEST_F(HubTest, RegisterBroadcastsOnlineBeforeReplying) {
    auto [a, sa] = join();
    ASSERT_FALSE(hub.handle_text(a, R"({"register":{"node_name":"alice"}})"));
    auto [b, sb] = join();
    ASSERT_FALSE(hub.handle_text(b, R"({"register":{"node_name":"bob","token":"t1"}})"));
    const auto fb = sb->take();
    ASSERT_EQ(fb.size(), 2U);
    EXPECT_EQ(fb[0].at("online").at("node_id"), json::value(b));
    EXPECT_EQ(fb[1].at("node_id"), json::value(b));
    EXPECT_EQ(fb[1].at("register").at("node_name"), "bob");
    EXPECT_EQ(fb[1].at("register").at("token"), "t1");
    const auto fa = sa->take();
    ASSERT_EQ(fa.size(), 3U); // own online, own reply, bob's online
    EXPECT_EQ(fa[2].at("online").at("node_id"), json::value(b));
}

TEST_F(HubTest, AuthenticatedEmptyNameBecomesUsername) {
    auto [a, sa] = join(Identity{AuthKind::jwt, "uid-1", "echo_bot", true});
    ASSERT_FALSE(hub.handle_text(a, R"({"register":{"node_name":""}})"));
    EXPECT_EQ(name_of(a), "echo_bot");
    const auto conns = json::parse(hub.conns_json());
    EXPECT_EQ(conns.at(a).at("authentication"), "jwt");
}

TEST_F(HubTest, ATakenNameRegistersUnderTheAssignedNameWithAnError) {
    hub.set_name_policy([](std::string_view name, const Identity& who) {
        return name != "echo_bot" || who.username == "echo_bot";
    });
    auto [a, sa] = join();
    EXPECT_FALSE(hub.handle_text(a, R"({"register":{"node_name":"echo_bot"}})"));
    const auto frames = sa->take();
    ASSERT_GE(frames.size(), 2U);
    EXPECT_EQ(frames[0].at("error").at("code"), "name_taken");
    EXPECT_EQ(hub.registered_count(), 1U);
    EXPECT_EQ(name_of(a), "user0000");
}

TEST_F(HubTest, AnUnusableNameStillRegistersTheConnection) {
    // The original accepts any name; a client refused here would sit without a node id.
    for (const std::string& name : {std::string(65, 'x'), std::string(R"(bad\u0000name)")}) {
        auto [a, sa] = join();
        EXPECT_FALSE(hub.handle_text(a, R"({"register":{"node_name":")" + name + R"("}})"));
        const auto frames = sa->take();
        ASSERT_GE(frames.size(), 2U) << name;
        EXPECT_TRUE(frames[0].contains("error")) << name;
        EXPECT_EQ(name_of(a).rfind("user", 0), 0U) << name;
    }
    EXPECT_EQ(hub.registered_count(), 2U);
}

TEST_F(HubTest, ABadKeyIsLeftOutAndTheRestOfTheFrameStillApplies) {
    // An original client registers and announces its attributes in one frame, once: a bad
    // attribute must not cost it the registration, nor a bad relay the echo beside it.
    auto [a, sa] = join();
    EXPECT_TRUE(hub.handle_text(
        a, R"({"register":{"node_name":"ann"},"attributes_announcement":{"attributes":)"
           R"({"preferred_color":"-7","support_attachment":"true"}}})"));
    auto frames = sa->take();
    const auto has = [&](const char* key) {
        return std::count_if(frames.begin(), frames.end(),
                             [&](const auto& f) { return f.contains(key); });
    };
    EXPECT_EQ(has("error"), 1);
    EXPECT_EQ(has("register"), 1);
    EXPECT_EQ(name_of(a), "ann");
    // The bad colour is left out, the attribute beside it stored.
    const auto attrs = json::parse(hub.conns_json()).at(a).at("attributes").as_object();
    EXPECT_FALSE(attrs.contains("preferred_color"));
    EXPECT_EQ(attrs.at("support_attachment"), "true");
    // A rename with a bad colour index renames, without the colour (nor in the broadcast).
    sa->take();
    EXPECT_TRUE(hub.handle_text(
        a, R"({"rename":{"new_preference":{"name":"bea","indexOfPreferColor":-3}}})"));
    frames = sa->take();
    EXPECT_EQ(has("error"), 1);
    ASSERT_EQ(has("rename"), 1);
    EXPECT_EQ(name_of(a), "bea");
    for (const auto& f : frames) {
        if (f.contains("rename")) {
            EXPECT_FALSE(
                f.at("rename").at("new_preference").as_object().contains("indexOfPreferColor"));
        }
    }
    EXPECT_FALSE(json::parse(hub.conns_json())
                     .at(a)
                     .at("attributes")
                     .as_object()
                     .contains("preferred_color"));
    EXPECT_TRUE(hub.handle_text(
        a, R"({"echo":{"direction":"ping","correlation_id":"c"},)"
           R"("sdp_offer":{"type":"offer","offer_json":"not json","to_node_id":"x"}})"));
    frames = sa->take();
    EXPECT_EQ(has("echo"), 1);
}

TEST_F(HubTest, RelaySetsSenderIdAndCarriesOnlyTheRelayKey) {
    auto [a, sa] = join();
    auto [b, sb] = join();
    hub.handle_text(a, R"({"register":{"node_name":"a"}})");
    hub.handle_text(b, R"({"register":{"node_name":"b"}})");
    sb->take();
    const std::string frame =
        R"({"node_id":"evil","sdp_offer":{"type":"offer","offer_json":"{\"type\":\"offer\",\"sdp\":\"v=0\"}","from_node_id":"forged","to_node_id":")" +
        b + R"("}})";
    ASSERT_FALSE(hub.handle_text(a, frame));
    const auto fb = sb->take();
    ASSERT_EQ(fb.size(), 1U);
    EXPECT_EQ(fb[0].size(), 1U);
    EXPECT_EQ(fb[0].at("sdp_offer").at("from_node_id"), json::value(a));
    EXPECT_EQ(fb[0].at("sdp_offer").at("to_node_id"), json::value(b));
    EXPECT_EQ(fb[0].at("sdp_offer").at("type"), "offer");
    EXPECT_EQ(metrics.relayed_count("sdp_offer"), 1U);
}

TEST_F(HubTest, RelayRefusals) {
    auto [a, sa] = join();
    auto [b, sb] = join();
    const auto ice = [&](const std::string& to, const std::string& json_text) {
        return R"({"ice_offer":{"offer_json":")" + json_text + R"(","to_node_id":")" + to +
               R"("}})";
    };
    using tincan::common::ProtocolError;
    EXPECT_EQ(hub.handle_text(a, ice(b, "{}")), make_error_code(ProtocolError::not_registered));
    hub.handle_text(a, R"({"register":{"node_name":"a"}})");
    EXPECT_EQ(hub.handle_text(a, ice("", "{}")), make_error_code(ProtocolError::missing_field));
    EXPECT_EQ(hub.handle_text(a, ice(b, "not json")),
              make_error_code(ProtocolError::invalid_value));
    sa->take();
    // b is connected but not registered: unknown to routing.
    EXPECT_FALSE(hub.handle_text(a, ice(b, "{}")));
    EXPECT_EQ(sa->take().at(0).at("error").at("code"), "unknown_peer");
    EXPECT_FALSE(hub.handle_text(a, ice(a, "{}")));
    EXPECT_EQ(sa->take().at(0).at("error").at("code"), "unknown_peer");
    EXPECT_TRUE(sb->take().empty());
}

TEST_F(HubTest, RenameBeforeRegisterIsRefusedNotFatal) {
    auto [a, sa] = join();
    EXPECT_EQ(hub.handle_text(a, R"({"rename":{"new_preference":{"name":"x"}}})"),
              make_error_code(tincan::common::ProtocolError::not_registered));
    // Register and rename in one frame is fine: register is handled first.
    EXPECT_FALSE(hub.handle_text(
        a, R"({"register":{"node_name":"a"},"rename":{"new_preference":{"name":"b"}}})"));
    EXPECT_EQ(name_of(a), "b");
}

TEST_F(HubTest, RenameBroadcastsPreviousNameAndSetsColour) {
    auto [a, sa] = join();
    auto [b, sb] = join();
    hub.handle_text(a, R"({"register":{"node_name":"alice"}})");
    hub.handle_text(b, R"({"register":{"node_name":"bob"}})");
    sb->take();
    ASSERT_FALSE(hub.handle_text(
        a,
        R"({"rename":{"new_preference":{"name":"carol","indexOfPreferColor":4},"origin_node_name":"lies"}})"));
    const auto fb = sb->take();
    ASSERT_EQ(fb.size(), 1U);
    EXPECT_EQ(fb[0].at("rename").at("origin_node_name"), "alice");
    EXPECT_EQ(fb[0].at("rename").at("new_preference").at("name"), "carol");
    EXPECT_EQ(fb[0].at("rename").at("new_preference").at("indexOfPreferColor"), 4);
    const auto conns = json::parse(hub.conns_json());
    EXPECT_EQ(conns.at(a).at("attributes").at("preferred_color"), "4");
    // An empty name falls back to the default name instead of leaving the node nameless.
    ASSERT_FALSE(hub.handle_text(a, R"({"rename":{"new_preference":{"name":""}}})"));
    EXPECT_EQ(name_of(a), "user0000");
}

TEST_F(HubTest, HostileAttributesAndColoursAreRefused) {
    auto [a, sa] = join();
    hub.handle_text(a, R"({"register":{"node_name":"a"}})");
    using tincan::common::ProtocolError;
    const auto invalid = make_error_code(ProtocolError::invalid_value);
    for (const char* colour : {"-1", "10", "x", "", "03", "1e1", "99999999999999999999"}) {
        SCOPED_TRACE(colour);
        EXPECT_EQ(
            hub.handle_text(
                a, std::string(R"({"attributes_announcement":{"attributes":{"preferred_color":")") +
                       colour + R"("}}})"),
            invalid);
    }
    for (const char* idx : {"-1", "10", "2147483648"}) {
        EXPECT_EQ(
            hub.handle_text(
                a, std::string(R"({"rename":{"new_preference":{"name":"a","indexOfPreferColor":)") +
                       idx + "}}}"),
            invalid);
    }
    EXPECT_EQ(hub.handle_text(a, R"({"rename":{"new_preference":{"name":"bad\u0000name"}}})"),
              invalid);
    EXPECT_EQ(hub.handle_text(a, R"({"rename":{"new_preference":{"name":")" + std::string(65, 'x') +
                                     R"("}}})"),
              make_error_code(ProtocolError::too_large));
    std::string many = R"({"attributes_announcement":{"attributes":{)";
    for (int i = 0; i < 40; ++i) {
        many += (i ? "," : "") + std::string("\"k") + std::to_string(i) + "\":\"v\"";
    }
    many += "}}}";
    EXPECT_EQ(hub.handle_text(a, many), make_error_code(ProtocolError::too_large));
    // Nothing of the refused frames was applied.
    const auto conns = json::parse(hub.conns_json());
    EXPECT_FALSE(conns.at(a).as_object().contains("attributes"));
    EXPECT_EQ(name_of(a), "a");
    // A valid announcement with a withdrawal works.
    EXPECT_FALSE(hub.handle_text(
        a,
        R"({"attributes_announcement":{"attributes":{"preferred_color":"9","support_attachment":"true"},"withdrawals":["support_attachment","nope"]}})"));
    const auto after = json::parse(hub.conns_json()).at(a).at("attributes").as_object();
    EXPECT_EQ(after.at("preferred_color"), "9");
    EXPECT_EQ(after.at("support_attachment"), "true"); // set wins over withdrawn in one frame
}

TEST_F(HubTest, EchoRepliesWithServerTimestampAndRecordsHeartbeat) {
    auto [a, sa] = join();
    ASSERT_FALSE(hub.handle_text(
        a,
        R"({"echo":{"direction":"ping","correlation_id":"c","server_timestamp":0,"timestamp":5,"seq_id":9}})"));
    const auto f = sa->take();
    ASSERT_EQ(f.size(), 1U);
    EXPECT_EQ(f[0].at("node_id"), json::value(a));
    EXPECT_EQ(f[0].at("echo").at("direction"), "pong");
    EXPECT_EQ(f[0].at("echo").at("server_timestamp"), 1745590000000ULL);
    EXPECT_EQ(f[0].at("echo").at("seq_id"), 9U);
    EXPECT_EQ(f[0].at("echo").at("timestamp"), 5U);
    // Pongs are not answered.
    ASSERT_FALSE(hub.handle_text(a, R"({"echo":{"direction":"pong","correlation_id":"c"}})"));
    EXPECT_TRUE(sa->take().empty());
}

TEST_F(HubTest, ConnsShowsEveryConnectionInTheOriginalShape) {
    auto [a, sa] = join();
    auto [b, sb] = join();
    hub.handle_text(
        a, R"({"register":{"node_name":"a"},"echo":{"direction":"ping","correlation_id":"c"}})");
    const auto conns = json::parse(hub.conns_json()).as_object();
    ASSERT_EQ(conns.size(), 2U);
    // Not registered (PROTOCOL.md 1.5): no name or registration time, authentication "".
    EXPECT_EQ(json::serialize(conns.at(b)), R"({"connected_at":1745590000,"authentication":""})");
    const auto& rec = conns.at(a).as_object();
    EXPECT_EQ(rec.at("node_name"), "a");
    EXPECT_EQ(rec.at("connected_at"), 1745590000);
    EXPECT_EQ(rec.at("registered_at"), 1745590000);
    EXPECT_EQ(rec.at("last_heartbeat"), 1745590000);
    EXPECT_EQ(rec.at("authentication"), "none");
    EXPECT_FALSE(rec.contains("attributes"));
}

TEST_F(HubTest, ConnsListsNodeIdsInAscendingOrderAsGosMapEncoding) {
    // Go's encoding/json writes a map's keys sorted; the ids are random, so 40 nodes would all
    // but never come out sorted by chance.
    for (int i = 0; i < 40; ++i) {
        auto [id, sink] = join();
        hub.handle_text(id, R"({"register":{"node_name":""}})");
    }
    const auto text = hub.conns_json();
    const auto conns = json::parse(text).as_object();
    ASSERT_EQ(conns.size(), 40U);
    std::vector<std::string> ids;
    for (const auto& [k, v] : conns) {
        ids.emplace_back(k);
    }
    EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
}

TEST_F(HubTest, DisconnectAnnouncesOfflineOnlyForRegisteredNodes) {
    auto [a, sa] = join();
    auto [b, sb] = join();
    auto [c, sc] = join();
    hub.handle_text(a, R"({"register":{"node_name":"a"}})");
    hub.handle_text(b, R"({"register":{"node_name":"b"}})");
    sa->take();
    hub.disconnect(c); // never registered: silent
    EXPECT_TRUE(sa->take().empty());
    hub.disconnect(b);
    const auto f = sa->take();
    ASSERT_EQ(f.size(), 1U);
    EXPECT_EQ(f[0].at("offline").at("node_id"), json::value(b));
    EXPECT_EQ(hub.registered_count(), 1U);
    EXPECT_EQ(hub.connection_count(), 1U);
}

TEST_F(HubTest, ADeadSinkNeverStopsABroadcast) {
    auto [a, sa] = join();
    auto [b, sb] = join();
    auto [c, sc] = join();
    hub.handle_text(a, R"({"register":{"node_name":"a"}})");
    hub.handle_text(b, R"({"register":{"node_name":"b"}})");
    sb.reset(); // b's session is gone without disconnecting
    sa->take();
    ASSERT_FALSE(hub.handle_text(c, R"({"register":{"node_name":"c"}})"));
    EXPECT_EQ(sa->take().size(), 1U);
    EXPECT_EQ(sc->take().size(), 2U);
}

TEST_F(HubTest, MalformedFramesGetAnErrorReply) {
    auto [a, sa] = join();
    EXPECT_TRUE(hub.handle_text(a, "{nope"));
    EXPECT_TRUE(hub.handle_text(a, R"({"echo":{"seq_id":-4}})"));
    EXPECT_TRUE(hub.handle_text(a, "[1]"));
    const auto f = sa->take();
    ASSERT_EQ(f.size(), 3U);
    EXPECT_EQ(f[0].at("error").at("code"), "malformed_json");
    EXPECT_EQ(f[0].at("error").at("message"), "frame is not valid JSON");
    EXPECT_EQ(f[1].at("error").at("code"), "wrong_type");
    EXPECT_EQ(f[1].at("error").at("message"), "a known key has the wrong JSON type");
    EXPECT_EQ(f[2].at("error").at("code"), "not_an_object");
    EXPECT_EQ(f[2].at("error").at("message"), "frame is not a JSON object");
    EXPECT_EQ(metrics.rejected_count("malformed_json"), 1U);
}

TEST_F(HubTest, ANullFrameIsAFrameWithoutKeysAsInTheOriginal) {
    // Go's json.Unmarshal of `null` into the envelope succeeds and changes nothing: no reply, and
    // the frame counts as handled (it keeps the connection alive).
    auto [a, sa] = join();
    EXPECT_FALSE(hub.handle_text(a, "null"));
    EXPECT_FALSE(hub.handle_text(a, " null\n"));
    EXPECT_TRUE(sa->take().empty());
    EXPECT_EQ(hub.registered_count(), 0U);
}

namespace {

/// A session that gives up on its connection when a frame arrives (a slow reader whose queue
/// overflowed): it disconnects itself from inside deliver(), as WebSocketSession::deliver does.
struct QuittingSink : RecordingSink {
    Hub* hub = nullptr;
    std::string id;
    bool quit = false;
    void deliver(const Frame& frame) override {
        RecordingSink::deliver(frame);
        if (!quit && hub != nullptr) {
            quit = true;
            hub->disconnect(id);
        }
    }
};

/// Index of the first frame with `key` whose node_id is `node`, or -1.
int index_of(const std::vector<json::object>& frames, const char* key, const std::string& node) {
    for (std::size_t i = 0; i < frames.size(); ++i) {
        if (frames[i].contains(key) && frames[i].at(key).at("node_id") == json::value(node)) {
            return static_cast<int>(i);
        }
    }
    return -1;
}

} // namespace

TEST_F(HubTest, ASinkThatDisconnectsDuringABroadcastDoesNotCutItShort) {
    std::vector<std::pair<std::string, std::shared_ptr<RecordingSink>>> others;
    std::vector<std::pair<std::string, std::shared_ptr<QuittingSink>>> quitters;
    for (int i = 0; i < 24; ++i) {
        if (i % 3 == 1) {
            auto sink = std::make_shared<QuittingSink>();
            sink->id = hub.connect(sink, {});
            ASSERT_FALSE(hub.handle_text(sink->id, R"({"register":{"node_name":"q"}})"));
            quitters.emplace_back(sink->id, sink);
        } else {
            others.push_back(join());
            ASSERT_FALSE(hub.handle_text(others.back().first, R"({"register":{"node_name":"o"}})"));
        }
    }
    for (auto& [id, sink] : others) {
        sink->take();
    }
    for (auto& [id, sink] : quitters) {
        sink->take();
        sink->hub = &hub; // from now on each quits on its next frame
    }
    auto [n, sn] = join();
    ASSERT_FALSE(hub.handle_text(n, R"({"register":{"node_name":"new"}})"));
    // The newcomer got its registration reply, every other node the whole broadcast, and each
    // quitter's offline only after the online that made it quit.
    const auto fn = sn->take();
    ASSERT_FALSE(fn.empty());
    EXPECT_TRUE(std::any_of(fn.begin(), fn.end(), [&](const json::object& f) {
        return f.contains("register") && f.at("node_id") == json::value(n);
    }));
    for (auto& [id, sink] : others) {
        const auto f = sink->take();
        const int online = index_of(f, "online", n);
        ASSERT_GE(online, 0) << "a node missed the broadcast";
        for (auto& [qid, q] : quitters) {
            const int offline = index_of(f, "offline", qid);
            ASSERT_GE(offline, 0) << "a quitter's offline was not announced";
            EXPECT_LT(online, offline) << "offline overtook the broadcast it interrupted";
        }
    }
    EXPECT_EQ(hub.registered_count(), others.size() + 1);
    EXPECT_EQ(hub.connection_count(), others.size() + 1);
    const auto conns = json::parse(hub.conns_json()).as_object();
    for (auto& [qid, q] : quitters) {
        EXPECT_FALSE(conns.contains(qid));
        EXPECT_EQ(q->frames.size(), 1U) << "a quitter got frames after it left";
    }
}

TEST_F(HubTest, ANodeThatDisconnectsDuringItsOwnRegistrationIsRemovedCleanly) {
    auto [a, sa] = join();
    ASSERT_FALSE(hub.handle_text(a, R"({"register":{"node_name":"a"}})"));
    sa->take();
    auto q = std::make_shared<QuittingSink>();
    q->hub = &hub;
    q->id = hub.connect(q, {});
    // Its own online broadcast makes it quit; the register reply that follows must not touch
    // the removed node.
    ASSERT_FALSE(hub.handle_text(q->id, R"({"register":{"node_name":"quitter"}})"));
    EXPECT_EQ(q->frames.size(), 1U);
    const auto fa = sa->take();
    ASSERT_EQ(fa.size(), 2U);
    EXPECT_EQ(index_of(fa, "online", q->id), 0);
    EXPECT_EQ(index_of(fa, "offline", q->id), 1);
    EXPECT_EQ(hub.registered_count(), 1U);
    EXPECT_EQ(hub.connection_count(), 1U);
}

TEST(HubAnnounceLimit, RenamesAndReregistrationsAreBoundedThenRefill) {
    Metrics metrics;
    auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1745590000));
    HubLimits limits;
    limits.announces_per_sec = 2;
    limits.announce_burst = 3;
    Hub hub{limits, metrics, [&] { return now; }};
    auto sa = std::make_shared<RecordingSink>();
    auto sb = std::make_shared<RecordingSink>();
    const auto a = hub.connect(sa, {});
    const auto b = hub.connect(sb, {});
    ASSERT_FALSE(hub.handle_text(a, R"({"register":{"node_name":"a"}})")); // the first is free
    ASSERT_FALSE(hub.handle_text(b, R"({"register":{"node_name":"b"}})"));
    sb->take();
    const auto rename = [&](const std::string& name) {
        return hub.handle_text(a, R"({"rename":{"new_preference":{"name":")" + name + R"("}}})");
    };
    EXPECT_FALSE(rename("a1"));
    EXPECT_FALSE(rename("a2"));
    EXPECT_FALSE(hub.handle_text(a, R"({"register":{"node_name":"a3"}})"));
    sa->take();
    EXPECT_EQ(rename("a4"), make_error_code(tincan::common::ProtocolError::rate_limited));
    const auto told = sa->take();
    ASSERT_EQ(told.size(), 1U);
    const std::string why(told[0].at("error").at("message").as_string());
    EXPECT_NE(why.find("rename refused, at most 2 a second"), std::string::npos) << why;
    // Bob heard three announcements (two renames, one online), not the refused fourth.
    EXPECT_EQ(sb->take().size(), 3U);
    EXPECT_EQ(json::parse(hub.conns_json()).at(a).at("node_name"), "a3");
    // Half a second later one more is allowed.
    now += std::chrono::milliseconds(500);
    EXPECT_FALSE(rename("a5"));
    EXPECT_EQ(rename("a6"), make_error_code(tincan::common::ProtocolError::rate_limited));
    EXPECT_EQ(json::parse(hub.conns_json()).at(a).at("node_name"), "a5");
}
