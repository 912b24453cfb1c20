// Bots through the real tincan-server: a second in-process webrtcbin peer acts as the browser
// (offers chat + ping, as the web client does) and talks to EchoBot, CounterBot and ClockBot.

#include "bots/bot_host.hpp"
#include "bots/chat_bot.hpp"
#include "bots/clock_bot.hpp"
#include "bots/counter_bot.hpp"
#include "bots/echo_bot.hpp"
#include "bots/music_bot.hpp"
#include "coturn_process.hpp"
#include "fake_llm_server.hpp"
#include "log_capture.hpp"
#include "rtc_fixture.hpp"
#include "server_process.hpp"
#include "tincan/common/chat_message.hpp"
#include "tincan/common/msgpatch.hpp"

#include <boost/json.hpp>
#include <gst/app/gstappsink.h>
#include <nice/agent.h>

#include <algorithm>
#include <atomic>
#include <set>

namespace tincan::agents::test {
namespace {

namespace json = boost::json;

/// `sdp` with its `o=` line's session id replaced by a new one.
std::string with_new_session_id(std::string sdp) {
    static unsigned long long next = 4'000'000'000ULL;
    const auto o = sdp.find("o=");
    const auto id = sdp.find(' ', o) + 1;
    return sdp.replace(id, sdp.find(' ', id) - id, std::to_string(++next));
}

/// A browser-like peer: its own signalling connection; offers chat + ping to one bot.
class FakeBrowser {
public:
    FakeBrowser(const std::string& url, GMainContext* context) : context_(context) {
        SignallingConfig sc;
        sc.url = url;
        sc.node_name = "browser";
        sc.log_name = "browser";
        sc.ping_period = std::chrono::milliseconds(1000);
        signalling_ = SignallingClient::create(sc, context);
        signalling_->on_sdp([this](const common::SdpOfferPayload& p) {
            if (!session_ || p.from_node_id != bot_) {
                return;
            }
            auto v = json::parse(p.offer_json).as_object();
            (v.at("type").as_string() == "offer" ? offers_from_bot : answers_from_bot)
                .emplace_back(v.at("sdp").as_string());
            if (vanished) {
                return;
            }
            session_->set_remote_description(std::string(v.at("type").as_string()),
                                             std::string(v.at("sdp").as_string()));
        });
        signalling_->on_ice([this](const common::IceOfferPayload& p) {
            if (!session_ || p.from_node_id != bot_ || vanished) {
                return;
            }
            auto v = json::parse(p.offer_json).as_object();
            remote_candidates.emplace_back(v.at("candidate").as_string());
            std::optional<unsigned> mline;
            if (auto* m = v.if_contains("sdpMLineIndex")) {
                mline = static_cast<unsigned>(m->to_number<int>());
            }
            std::string mid;
            if (auto* m = v.if_contains("sdpMid")) {
                mid = m->as_string();
            }
            session_->add_ice_candidate(mline, mid, std::string(v.at("candidate").as_string()));
        });
        signalling_->start();
    }
    ~FakeBrowser() {
        if (session_) {
            session_->close();
        }
        signalling_->stop();
    }

    const std::string& node_id() const { return signalling_->node_id(); }
    /// This end of the connection goes away without a word, as when the browser's network
    /// does: its ICE stream is removed, so nothing answers the bot any more, and from now on
    /// it ignores the bot's descriptions and sends no candidates (its signalling stays up).
    void vanish_silently() {
        vanished = true;
        GObject* ice = nullptr;
        g_object_get(session_->webrtcbin(), "ice-agent", &ice, nullptr);
        NiceAgent* agent = nullptr;
        g_object_get(ice, "agent", &agent, nullptr);
        nice_agent_remove_stream(agent, 1);
        g_object_unref(agent);
        g_object_unref(ice);
    }
    bool registered() const { return signalling_->registered(); }
    void stop_signalling() { signalling_->stop(); }

    void call(const std::string& bot) {
        bot_ = bot;
        PeerConfig pc;
        pc.name = "browser->" + bot.substr(0, 8);
        pc.context = context_;
        pc.make_media_sink = [this] {
            GstElement* bin = gst_parse_bin_from_description(
                "rtpopusdepay ! appsink name=out emit-signals=true sync=false", TRUE, nullptr);
            GstElement* sink = gst_bin_get_by_name(GST_BIN(bin), "out");
            g_signal_connect(sink, "new-sample",
                             G_CALLBACK(+[](GstAppSink* s, std::atomic<int>* count) {
                                 gst_sample_unref(gst_app_sink_pull_sample(s));
                                 ++*count;
                                 return GST_FLOW_OK;
                             }),
                             &audio_packets);
            gst_object_unref(sink);
            return bin;
        };
        session_ = PeerSession::create(pc);
        session_->on_local_description([this](const std::string& type, std::string sdp) {
            if (type == "offer" && fresh_session_ids) {
                sdp = with_new_session_id(sdp);
            }
            signalling_->send_sdp(bot_, type, sdp);
        });
        session_->on_ice_candidate([this](unsigned mline, std::string mid, std::string cand) {
            if (!vanished) {
                signalling_->send_ice(bot_, cand, mid, mline);
            }
        });
        session_->on_data_channel([this](std::shared_ptr<DataChannel> dc) {
            if (dc->label() == "msgpatch") {
                patch_channels.push_back(dc);
                dc->on_binary([this, channel = patch_channels.size() - 1](DataChannel::Binary b) {
                    if (auto order = common::decode_patch(b)) {
                        patches.push_back(*order);
                        patch_channel_of.push_back(channel);
                    }
                });
            }
        });
        chat = session_->create_data_channel("chat");
        ping = session_->create_data_channel("ping");
        chat->on_text([this](std::string t) {
            auto m = common::parse_chat_message(t);
            ASSERT_TRUE(m) << t;
            received.push_back(*m);
        });
        ping->on_text([this](std::string t) {
            auto m = common::parse_chat_message(t);
            ASSERT_TRUE(m) << t;
            pongs.push_back(*m);
        });
        session_->create_offer();
    }

    /// Calls the bot again on a new connection from the same node id while the old one stays up
    /// (a peer that made a new RTCPeerConnection before the old one's end was noticed).
    void call_again() {
        replaced_.push_back(std::move(session_));
        chat->on_text(nullptr);
        ping->on_text(nullptr);
        call(bot_);
    }

    /// A new offer on the current connection (same ICE credentials and certificate).
    void renegotiate() { session_->create_offer(); }

    /// Another data channel on the current connection (DCEP, no renegotiation).
    std::shared_ptr<DataChannel> open_channel(const std::string& label) {
        return session_->create_data_channel(label);
    }

    /// A text message; `streamed` adds what Tincan's web app sends to get streamed replies.
    std::string send(const std::string& text, bool streamed = false) {
        return send_on(*chat, text, streamed);
    }
    /// A text message on `channel` (another `chat` channel of this connection).
    std::string send_on(DataChannel& channel, const std::string& text, bool streamed = false) {
        json::object o{{"messageId", new_message_id()},
                       {"fromNodeId", node_id()},
                       {"toNodeId", bot_},
                       {"timestamp", now_ms()},
                       {"message", text}};
        if (streamed) {
            o["tincanFeatures"] = ChatBot::stream_feature;
        }
        channel.send_text(json::serialize(o));
        return std::string(o["messageId"].as_string());
    }

    /// The `message` texts received (ACKs and other messages without one left out), in order.
    std::vector<std::string> texts() const {
        std::vector<std::string> out;
        for (const auto& m : received) {
            if (m.message) {
                out.push_back(*m.message);
            }
        }
        return out;
    }

    /// The first received message with a `message` text after index `from`.
    const common::ChatMessage* text_reply(std::size_t from = 0) const {
        for (std::size_t i = from; i < received.size(); ++i) {
            if (received[i].message) {
                return &received[i];
            }
        }
        return nullptr;
    }

    std::shared_ptr<DataChannel> chat, ping;
    std::vector<common::ChatMessage> received, pongs;
    std::vector<std::shared_ptr<DataChannel>> patch_channels;
    std::vector<common::PatchOrder> patches;
    std::vector<std::size_t> patch_channel_of;  ///< patches[i] came on patch_channels[this[i]]
    std::vector<std::string> remote_candidates; ///< the bot's, as trickled to us
    std::vector<std::string> offers_from_bot, answers_from_bot; ///< their SDP texts
    std::atomic<int> audio_packets{0};
    /// Set before call(): the offer goes out, then nothing (no candidates, the answer ignored),
    /// while the signalling connection stays up.
    bool vanished = false;
    /// Every offer goes out with a new `o=` session id, as aiortc writes its descriptions.
    bool fresh_session_ids = false;

private:
    GMainContext* context_;
    std::string bot_;
    std::shared_ptr<SignallingClient> signalling_;
    std::shared_ptr<PeerSession> session_;
    std::vector<std::shared_ptr<PeerSession>> replaced_; ///< by call_again, still open
};

/// ChatBot's configuration for `llm`: model `test/model`, key `k`.
LlmConfig config_for(const FakeLlmServer& llm) {
    LlmConfig config;
    config.base_url = llm.base_url();
    config.model = "test/model";
    config.api_key = "k";
    return config;
}

class BotsThroughServer : public MainContextTest {
protected:
    void SetUp() override {
        MainContextTest::SetUp();
        ASSERT_TRUE(server_.start());
    }
    void TearDown() override {
        for (auto& h : hosts_) {
            h->stop();
        }
        hosts_.clear();
        browser_.reset();
        server_.stop();
        MainContextTest::TearDown();
    }
    std::shared_ptr<BotHost> start_bot(std::shared_ptr<Bot> bot,
                                       const std::function<void(HostConfig&)>& configure = {}) {
        HostConfig hc;
        hc.signalling.url = server_.ws_url();
        hc.signalling.node_name = bot->name();
        hc.signalling.reconnect_delay = std::chrono::milliseconds(200);
        hc.offline_grace = std::chrono::milliseconds(3000);
        // As `make run` starts them: the default public STUN server, unreachable offline.
        hc.ice_servers = {"stun:stun.l.google.com:19302"};
        if (configure) {
            configure(hc);
        }
        auto host = BotHost::create(std::move(bot), hc, context_);
        host->start();
        hosts_.push_back(host);
        EXPECT_TRUE(wait_for([&] { return host->registered(); }));
        return host;
    }
    FakeBrowser& browser() {
        if (!browser_) {
            browser_ = std::make_unique<FakeBrowser>(server_.ws_url(), context_);
            EXPECT_TRUE(wait_for([&] { return browser_->registered(); }));
        }
        return *browser_;
    }
    /// A ClockBot the browser is connected to and has sent `/now` (its first reply arrived);
    /// null if any step failed.
    std::shared_ptr<ClockBot> clock_after_now() {
        auto bot = std::make_shared<ClockBot>(context_);
        auto host = start_bot(bot);
        if (!connect_to(*host)) {
            return nullptr;
        }
        browser().send("/now");
        return wait_for([&] { return browser().text_reply() != nullptr; }) ? bot : nullptr;
    }
    /// Another `chat` channel on the browser's connection, open, whose messages are parsed into
    /// `received` (which must outlive it); null if it did not open.
    std::shared_ptr<DataChannel> open_chat(std::vector<common::ChatMessage>& received) {
        auto dc = browser().open_channel("chat");
        if (!dc) {
            return nullptr;
        }
        dc->on_text(
            [&received](std::string t) { received.push_back(*common::parse_chat_message(t)); });
        return wait_for([&] { return dc->is_open(); }) ? dc : nullptr;
    }
    bool connect_to(BotHost& host) {
        browser().call(host.node_id());
        return wait_for([&] { return browser().chat->is_open(); }, 15s);
    }

    ServerProcess server_;
    std::vector<std::shared_ptr<BotHost>> hosts_;
    std::unique_ptr<FakeBrowser> browser_;
};

TEST_F(BotsThroughServer, EchoBotAcksThenEchoes) {
    auto host = start_bot(std::make_shared<EchoBot>());
    ASSERT_TRUE(connect_to(*host));
    auto& b = browser();
    const auto id = b.send("hello through the server");
    ASSERT_TRUE(wait_for([&] { return b.received.size() >= 2; }));
    // ACK first, addressed back to us.
    ASSERT_TRUE(b.received[0].ack);
    EXPECT_EQ(*b.received[0].ack, id);
    EXPECT_EQ(b.received[0].to_node_id, b.node_id());
    EXPECT_EQ(b.received[0].from_node_id, host->node_id());
    // Then the echo with a new id.
    EXPECT_EQ(b.received[1].message, "hello through the server");
    EXPECT_NE(b.received[1].message_id, id);
    EXPECT_EQ(b.received[1].to_node_id, b.node_id());
    EXPECT_EQ(b.received[1].from_node_id, host->node_id());
}

TEST_F(BotsThroughServer, EchoBotEchoesOnlyTheFieldsTheOriginalKnows) {
    // PROTOCOL.md 6.2: the original re-encodes its ChatMessage struct, so fields it does not know
    // (Tincan's tincanFeatures, anything else) are not echoed and the others come in its order.
    auto host = start_bot(std::make_shared<EchoBot>());
    ASSERT_TRUE(connect_to(*host));
    auto& b = browser();
    b.chat->send_text(json::serialize(json::object{
        {"message", "hi"},
        {"tincanFeatures", ChatBot::stream_feature},
        {"richText", json::object{{"type", "text/plain"}, {"content", "hi"}, {"font", "serif"}}},
        {"timestamp", 1745590000123},
        {"toNodeId", host->node_id()},
        {"fromNodeId", b.node_id()},
        {"unread", false},
        {"extra", json::array{1, 2}},
        {"messageId", "m-7"}}));
    ASSERT_TRUE(wait_for([&] { return b.received.size() >= 2; }));
    EXPECT_EQ(b.received[0].ack, "m-7");
    const auto& echo = b.received[1];
    EXPECT_NE(echo.message_id, "m-7");
    EXPECT_EQ(json::serialize(echo.raw),
              R"({"messageId":")" + echo.message_id + R"(","fromNodeId":")" + host->node_id() +
                  R"(","toNodeId":")" + b.node_id() +
                  R"(","timestamp":1745590000123,"unread":false,"message":"hi",)"
                  R"("richText":{"content":"hi","type":"text/plain"}})");
}

TEST_F(BotsThroughServer, PingChannelGetsPongs) {
    auto host = start_bot(std::make_shared<EchoBot>());
    ASSERT_TRUE(connect_to(*host));
    auto& b = browser();
    ASSERT_TRUE(wait_for([&] { return b.ping->is_open(); }));
    json::object ping{{"messageId", "p1"},
                      {"timestamp", now_ms()},
                      {"fromNodeId", b.node_id()},
                      {"toNodeId", host->node_id()},
                      {"ping", json::object{{"direction", "ping"}, {"seq", 3}}}};
    b.ping->send_text(json::serialize(ping));
    ASSERT_TRUE(wait_for([&] { return !b.pongs.empty(); }));
    ASSERT_TRUE(b.pongs[0].ping);
    EXPECT_EQ(b.pongs[0].ping->direction, "pong");
    EXPECT_EQ(b.pongs[0].ping->seq, 3);
    EXPECT_EQ(b.pongs[0].to_node_id, b.node_id());
}

TEST_F(BotsThroughServer, EveryChatAndPingChannelIsServedOnItsOwnChannel) {
    // The original handles each data channel by itself and answers on the channel a message came
    // on; closing one `chat` channel leaves the connection (and the others) up.
    auto host = start_bot(std::make_shared<EchoBot>());
    ASSERT_TRUE(connect_to(*host));
    auto& b = browser();
    auto chat2 = b.open_channel("chat");
    auto ping2 = b.open_channel("ping");
    ASSERT_TRUE(chat2 && ping2);
    std::vector<common::ChatMessage> on_chat2, on_ping2;
    chat2->on_text([&](std::string t) { on_chat2.push_back(*common::parse_chat_message(t)); });
    ping2->on_text([&](std::string t) { on_ping2.push_back(*common::parse_chat_message(t)); });
    ASSERT_TRUE(
        wait_for([&] { return chat2->is_open() && ping2->is_open() && b.ping->is_open(); }));
    const auto text_on = [&](DataChannel& dc, const std::string& text) {
        dc.send_text(json::serialize(json::object{{"messageId", new_message_id()},
                                                  {"fromNodeId", b.node_id()},
                                                  {"toNodeId", host->node_id()},
                                                  {"timestamp", now_ms()},
                                                  {"message", text}}));
    };
    const auto ping_on = [&](DataChannel& dc, int seq) {
        dc.send_text(json::serialize(
            json::object{{"messageId", new_message_id()},
                         {"timestamp", now_ms()},
                         {"fromNodeId", b.node_id()},
                         {"toNodeId", host->node_id()},
                         {"ping", json::object{{"direction", "ping"}, {"seq", seq}}}}));
    };
    // Bot hears of chat2 last; a message on the first channel is still answered there.
    text_on(*b.chat, "on the first");
    ASSERT_TRUE(wait_for([&] { return b.received.size() >= 2; }));
    EXPECT_EQ(b.received[1].message, "on the first");
    text_on(*chat2, "on the second");
    ASSERT_TRUE(wait_for([&] { return on_chat2.size() >= 2; }));
    EXPECT_TRUE(on_chat2[0].ack);
    EXPECT_EQ(on_chat2[1].message, "on the second");
    EXPECT_EQ(b.received.size(), 2u);
    ping_on(*b.ping, 1);
    ping_on(*ping2, 2);
    ASSERT_TRUE(wait_for([&] { return !b.pongs.empty() && !on_ping2.empty(); }));
    EXPECT_EQ(b.pongs[0].ping->seq, 1);
    EXPECT_EQ(on_ping2[0].ping->seq, 2);
    // The first chat channel closes: the connection stays, the second is still served.
    b.chat->close();
    ASSERT_TRUE(wait_for([&] { return b.chat->is_closed(); }));
    text_on(*chat2, "still here");
    ASSERT_TRUE(wait_for([&] { return on_chat2.size() >= 4; }));
    EXPECT_EQ(on_chat2[3].message, "still here");
    EXPECT_EQ(host->peer_count(), 1u);
    // With its last chat and ping channels the peer leaves.
    for (auto* dc : {chat2.get(), b.ping.get(), ping2.get()}) {
        dc->close();
    }
    EXPECT_TRUE(wait_for([&] { return host->peer_count() == 0; }));
}

TEST_F(BotsThroughServer, APeerThatClosesItsOnlyChatChannelKeepsItsPingsAnswered) {
    // The original serves `ping` on its own (PROTOCOL.md 4.8, 6.1): closing the chat channel
    // stops what belongs to it (ClockBot's clock, 6.4) and nothing else; pings are answered as
    // long as the ping channel and the connection live, and a new chat channel is served.
    auto bot = clock_after_now();
    ASSERT_TRUE(bot);
    auto& b = browser();
    ASSERT_TRUE(wait_for([&] { return b.ping->is_open() && !b.patches.empty(); }, 5s));
    auto host = hosts_.back();
    b.chat->close();
    ASSERT_TRUE(wait_for([&] { return bot->running_clocks() == 0; }, 5s)); // the bot saw it
    EXPECT_EQ(host->peer_count(), 1u);
    for (int seq = 0; seq < 3; ++seq) {
        b.ping->send_text(json::serialize(
            json::object{{"messageId", new_message_id()},
                         {"timestamp", now_ms()},
                         {"fromNodeId", b.node_id()},
                         {"toNodeId", host->node_id()},
                         {"ping", json::object{{"direction", "ping"}, {"seq", seq}}}}));
        ASSERT_TRUE(wait_for([&] { return b.pongs.size() == static_cast<std::size_t>(seq) + 1; }));
        EXPECT_EQ(b.pongs.back().ping->seq, seq);
    }
    std::vector<common::ChatMessage> on_chat2;
    auto chat2 = open_chat(on_chat2);
    ASSERT_TRUE(chat2);
    b.send_on(*chat2, "/start");
    ASSERT_TRUE(wait_for([&] { return on_chat2.size() >= 2; }));
    EXPECT_EQ(on_chat2[1].message, ClockBot::help_text);
    EXPECT_EQ(host->peer_count(), 1u);
    // With its last chat and ping channels closed (as when it closes its connection), it leaves.
    b.ping->close();
    chat2->close();
    EXPECT_TRUE(wait_for([&] { return host->peer_count() == 0; }));
}

TEST_F(BotsThroughServer, BinaryFramesOnChatAndPingAreDroppedAndLaterMessagesStillServed) {
    auto host = start_bot(std::make_shared<EchoBot>());
    ASSERT_TRUE(connect_to(*host));
    auto& b = browser();
    ASSERT_TRUE(wait_for([&] { return b.ping->is_open(); }));
    const DataChannel::Binary junk{'{', '"', 'x', 0xff, 0x00};
    b.chat->send_binary(junk);
    b.ping->send_binary(junk);
    const auto id = b.send("still there?");
    ASSERT_TRUE(wait_for([&] { return b.text_reply() != nullptr; }));
    EXPECT_EQ(*b.text_reply()->message, "still there?");
    ASSERT_TRUE(b.received[0].ack);
    EXPECT_EQ(*b.received[0].ack, id);
    json::object ping{{"messageId", "p2"},
                      {"timestamp", now_ms()},
                      {"ping", json::object{{"direction", "ping"}, {"seq", 7}}}};
    b.ping->send_text(json::serialize(ping));
    ASSERT_TRUE(wait_for([&] { return !b.pongs.empty(); }));
    EXPECT_EQ(b.pongs[0].ping->seq, 7);
}

TEST_F(BotsThroughServer, BadMessagesOnPingAreLoggedAndJunkDoesNotFloodTheLog) {
    auto host = start_bot(std::make_shared<EchoBot>());
    ASSERT_TRUE(connect_to(*host));
    auto& b = browser();
    ASSERT_TRUE(wait_for([&] { return b.ping->is_open(); }));
    LogCapture log;
    const auto ping = [&](int seq) {
        b.ping->send_text(json::serialize(
            json::object{{"messageId", "p" + std::to_string(seq)},
                         {"timestamp", now_ms()},
                         {"ping", json::object{{"direction", "ping"}, {"seq", seq}}}}));
    };
    // Pongs come in order after what was sent before them: they tell when it was handled.
    b.ping->send_text("{not json");
    ping(1);
    ASSERT_TRUE(wait_for([&] { return b.pongs.size() == 1; }));
    EXPECT_EQ(log.count("bad ping message dropped"), 1u);
    // A flood of junk on both channels: a line a second at most, not one per message.
    for (int i = 0; i < 30; ++i) {
        b.chat->send_text("junk " + std::to_string(i));
        b.ping->send_text(json::serialize(json::object{{"messageId", "x" + std::to_string(i)},
                                                       {"timestamp", now_ms()},
                                                       {"message", "not a ping"}}));
    }
    ping(2);
    b.send("still served");
    ASSERT_TRUE(wait_for([&] { return b.pongs.size() == 2 && b.text_reply() != nullptr; }));
    EXPECT_LT(log.count("message dropped"), 10u);
}

TEST_F(BotsThroughServer, ChatAndPingMessagesInBinaryFramesAreServedAsText) {
    // A peer may send its JSON as a binary frame (Pion's `Send`, bytes in aiortc): the original's
    // handlers parse the bytes whatever the frame kind, so ACK, echo and pong still come.
    auto host = start_bot(std::make_shared<EchoBot>());
    ASSERT_TRUE(connect_to(*host));
    auto& b = browser();
    ASSERT_TRUE(wait_for([&] { return b.ping->is_open(); }));
    const auto bytes = [](const json::object& o) {
        const auto text = json::serialize(o);
        return DataChannel::Binary(text.begin(), text.end());
    };
    b.chat->send_binary(bytes({{"messageId", "bin-1"},
                               {"fromNodeId", b.node_id()},
                               {"toNodeId", host->node_id()},
                               {"timestamp", now_ms()},
                               {"message", "sent as bytes"}}));
    ASSERT_TRUE(wait_for([&] { return b.text_reply() != nullptr; }));
    ASSERT_TRUE(b.received[0].ack);
    EXPECT_EQ(*b.received[0].ack, "bin-1");
    EXPECT_EQ(*b.text_reply()->message, "sent as bytes");
    b.ping->send_binary(bytes({{"messageId", "p-bin"},
                               {"timestamp", now_ms()},
                               {"fromNodeId", b.node_id()},
                               {"toNodeId", host->node_id()},
                               {"ping", json::object{{"direction", "ping"}, {"seq", 5}}}}));
    ASSERT_TRUE(wait_for([&] { return !b.pongs.empty(); }));
    EXPECT_EQ(b.pongs[0].ping->direction, "pong");
    EXPECT_EQ(b.pongs[0].ping->seq, 5);
}

TEST_F(BotsThroughServer, APeerFloodingOverItsBudgetIsCutShortAndOthersAreStillServed) {
    // A peer flooding `chat` gets only its budget read (ACKed and echoed); the rest is dropped
    // unread and counted. Another peer of the same bot is served meanwhile. (A small budget here,
    // so the flood is well above it without taking long; bots use peer_message_rate.)
    auto host = start_bot(std::make_shared<EchoBot>(), [](HostConfig& hc) {
        hc.message_budget = {.per_second = 100, .burst = 200};
    });
    ASSERT_TRUE(connect_to(*host));
    auto& flooder = browser();
    FakeBrowser other(server_.ws_url(), context_);
    ASSERT_TRUE(wait_for([&] { return other.registered(); }));
    other.call(host->node_id());
    ASSERT_TRUE(wait_for([&] { return other.chat->is_open(); }, 15s));

    constexpr std::size_t flood = 3000;
    for (std::size_t i = 0; i < flood; ++i) {
        flooder.send("flood " + std::to_string(i));
    }
    const auto id = other.send("and me?");
    ASSERT_TRUE(wait_for([&] { return other.text_reply() != nullptr; }));
    EXPECT_EQ(*other.text_reply()->message, "and me?");
    ASSERT_TRUE(other.received[0].ack);
    EXPECT_EQ(*other.received[0].ack, id);

    const auto echoes = [&] {
        return static_cast<std::size_t>(
            std::count_if(flooder.received.begin(), flooder.received.end(),
                          [](const common::ChatMessage& m) { return m.message.has_value(); }));
    };
    // Every flooded message is either echoed or dropped.
    ASSERT_TRUE(wait_for([&] {
        return echoes() + host->dropped_over_budget(flooder.node_id()) == flood;
    })) << echoes()
        << " echoed, " << host->dropped_over_budget(flooder.node_id()) << " dropped";
    EXPECT_GE(echoes(), 200u);  // the burst at least
    EXPECT_LT(echoes(), flood); // not all of it
    EXPECT_GT(host->dropped_over_budget(flooder.node_id()), 0u);
    EXPECT_EQ(host->dropped_over_budget(other.node_id()), 0u);
}

TEST_F(BotsThroughServer, APeerWhoseSignallingDropsKeepsItsConnectedChat) {
    auto host = start_bot(std::make_shared<EchoBot>());
    ASSERT_TRUE(connect_to(*host));
    auto& b = browser();
    b.send("before");
    ASSERT_TRUE(wait_for([&] { return b.text_reply() != nullptr; }));
    b.stop_signalling(); // the server announces it offline to the bot
    ASSERT_TRUE(wait_for([&] { return host->offline_notices() >= 1; }));
    EXPECT_EQ(host->peer_count(), 1u);
    const auto seen = b.received.size();
    b.send("during the outage"); // within the grace: it is still there
    ASSERT_TRUE(wait_for([&] { return b.text_reply(seen) != nullptr; }));
    EXPECT_EQ(*b.text_reply(seen)->message, "during the outage");
    // When the grace (3 s here) has run out, the peer that kept talking is still served.
    ASSERT_TRUE(wait_for([&] { return host->offline_checks() >= 1; }, 10s));
    EXPECT_EQ(host->peer_count(), 1u);
    const auto later = b.received.size();
    b.send("still here");
    ASSERT_TRUE(wait_for([&] { return b.text_reply(later) != nullptr; }));
    EXPECT_TRUE(b.chat->is_open());
}

TEST_F(BotsThroughServer, ANewConnectionFromTheSameNodeReplacesTheOldOne) {
    auto host = start_bot(std::make_shared<EchoBot>());
    ASSERT_TRUE(connect_to(*host));
    auto& b = browser();
    b.send("first");
    ASSERT_TRUE(wait_for([&] { return b.text_reply() != nullptr; }));
    // A fresh offer (new ICE credentials and DTLS certificate) from the same node id while the
    // old connection still looks alive: it is a new connection, not a renegotiation of the old.
    const auto seen = b.received.size();
    b.call_again();
    ASSERT_TRUE(wait_for([&] { return b.chat->is_open(); }, 15s)) << "the new connection failed";
    b.send("second");
    ASSERT_TRUE(wait_for([&] { return b.text_reply(seen) != nullptr; }));
    EXPECT_EQ(*b.text_reply(seen)->message, "second");
    EXPECT_EQ(host->peer_count(), 1u);
    // The old connection's end does not take the new one with it.
    wait_for([] { return false; }, 1s);
    EXPECT_EQ(host->peer_count(), 1u);
    const auto later = b.received.size();
    b.send("third");
    ASSERT_TRUE(wait_for([&] { return b.text_reply(later) != nullptr; }));
    EXPECT_EQ(*b.text_reply(later)->message, "third");
}

TEST_F(BotsThroughServer, ARenegotiationWithANewSessionIdKeepsTheConnection) {
    // Some stacks (aiortc) write a new `o=` session id into each description: a re-offer with
    // the connection's own ICE credentials and certificate renegotiates it, as PROTOCOL.md 4.10
    // has every later offer of a peer do, instead of replacing it.
    auto host = start_bot(std::make_shared<EchoBot>());
    ASSERT_TRUE(connect_to(*host));
    auto& b = browser();
    b.fresh_session_ids = true;
    b.send("first");
    ASSERT_TRUE(wait_for([&] { return b.text_reply() != nullptr; }));
    ASSERT_EQ(b.answers_from_bot.size(), 1U);
    b.renegotiate();
    ASSERT_TRUE(wait_for([&] { return b.answers_from_bot.size() == 2; }));
    EXPECT_EQ(ice_ufrag_of(b.answers_from_bot[1]), ice_ufrag_of(b.answers_from_bot[0]));
    // The same connection goes on: its channels stay open and the bot still answers on them.
    EXPECT_TRUE(b.chat->is_open());
    EXPECT_EQ(host->peer_count(), 1U);
    const auto seen = b.received.size();
    b.send("second");
    ASSERT_TRUE(wait_for([&] { return b.text_reply(seen) != nullptr; }));
    EXPECT_EQ(*b.text_reply(seen)->message, "second");
}

TEST_F(BotsThroughServer, APeerThatVanishesMidNegotiationIsDroppedAConnectedOneStays) {
    auto host = start_bot(std::make_shared<EchoBot>(), [](HostConfig& hc) {
        hc.connect_timeout = std::chrono::milliseconds(2000);
    });
    FakeBrowser ghost(server_.ws_url(), context_);
    ASSERT_TRUE(wait_for([&] { return ghost.registered(); }));
    ghost.vanished = true;
    ghost.call(host->node_id());
    ASSERT_TRUE(wait_for([&] { return host->peer_count() == 1; }));
    ASSERT_TRUE(connect_to(*host));
    ASSERT_EQ(host->peer_count(), 2u);
    // The ghost's signalling stays up (no offline), yet its half-made connection goes.
    EXPECT_TRUE(wait_for([&] { return host->peer_count() == 1; }, 8s));
    EXPECT_TRUE(ghost.registered());
    // The connected peer outlives the timeout and is still served.
    wait_for([] { return false; }, 1s);
    EXPECT_EQ(host->peer_count(), 1u);
    browser().send("still served");
    EXPECT_TRUE(wait_for([&] { return browser().text_reply() != nullptr; }));
}

TEST_F(BotsThroughServer, APeerWhosePathDiedIsRestartedThreeTimesThenDropped) {
    // The browser's end of the path vanishes silently while its signalling stays up. The bot
    // sees the path fail (libnice's keepalive requests go unanswered, about 50 s; before, it
    // stayed `connected` and kept the peer for ever), re-offers with new ICE credentials 3
    // times, each given the restart timeout, then drops the peer.
    auto host = start_bot(std::make_shared<EchoBot>(), [](HostConfig& hc) {
        hc.ice_restart_delay = std::chrono::milliseconds(200);
        hc.ice_restart_timeout = std::chrono::milliseconds(3000);
    });
    ASSERT_TRUE(connect_to(*host));
    // The bot has the channels too (the browser sees its own open before the bot has them).
    browser().send("hello");
    ASSERT_TRUE(wait_for([&] { return browser().text_reply() != nullptr; }));
    ASSERT_EQ(browser().answers_from_bot.size(), 1U);
    const auto first = ice_ufrag_of(browser().answers_from_bot.front());
    browser().vanish_silently();
    ASSERT_TRUE(wait_for([&] { return host->peer_count() == 0; }, 100s));
    const auto& offers = browser().offers_from_bot;
    ASSERT_EQ(offers.size(), 3U);
    std::set<std::string> ufrags{first};
    for (const auto& sdp : offers) {
        EXPECT_NE(sdp.find("m=application"), std::string::npos) << sdp;
        ufrags.insert(ice_ufrag_of(sdp));
    }
    EXPECT_EQ(ufrags.size(), 4U); // each restart with credentials of its own
}

TEST_F(BotsThroughServer, CounterBotCountsPerPeerKeepsLeaversUpToALimit) {
    auto bot = std::make_shared<CounterBot>(1); // keeps the counter of the latest leaver only
    auto host = start_bot(bot);
    ASSERT_TRUE(connect_to(*host));
    auto& b = browser();
    b.send("/increase");
    b.send("/increase");
    b.send("not a command");
    b.send("/reset");
    b.send("/increase");
    // ACK + reply for each command, ACK only for the unknown text: 9 messages.
    ASSERT_TRUE(wait_for([&] { return b.received.size() >= 9; }));
    std::vector<std::string> replies;
    for (const auto& m : b.received) {
        if (m.message) {
            replies.push_back(*m.message);
        }
    }
    EXPECT_EQ(replies, (std::vector<std::string>{"Counter increased! Current value: 1",
                                                 "Counter increased! Current value: 2",
                                                 "Counter reset! Current value: 0",
                                                 "Counter increased! Current value: 1"}));
    EXPECT_EQ(bot->tracked_peers(), 1u);
    // The browser leaves: its connection goes, its counter stays (keyed by node id, 6.3).
    browser_.reset();
    ASSERT_TRUE(wait_for([&] { return host->peer_count() == 0; }));
    EXPECT_EQ(bot->tracked_peers(), 1u);
    // A second peer counts on its own; once it has left too, the older leaver is forgotten.
    ASSERT_TRUE(connect_to(*host));
    browser().send("/increase");
    ASSERT_TRUE(wait_for([&] { return browser().text_reply(0) != nullptr; }));
    EXPECT_EQ(*browser().text_reply(0)->message, "Counter increased! Current value: 1");
    EXPECT_EQ(bot->tracked_peers(), 2u);
    browser_.reset();
    EXPECT_TRUE(wait_for([&] { return host->peer_count() == 0 && bot->tracked_peers() == 1; }));
}

TEST_F(BotsThroughServer, ClockBotUpdatesTimeThroughANewMsgpatchChannelPerNow) {
    auto bot = clock_after_now();
    ASSERT_TRUE(bot);
    auto& b = browser();
    const auto first = *b.text_reply();
    EXPECT_EQ(first.message->rfind("🕐 Current Time: ", 0), 0u) << *first.message;
    ASSERT_TRUE(wait_for([&] { return b.patches.size() >= 2; }, 5s));
    EXPECT_EQ(b.patches[0].kind, common::PatchKind::replace);
    EXPECT_EQ(b.patches[0].message_id, first.message_id);
    EXPECT_EQ(b.patches[0].value.rfind("🕐 Current Time: ", 0), 0u);
    ASSERT_EQ(b.patch_channels.size(), 1u);

    // A second /now (PROTOCOL.md 6.4): a new message id, and its patches come on a new msgpatch
    // channel (4.2: one per /now); the previous one carries no more and is closed.
    const auto seen = b.received.size();
    b.send("/now");
    ASSERT_TRUE(wait_for([&] { return b.text_reply(seen) != nullptr; }));
    const auto second_id = b.text_reply(seen)->message_id;
    EXPECT_NE(second_id, first.message_id);
    ASSERT_TRUE(wait_for([&] { return b.patches.back().message_id == second_id; }, 5s));
    EXPECT_EQ(b.patch_channels.size(), 2u);
    EXPECT_EQ(b.patch_channel_of.back(), 1u);
    EXPECT_TRUE(wait_for([&] { return b.patch_channels[0]->is_closed(); }, 5s));
    for (std::size_t i = 0; i < b.patches.size(); ++i) {
        EXPECT_EQ(b.patch_channel_of[i], b.patches[i].message_id == second_id ? 1u : 0u);
    }
    EXPECT_EQ(bot->running_clocks(), 1u);
}

TEST_F(BotsThroughServer, ClockBotStopsWhenThePeerClosesTheMsgpatchChannel) {
    auto bot = clock_after_now();
    ASSERT_TRUE(bot);
    auto& b = browser();
    ASSERT_TRUE(wait_for([&] { return !b.patches.empty(); }, 5s));
    EXPECT_EQ(bot->running_clocks(), 1u);
    b.patch_channels.at(0)->close();
    ASSERT_TRUE(wait_for([&] { return bot->running_clocks() == 0; }, 5s));
    EXPECT_EQ(b.patch_channels.size(), 1u); // no new channel was opened for the clock
    // The bot still answers, and a new /now starts a clock on a new channel.
    b.send("/now");
    ASSERT_TRUE(
        wait_for([&] { return bot->running_clocks() == 1 && b.patch_channels.size() == 2; }, 5s));
}

TEST_F(BotsThroughServer, ClockBotStopsWhenAnyChatChannelOfThePeerCloses) {
    // PROTOCOL.md 6.4: a peer has one clock, which stops when the chat channel closes. The
    // original stops the peer's clock when any of its chat channels closes, the one `/now` came
    // on or another; the connection and its other channels stay up.
    auto bot = std::make_shared<ClockBot>(context_);
    auto host = start_bot(bot);
    ASSERT_TRUE(connect_to(*host));
    auto& b = browser();
    std::vector<common::ChatMessage> on_chat2;
    auto chat2 = open_chat(on_chat2);
    ASSERT_TRUE(chat2);
    b.send_on(*chat2, "/now");
    ASSERT_TRUE(wait_for([&] { return on_chat2.size() >= 2 && !b.patches.empty(); }, 5s));
    EXPECT_EQ(bot->running_clocks(), 1u);
    // The channel `/now` came on closes while the first one stays open: the clock stops.
    chat2->close();
    ASSERT_TRUE(wait_for([&] { return bot->running_clocks() == 0; }, 5s));
    EXPECT_TRUE(wait_for([&] { return b.patch_channels.at(0)->is_closed(); }, 5s));
    EXPECT_EQ(host->peer_count(), 1u);

    // `/now` on the first channel starts a clock again; another chat channel closing stops it.
    b.send("/now");
    ASSERT_TRUE(
        wait_for([&] { return bot->running_clocks() == 1 && b.patch_channels.size() == 2; }, 5s));
    std::vector<common::ChatMessage> on_chat3;
    auto chat3 = open_chat(on_chat3);
    ASSERT_TRUE(chat3);
    b.send_on(*chat3, "/start"); // the bot serves chat3: it knows the channel before it closes
    ASSERT_TRUE(wait_for([&] { return on_chat3.size() >= 2; }));
    EXPECT_EQ(bot->running_clocks(), 1u);
    chat3->close();
    ASSERT_TRUE(wait_for([&] { return bot->running_clocks() == 0; }, 5s));
    EXPECT_TRUE(wait_for([&] { return b.patch_channels.at(1)->is_closed(); }, 5s));
    // The first channel is still served.
    const auto seen = b.received.size();
    b.send("/start");
    EXPECT_TRUE(wait_for([&] { return b.text_reply(seen) != nullptr; }));
    EXPECT_EQ(host->peer_count(), 1u);
}

TEST_F(BotsThroughServer, MusicBotAddsOpusTrackByRenegotiationAndSwitchesTracks) {
    auto bot = std::make_shared<MusicBot>();
    auto host = start_bot(bot);
    ASSERT_TRUE(connect_to(*host));
    auto& b = browser();
    auto replies = [&] { return b.texts(); };
    b.send("/play Nope");
    b.send("/play A4");
    ASSERT_TRUE(wait_for([&] { return replies().size() >= 2; }));
    EXPECT_EQ(replies()[0], "Error: Track 'Nope' not found. Use /list to see available tracks.");
    EXPECT_EQ(replies()[1], "Now playing: A4");
    // The bot offered an audio track on the live connection; one second of Opus arrives.
    ASSERT_TRUE(wait_for([&] { return b.audio_packets >= 50; }, 15s)) << b.audio_packets;
    EXPECT_EQ(bot->find("A4")->listener_count(), 1u);

    b.send("/play WhiteNoise");
    ASSERT_TRUE(wait_for([&] { return replies().size() >= 3; }));
    EXPECT_EQ(replies()[2], "Now playing: WhiteNoise");
    EXPECT_EQ(bot->find("A4")->listener_count(), 0u);
    EXPECT_FALSE(bot->find("A4")->running());
    const int before = b.audio_packets;
    EXPECT_TRUE(wait_for([&] { return b.audio_packets >= before + 25; }, 10s));

    browser_.reset();
    EXPECT_TRUE(wait_for([&] { return !bot->find("WhiteNoise")->running(); }));
}

TEST_F(BotsThroughServer, ChatBotStreamsTheReplyAsAppendsThenCompletesIt) {
    FakeLlmServer llm;
    LlmConfig config;
    config.base_url = llm.base_url();
    config.model = "test/model";
    config.api_key = "key-123";
    config.timeout = std::chrono::milliseconds(5000);
    auto bot = std::make_shared<ChatBot>(config, 4);
    auto host = start_bot(bot);
    ASSERT_TRUE(connect_to(*host));
    auto& b = browser();
    // The upstream answers once the msgpatch channel is up, as a real one (hundreds of ms) does;
    // an answer faster than the channel's opening is covered by the final replace order alone.
    llm.hold = true;
    b.send("Say hello", true);
    ASSERT_TRUE(
        wait_for([&] { return !b.patch_channels.empty() && b.patch_channels[0]->is_open(); }));
    // A ping round trip after that: the bot has seen the channel's opening acknowledged too.
    ASSERT_TRUE(wait_for([&] { return b.ping->is_open(); }));
    b.ping->send_text(
        json::serialize(json::object{{"messageId", "p42"},
                                     {"timestamp", now_ms()},
                                     {"ping", json::object{{"direction", "ping"}, {"seq", 42}}}}));
    ASSERT_TRUE(wait_for([&] { return !b.pongs.empty(); }));
    llm.release();
    ASSERT_TRUE(wait_for([&] { return b.text_reply() != nullptr; }));
    const auto reply = *b.text_reply();
    EXPECT_EQ(*reply.message, ""); // announced empty, then filled by patches
    EXPECT_TRUE(b.received[0].ack);
    ASSERT_TRUE(wait_for(
        [&] { return !b.patches.empty() && b.patches.back().kind == common::PatchKind::replace; }));
    // Applied as the web client does: start from the message text, apply in arrival order.
    std::string shown = *reply.message;
    int appends = 0;
    for (const auto& p : b.patches) {
        ASSERT_EQ(p.message_id, reply.message_id);
        if (p.kind == common::PatchKind::append) {
            shown += p.value;
            ++appends;
        } else {
            EXPECT_EQ(p.value, shown); // the completion confirms what streamed in
            shown = p.value;
        }
    }
    EXPECT_GE(appends, 2) << "the reply did not grow in parts";
    EXPECT_EQ(shown, "Hello, world!");

    // The request: model, streaming, system prompt + user turn, bearer key.
    ASSERT_EQ(llm.bodies.size(), 1u);
    auto body = json::parse(llm.bodies[0]).as_object();
    EXPECT_EQ(body.at("model"), "test/model");
    EXPECT_EQ(body.at("stream"), true);
    EXPECT_EQ(body.at("messages").as_array().size(), 2u);
    EXPECT_EQ(llm.authorizations[0], "Bearer key-123");

    // History is kept per peer and bounded (4 turns + system prompt).
    for (int i = 0; i < 3; ++i) {
        const auto before = b.patches.size();
        b.send("more " + std::to_string(i), true);
        ASSERT_TRUE(wait_for([&] {
            return b.patches.size() > before && b.patches.back().kind == common::PatchKind::replace;
        }));
    }
    EXPECT_EQ(json::parse(llm.bodies.back()).at("messages").as_array().size(), 4u);
    EXPECT_LE(bot->history(b.node_id())->turns().size(), 4u);

    // Upstream errors are reported without the upstream body.
    llm.status = 401;
    const auto before = b.patches.size();
    b.send("fail please", true);
    ASSERT_TRUE(wait_for([&] { return b.patches.size() > before; }));
    const auto& last = b.patches.back();
    EXPECT_NE(last.value.find("API error (status 401)"), std::string::npos) << last.value;
    EXPECT_EQ(last.value.find("sk-999"), std::string::npos);
}

TEST_F(BotsThroughServer, ChatBotReportsAnUpstreamThatNeverAnswers) {
    FakeLlmServer llm;
    llm.hang = true;
    LlmConfig config;
    config.base_url = llm.base_url();
    config.model = "test/model";
    config.api_key = "k";
    config.timeout = std::chrono::milliseconds(1000);
    auto bot = std::make_shared<ChatBot>(config);
    auto host = start_bot(bot);
    ASSERT_TRUE(connect_to(*host));
    auto& b = browser();
    b.send("are you there?", true);
    ASSERT_TRUE(wait_for([&] { return b.text_reply() != nullptr; }));
    ASSERT_TRUE(wait_for([&] { return !b.patches.empty(); }, 5s));
    EXPECT_EQ(b.patches.back().kind, common::PatchKind::replace);
    EXPECT_NE(b.patches.back().value.find("did not answer in time"), std::string::npos)
        << b.patches.back().value;
}

TEST_F(BotsThroughServer, ChatBotAnswersOtherPeersWithOnePlainMessageInTurn) {
    // A peer that does not ask for streaming (the original web client, a scripted peer) gets the
    // whole answer as one plain message, as from the original ChatBot; here the upstream also
    // answers with one JSON object instead of a stream.
    FakeLlmServer llm;
    llm.plain_json = true;
    llm.hold = true;
    LlmConfig config;
    config.base_url = llm.base_url();
    config.model = "test/model";
    config.api_key = "k";
    auto bot = std::make_shared<ChatBot>(config);
    auto host = start_bot(bot);
    ASSERT_TRUE(connect_to(*host));
    auto& b = browser();
    std::vector<std::string> ids;
    ids.push_back(b.send("first"));
    ASSERT_TRUE(wait_for([&] { return llm.bodies.size() == 1; }));
    // Sent while the first is being answered: they wait their turn, up to max_waiting of them.
    for (std::size_t i = 0; i <= ChatBot::max_waiting; ++i) {
        ids.push_back(b.send("next " + std::to_string(i)));
    }
    const auto acks = [&] {
        return std::count_if(b.received.begin(), b.received.end(),
                             [](const common::ChatMessage& m) { return m.ack.has_value(); });
    };
    ASSERT_TRUE(wait_for([&] { return acks() == static_cast<long>(ids.size()); }));
    ASSERT_TRUE(wait_for([&] { return b.text_reply() != nullptr; }));
    EXPECT_EQ(*b.text_reply()->message, ChatBot::busy_text); // the one beyond max_waiting
    llm.release();
    const auto replies = [&] {
        std::vector<std::string> out;
        for (const auto& m : b.received) {
            if (m.message && *m.message != ChatBot::busy_text) {
                out.push_back(*m.message);
            }
        }
        return out;
    };
    ASSERT_TRUE(wait_for([&] { return replies().size() == 1 + ChatBot::max_waiting; }, 10s));
    for (const auto& r : replies()) {
        EXPECT_EQ(r, "Hello, world!");
    }
    EXPECT_TRUE(b.patch_channels.empty()); // nothing streamed, no msgpatch channel
    // Answered in order, each with the history before it.
    ASSERT_EQ(llm.bodies.size(), 1 + ChatBot::max_waiting);
    // The original's request: model, messages and reasoning off; no streaming asked for.
    const auto first = json::parse(llm.bodies[0]).as_object();
    EXPECT_FALSE(first.contains("stream")) << llm.bodies[0];
    EXPECT_EQ(first.at("reasoning"), (json::object{{"enabled", false}}));
    EXPECT_EQ(first.at("model"), "test/model");
    const auto second = json::parse(llm.bodies[1]).at("messages").as_array();
    ASSERT_EQ(second.size(), 4u); // system, first, its answer, next 0
    EXPECT_EQ(second[1].at("content"), "first");
    EXPECT_EQ(second[2].at("content"), "Hello, world!");
    EXPECT_EQ(second[3].at("content"), "next 0");
}

TEST_F(BotsThroughServer, ChatBotKeepsEveryReplyItSentInTheHistory) {
    // PROTOCOL.md 6.6: the original's reply is choices[0].message.content, an empty one too, or
    // an apology when there is no choice; it stores each reply it sends and gives it back to the
    // model as an assistant turn, the apology and an error report too.
    FakeLlmServer llm;
    llm.plain_json = true;
    llm.no_choices = true;
    auto host = start_bot(std::make_shared<ChatBot>(config_for(llm)));
    ASSERT_TRUE(connect_to(*host));
    auto& b = browser();
    const auto replies = [&] { return b.texts(); };
    b.send("one");
    ASSERT_TRUE(wait_for([&] { return replies().size() == 1; }));
    llm.status = 500;
    b.send("two");
    ASSERT_TRUE(wait_for([&] { return replies().size() == 2; }));
    llm.status = 200;
    llm.no_choices = false;
    llm.tokens = {}; // an answer whose content is empty
    b.send("three");
    ASSERT_TRUE(wait_for([&] { return replies().size() == 3; }));
    llm.tokens = {"fine"};
    b.send("four");
    ASSERT_TRUE(wait_for([&] { return replies().size() == 4; }));
    const auto sent = replies();
    EXPECT_EQ(sent[0], "I apologize, but I couldn't generate a response at this time.");
    EXPECT_EQ(sent[1].rfind("API error (status 500)", 0), 0u) << sent[1];
    EXPECT_EQ(sent[2], "");
    EXPECT_EQ(sent[3], "fine");
    ASSERT_EQ(llm.bodies.size(), 4u);
    const auto messages = json::parse(llm.bodies[3]).at("messages").as_array();
    ASSERT_EQ(messages.size(), 8u) << llm.bodies[3]; // system, then four turns and three replies
    for (std::size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(messages[2 + 2 * i].at("role"), "assistant");
        EXPECT_EQ(messages[2 + 2 * i].at("content").as_string(), sent[i]);
    }
    EXPECT_EQ(messages[7].at("content"), "four");
}

TEST_F(BotsThroughServer, ChatBotGoesOnWithAConversationWhenItsPeerCallsAgain) {
    // PROTOCOL.md 6.6: the original keeps a conversation under the peer's node id for good, so a
    // peer that calls again under that id (a new RTCPeerConnection) goes on with it. Here the
    // conversations of the latest leavers are kept (of one, in this test).
    FakeLlmServer llm;
    llm.plain_json = true;
    auto bot = std::make_shared<ChatBot>(config_for(llm), 20, 1);
    auto host = start_bot(bot);
    ASSERT_TRUE(connect_to(*host));
    auto& b = browser();
    b.send("first");
    ASSERT_TRUE(wait_for([&] { return b.texts().size() == 1; }));
    b.call_again(); // the bot drops the old connection for the new one
    ASSERT_TRUE(wait_for([&] { return b.chat->is_open(); }, 15s));
    b.send("second");
    ASSERT_TRUE(wait_for([&] { return b.texts().size() == 2; }));
    ASSERT_EQ(llm.bodies.size(), 2u);
    const auto messages = json::parse(llm.bodies[1]).at("messages").as_array();
    ASSERT_EQ(messages.size(), 4u) << llm.bodies[1]; // system, first, its answer, second
    EXPECT_EQ(messages[1].at("content"), "first");
    EXPECT_EQ(messages[2].at("content"), "Hello, world!");
    EXPECT_EQ(messages[3].at("content"), "second");
    // Another peer's conversation, once that peer has left too, pushes the older leaver's out.
    browser_.reset();
    ASSERT_TRUE(wait_for([&] { return host->peer_count() == 0; }));
    EXPECT_EQ(bot->conversation_count(), 1u);
    ASSERT_TRUE(connect_to(*host));
    browser().send("hello");
    ASSERT_TRUE(wait_for([&] { return browser().texts().size() == 1; }));
    EXPECT_EQ(bot->conversation_count(), 2u);
    browser_.reset();
    EXPECT_TRUE(
        wait_for([&] { return host->peer_count() == 0 && bot->conversation_count() == 1; }));
}

TEST_F(BotsThroughServer, ChatBotStartsAfreshWhenCalledUnderItsNextNodeId) {
    // PROTOCOL.md 6.6: the original's conversation key is `<bot node id>-<peer node id>`, with the
    // bot's id as the connection was made: once the bot is registered under another id (its
    // signalling reconnected), a peer calling it there starts a new conversation.
    FakeLlmServer llm;
    llm.plain_json = true;
    auto bot = std::make_shared<ChatBot>(config_for(llm));
    auto host = start_bot(bot);
    const auto first_id = host->node_id();
    ASSERT_TRUE(connect_to(*host));
    browser().send("first");
    ASSERT_TRUE(wait_for([&] { return browser().texts().size() == 1; }));
    host->stop();
    auto again = start_bot(bot); // the same bot under a new node id
    ASSERT_NE(again->node_id(), first_id);
    ASSERT_TRUE(connect_to(*again));
    browser().send("second");
    ASSERT_TRUE(wait_for([&] { return browser().texts().size() == 2; }));
    ASSERT_EQ(llm.bodies.size(), 2u);
    EXPECT_EQ(json::parse(llm.bodies[1]).at("messages").as_array().size(), 2u) << llm.bodies[1];
}

TEST_F(BotsThroughServer, ChatBotSplitsAPlainAnswerTooLongForOneMessage) {
    // A bot's data channel takes 64 KiB per message: a longer answer to a peer that does not
    // stream arrives whole, in several plain messages, instead of being lost after the ACK.
    FakeLlmServer llm;
    llm.plain_json = true;
    llm.tokens = {std::string(70 * 1024, 'a') + "end"};
    auto host = start_bot(std::make_shared<ChatBot>(config_for(llm)));
    ASSERT_TRUE(connect_to(*host));
    auto& b = browser();
    b.send("write a lot");
    const auto text = [&] {
        std::string all;
        for (const auto& m : b.received) {
            all += m.message.value_or("");
        }
        return all;
    };
    ASSERT_TRUE(wait_for([&] { return text().size() >= llm.tokens[0].size(); }, 10s));
    EXPECT_EQ(text(), llm.tokens[0]);
}

TEST_F(BotsThroughServer, ChatBotWithoutModelSaysSoAndOtherBotsWork) {
    auto chat = start_bot(std::make_shared<ChatBot>(LlmConfig{}));
    ASSERT_TRUE(connect_to(*chat));
    browser().send("hi");
    ASSERT_TRUE(wait_for([&] { return browser().text_reply() != nullptr; }));
    EXPECT_NE(browser().text_reply()->message->find("not configured"), std::string::npos);
}

int count_entries(const char* path) {
    int n = 0;
    if (GDir* d = g_dir_open(path, 0, nullptr)) {
        while (g_dir_read_name(d) != nullptr) {
            ++n;
        }
        g_dir_close(d);
    }
    return n;
}

TEST_F(BotsThroughServer, StoppedBotLeavesNoFdsOrThreadsBehind) {
    auto round = [&] {
        auto host = start_bot(std::make_shared<EchoBot>());
        EXPECT_TRUE(connect_to(*host));
        browser().send("x");
        EXPECT_TRUE(wait_for([&] { return browser().received.size() >= 2; }));
        browser_.reset();
        EXPECT_TRUE(wait_for([&] { return host->peer_count() == 0; }));
        host->stop();
        hosts_.clear();
    };
    round(); // warm-up: GStreamer, libsoup and GLib create some state once
    wait_for([] { return false; }, 300ms);
    const int fds = count_entries("/proc/self/fd");
    const int threads = count_entries("/proc/self/task");
    round();
    round();
    EXPECT_TRUE(wait_for([&] { return count_entries("/proc/self/fd") <= fds; }, 5s))
        << count_entries("/proc/self/fd") << " fds, " << fds << " before";
    EXPECT_TRUE(wait_for([&] { return count_entries("/proc/self/task") <= threads + 2; }, 5s))
        << count_entries("/proc/self/task") << " threads, " << threads << " before";
}

TEST_F(BotsThroughServer, AfterAServerRestartSilentPeersAreDroppedTalkingOnesKept) {
    auto host = start_bot(std::make_shared<EchoBot>());
    ASSERT_TRUE(connect_to(*host));
    FakeBrowser silent(server_.ws_url(), context_);
    ASSERT_TRUE(wait_for([&] { return silent.registered(); }));
    silent.call(host->node_id());
    ASSERT_TRUE(wait_for([&] { return silent.chat->is_open(); }, 15s));
    ASSERT_EQ(host->peer_count(), 2u);
    const int port = server_.port();
    server_.stop(); // no `offline` for anyone: the new server never knew them
    ASSERT_TRUE(wait_for([&] { return !host->registered(); }));
    ASSERT_TRUE(server_.start(port));
    ASSERT_TRUE(wait_for([&] { return host->registered(); }, 15s));
    // The connections survive the restart. One peer keeps talking through the grace (3 s here),
    // the other falls silent, as one that left while the server was down.
    auto& b = browser();
    const auto start = std::chrono::steady_clock::now();
    while (host->offline_checks() < 2 && std::chrono::steady_clock::now() - start < 10s) {
        b.send("tick");
        wait_for([] { return false; }, 300ms);
    }
    EXPECT_EQ(host->offline_checks(), 2u);
    EXPECT_EQ(host->peer_count(), 1u);
    const auto seen = b.received.size();
    b.send("still here");
    EXPECT_TRUE(wait_for([&] {
        return std::any_of(b.received.begin() + static_cast<std::ptrdiff_t>(seen), b.received.end(),
                           [](const auto& m) { return m.message && *m.message == "still here"; });
    }));
}

TEST_F(BotsThroughServer, BotReregistersWithNewNodeIdAfterServerRestart) {
    auto host = start_bot(std::make_shared<EchoBot>());
    const auto old_id = host->node_id();
    const int port = server_.port();
    server_.stop();
    ASSERT_TRUE(wait_for([&] { return !host->registered(); }));
    ASSERT_TRUE(server_.start(port));
    ASSERT_TRUE(wait_for([&] { return host->registered(); }, 15s));
    EXPECT_NE(host->node_id(), old_id);
    // And it answers calls with the new id.
    ASSERT_TRUE(connect_to(*host));
    browser().send("again");
    EXPECT_TRUE(wait_for([&] { return browser().received.size() >= 2; }));
}

TEST_F(BotsThroughServer, BotsRelayThroughTurnCredentialsFromTheServer) {
    // coturn with REST credentials; the server hands them out at /api/ice-servers; the bot has
    // no --ice-server of its own, fetches them with its signalling identity and gathers a relay
    // candidate through coturn for the browser.
    CoturnProcess turn;
    if (turn.url().find("127.0.0.1") != std::string::npos) {
        GTEST_SKIP() << "no non-loopback IPv4 address: libnice would not reach a relay";
    }
    ASSERT_TRUE(turn.start());
    server_.stop();
    ASSERT_TRUE(
        server_.start(0, {"--turn-url", turn.url()}, {"TURN_STATIC_AUTH_SECRET=" + turn.secret()}));
    auto host = start_bot(std::make_shared<EchoBot>(), [](HostConfig& hc) { hc.ice_servers = {}; });
    const auto* credentials = host->turn_credentials();
    ASSERT_NE(credentials, nullptr);
    ASSERT_TRUE(wait_for([&] { return !credentials->urls().empty(); }));
    EXPECT_EQ(credentials->urls()[0].rfind("turn://", 0), 0u) << credentials->urls()[0];
    ASSERT_TRUE(connect_to(*host));
    auto& b = browser();
    EXPECT_TRUE(wait_for([&] {
        return std::any_of(b.remote_candidates.begin(), b.remote_candidates.end(),
                           [](const std::string& c) { return c.find(" typ relay ") != c.npos; });
    }));
    b.send("through the relay's server");
    EXPECT_TRUE(wait_for([&] { return b.text_reply() != nullptr; }));
}

TEST_F(BotsThroughServer, WithoutARelayOnTheServerBotsGoOnWithoutOne) {
    auto host = start_bot(std::make_shared<EchoBot>());
    const auto* credentials = host->turn_credentials();
    ASSERT_NE(credentials, nullptr);
    ASSERT_TRUE(wait_for([&] { return credentials->answers() == 1; })); // the server's 404
    EXPECT_TRUE(credentials->urls().empty());
    ASSERT_TRUE(connect_to(*host));
    browser().send("no relay needed");
    EXPECT_TRUE(wait_for([&] { return browser().text_reply() != nullptr; }));
}

} // namespace
} // namespace tincan::agents::test
