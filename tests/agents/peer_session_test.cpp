// Two webrtcbin peers in one process: data channels and Opus audio, wired without a server.

#include "proc_counts.hpp"
#include "rtc_fixture.hpp"

#include <gst/app/gstappsink.h>
#include <nice/agent.h>

#include <atomic>
#include <sstream>
#include <thread>
#include <tuple>
#include <vector>

namespace tincan::agents::test {
namespace {

std::shared_ptr<PeerSession> make_peer(const std::string& name, GMainContext* context,
                                       std::function<GstElement*()> make_sink = {}) {
    PeerConfig config;
    config.name = name;
    config.context = context;
    config.make_media_sink = std::move(make_sink);
    auto peer = PeerSession::create(std::move(config));
    EXPECT_NE(peer, nullptr);
    return peer;
}

GstElement* make_bin(const char* description) {
    GError* error = nullptr;
    GstElement* bin = gst_parse_bin_from_description(description, TRUE, &error);
    EXPECT_EQ(error, nullptr) << (error != nullptr ? error->message : "");
    g_clear_error(&error);
    return bin;
}

/// Counts Opus RTP packets depayloaded into an appsink.
struct OpusCounter {
    std::atomic<int> packets{0};
    GstElement* make() {
        GstElement* bin = make_bin("rtpopusdepay ! appsink name=out emit-signals=true sync=false");
        GstElement* sink = gst_bin_get_by_name(GST_BIN(bin), "out");
        g_signal_connect(
            sink, "new-sample", G_CALLBACK(+[](GstAppSink* s, OpusCounter* self) {
                GstSample* sample = gst_app_sink_pull_sample(s);
                GstCaps* caps = gst_sample_get_caps(sample);
                if (caps != nullptr &&
                    gst_structure_has_name(gst_caps_get_structure(caps, 0), "audio/x-opus")) {
                    ++self->packets;
                }
                gst_sample_unref(sample);
                return GST_FLOW_OK;
            }),
            this);
        gst_object_unref(sink);
        return bin;
    }
};

const char* opus_source =
    "audiotestsrc is-live=true wave=sine freq=440 ! audio/x-raw,rate=48000,channels=2 ! "
    "opusenc ! rtpopuspay pt=111";

class PeerSessionTest : public MainContextTest {
protected:
    /// A message near webrtcbin's 64 KiB limit, to fill a channel's send buffer quickly.
    static DataChannel::Binary flood_chunk() { return DataChannel::Binary(60000, 0x5a); }

    /// Connects a and b, and a offers a `chat` channel to b; true once it is open on both ends
    /// (b's end in `remote`).
    bool open_chat(Wiring& w, std::shared_ptr<DataChannel>& chat,
                   std::shared_ptr<DataChannel>& remote) {
        w.connect();
        w.b->on_data_channel([&remote](std::shared_ptr<DataChannel> dc) { remote = dc; });
        chat = w.a->create_data_channel("chat");
        w.a->create_offer();
        return wait_for([&] { return chat && chat->is_open() && remote && remote->is_open(); });
    }
};

TEST(AnnouncedSdp, AudioLinesSayOpusWithTheOriginalsParametersAndAnMsid) {
    // PROTOCOL.md 4.1: Opus/48000/2, `minptime=10;useinbandfec=1`, payload type 111 (Pion writes
    // `opus`); 5.3: the track's ids, which webrtcbin 1.22 puts only in an ssrc-level msid. A
    // bundle-only m-line gets port 9, as in Pion's offers (port 0 reads as rejected to some); a
    // rejected one (port 0 alone) stays so.
    const std::string offer = "v=0\r\n"
                              "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"
                              "a=mid:application0\r\n"
                              "m=audio 0 UDP/TLS/RTP/SAVPF 111\r\n"
                              "a=bundle-only\r\n"
                              "a=sendonly\r\n"
                              "a=rtpmap:111 OPUS/48000/2\r\n"
                              "a=ssrc:7 msid:stream-1 track-1\r\n"
                              "a=ssrc:7 cname:x\r\n"
                              "m=audio 0 UDP/TLS/RTP/SAVPF 111\r\n"
                              "a=sendonly\r\n"
                              "a=rtpmap:111 OPUS/48000/2\r\n"
                              "a=fmtp:111 sprop-stereo=1;useinbandfec=0\r\n"
                              "a=msid:stream-2 track-2\r\n"
                              "a=ssrc:8 msid:stream-2 track-2\r\n";
    EXPECT_EQ(PeerSession::announce_audio(offer),
              "v=0\r\n"
              "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"
              "a=mid:application0\r\n"
              "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
              "a=sendonly\r\n"
              "a=rtpmap:111 opus/48000/2\r\n"
              "a=fmtp:111 minptime=10;useinbandfec=1\r\n"
              "a=msid:stream-1 track-1\r\n"
              "a=ssrc:7 msid:stream-1 track-1\r\n"
              "a=ssrc:7 cname:x\r\n"
              "m=audio 0 UDP/TLS/RTP/SAVPF 111\r\n"
              "a=sendonly\r\n"
              "a=rtpmap:111 opus/48000/2\r\n"
              "a=fmtp:111 sprop-stereo=1;useinbandfec=0;minptime=10\r\n"
              "a=msid:stream-2 track-2\r\n"
              "a=ssrc:8 msid:stream-2 track-2\r\n");
    // Without audio, nothing changes.
    const std::string answer = "v=0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n";
    EXPECT_EQ(PeerSession::announce_audio(answer), answer);
}

TEST_F(PeerSessionTest, DataChannelTextAndBinaryRoundTrip) {
    Wiring w{make_peer("a", context_), make_peer("b", context_)};
    w.connect();

    // b echoes everything back on the channel a created.
    std::shared_ptr<DataChannel> remote;
    w.b->on_data_channel([&](std::shared_ptr<DataChannel> dc) {
        remote = dc;
        std::weak_ptr<DataChannel> weak = dc;
        dc->on_text([weak](std::string t) { weak.lock()->send_text("echo:" + t); });
        dc->on_binary([weak](DataChannel::Binary b) {
            std::reverse(b.begin(), b.end());
            weak.lock()->send_binary(b);
        });
    });
    auto chat = w.a->create_data_channel("chat");
    ASSERT_NE(chat, nullptr);
    std::vector<std::string> texts;
    std::vector<DataChannel::Binary> binaries;
    bool opened = false;
    chat->on_open([&] { opened = true; });
    chat->on_text([&](std::string t) { texts.push_back(std::move(t)); });
    chat->on_binary([&](DataChannel::Binary b) { binaries.push_back(std::move(b)); });
    w.a->create_offer();

    ASSERT_TRUE(wait_for([&] { return opened; }));
    ASSERT_TRUE(wait_for([&] { return remote && remote->is_open(); }));
    EXPECT_EQ(remote->label(), "chat");

    DataChannel::Binary small{0, 1, 2, 3, 255};
    DataChannel::Binary largest(max_message_size);
    for (size_t i = 0; i < largest.size(); ++i) {
        largest[i] = static_cast<std::uint8_t>(i * 7);
    }
    EXPECT_TRUE(chat->send_text("héllo 🎵"));
    EXPECT_TRUE(chat->send_binary(small));
    EXPECT_TRUE(chat->send_binary(largest));
    EXPECT_FALSE(chat->send_binary(DataChannel::Binary(max_message_size + 1)));

    ASSERT_TRUE(wait_for([&] { return texts.size() == 1 && binaries.size() == 2; }))
        << texts.size() << " texts, " << binaries.size() << " binaries";
    EXPECT_EQ(texts[0], "echo:héllo 🎵");
    EXPECT_EQ(binaries[0], (DataChannel::Binary{255, 3, 2, 1, 0}));
    std::reverse(largest.begin(), largest.end());
    EXPECT_EQ(binaries[1], largest);
    EXPECT_TRUE(wait_for([&] { return w.a->state() == ConnectionState::connected; }))
        << to_string(w.a->state());
}

TEST_F(PeerSessionTest, MessagesNobodyReadsAreKeptOnlyUpToABound) {
    // A peer writing into a channel the other side does not read (a bot's one-way `msgpatch`,
    // a handler set late) must not grow the reader: what waits for a handler is bounded.
    Wiring w{make_peer("a", context_), make_peer("b", context_)};
    w.connect();
    std::shared_ptr<DataChannel> remote;
    w.b->on_data_channel([&](std::shared_ptr<DataChannel> dc) { remote = dc; }); // no handlers
    auto flood = w.a->create_data_channel("flood");
    w.a->create_offer();
    ASSERT_TRUE(wait_for([&] { return flood->is_open() && remote && remote->is_open(); }));
    constexpr int messages = 64;
    const DataChannel::Binary chunk(60000, 0x5a);
    for (int i = 0; i < messages; ++i) {
        ASSERT_TRUE(flood->send_binary(chunk)) << i;
        // Paced by what the transport has taken, as a well-behaved sender would be.
        ASSERT_TRUE(wait_for([&] { return flood->buffered_amount() < 1024 * 1024; }));
    }
    ASSERT_TRUE(wait_for([&] { return remote->received_bytes() == messages * chunk.size(); }))
        << remote->received_bytes();
    std::size_t replayed = 0;
    remote->on_binary([&](const DataChannel::Binary& b) { replayed += b.size(); });
    EXPECT_GT(replayed, 0u);
    EXPECT_LE(replayed, max_pending_bytes) << "of " << messages * chunk.size() << " bytes sent";
}

TEST_F(PeerSessionTest, AFloodFasterThanTheMainLoopIsDroppedNotQueuedWithoutBound) {
    // A peer sends while the receiver's main loop does not run (as when it is busy): what waits
    // for the loop is bounded; the rest is dropped and counted, and the channel goes on working.
    Wiring w{make_peer("a", context_), make_peer("b", context_)};
    std::shared_ptr<DataChannel> chat, remote;
    ASSERT_TRUE(open_chat(w, chat, remote));
    std::size_t handled = 0;
    remote->on_binary([&](const DataChannel::Binary& b) { handled += b.size(); });
    constexpr int messages = 400;
    const auto chunk = flood_chunk();
    for (int i = 0; i < messages; ++i) {
        ASSERT_TRUE(chat->send_binary(chunk)) << i;
        for (int wait = 0; wait < 2000 && chat->buffered_amount() > 1024 * 1024; ++wait) {
            std::this_thread::sleep_for(1ms); // the receiver's loop is not run meanwhile
        }
    }
    // Still without running the loop, until every message has arrived: each one either waits for
    // the loop or was dropped on arrival.
    const std::size_t sent = messages * chunk.size();
    const auto arrived = [&] {
        return remote->inflight_bytes() + remote->dropped_messages() * chunk.size();
    };
    for (int wait = 0; wait < 5000 && arrived() < sent; ++wait) {
        std::this_thread::sleep_for(1ms);
    }
    ASSERT_EQ(arrived(), sent);
    const std::size_t waiting = remote->inflight_bytes();
    EXPECT_LE(waiting, max_inflight_bytes);
    EXPECT_GT(remote->dropped_messages(), 0u);
    ASSERT_TRUE(wait_for([&] { return handled == waiting; }))
        << handled << " handled of " << waiting << " waiting";
    bool got = false;
    remote->on_text([&](std::string t) { got = t == "after"; });
    EXPECT_TRUE(chat->send_text("after"));
    EXPECT_TRUE(wait_for([&] { return got; }));
}

TEST_F(PeerSessionTest, SendsBeyondWhatThePeerTookAreRefused) {
    // A bot answering a flood from a peer that does not read: webrtcbin would keep every reply.
    // Beyond max_buffered_bytes waiting, sends are refused until the peer takes them.
    Wiring w{make_peer("a", context_), make_peer("b", context_)};
    std::shared_ptr<DataChannel> chat, remote;
    ASSERT_TRUE(open_chat(w, chat, remote));
    const auto chunk = flood_chunk();
    int refused = 0;
    std::uint64_t most = 0;
    for (int i = 0; i < 400; ++i) {
        refused += chat->send_binary(chunk) ? 0 : 1;
        most = std::max(most, chat->buffered_amount());
    }
    EXPECT_GT(refused, 0);
    EXPECT_LE(most, max_buffered_bytes);
    ASSERT_TRUE(wait_for([&] { return chat->buffered_amount() == 0; }));
    EXPECT_TRUE(chat->send_binary(chunk)); // taken again once the peer caught up
}

TEST_F(PeerSessionTest, ClosingWithUnsentBytesDoesNotBlock) {
    // webrtcbin's stop waits minutes for an SCTP association that still has bytes to send (a
    // peer that stopped reading, then left): close() must not wait for it on the main loop.
    Wiring w{make_peer("a", context_), make_peer("b", context_)};
    std::shared_ptr<DataChannel> chat, remote;
    ASSERT_TRUE(open_chat(w, chat, remote));
    const auto chunk = flood_chunk();
    for (int i = 0; i < 100 && chat->send_binary(chunk); ++i) {
    }
    ASSERT_GT(chat->buffered_amount(), 0u);
    const auto start = std::chrono::steady_clock::now();
    w.b->close();
    w.a->close();
    EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
}

TEST_F(PeerSessionTest, OpusReachesAppsink) {
    OpusCounter counter;
    Wiring w{make_peer("a", context_), make_peer("b", context_, [&] { return counter.make(); })};
    w.connect();
    ASSERT_TRUE(w.a->add_audio_source(make_bin(opus_source)));
    w.a->create_offer();
    // 50 packets of 20 ms: one second of audio arrived.
    EXPECT_TRUE(wait_for([&] { return counter.packets >= 50; }, 15s)) << counter.packets;
}

TEST_F(PeerSessionTest, AudioAddedByRenegotiationAfterDataChannel) {
    // As with MusicBot: a (the browser) offers a data channel; b (the bot) answers, later adds
    // an audio track to the live connection and offers again.
    OpusCounter counter;
    Wiring w{make_peer("a", context_, [&] { return counter.make(); }), make_peer("b", context_)};
    w.connect();
    std::shared_ptr<DataChannel> remote;
    w.b->on_data_channel([&](std::shared_ptr<DataChannel> dc) { remote = dc; });
    auto chat = w.a->create_data_channel("chat");
    w.a->create_offer();
    ASSERT_TRUE(wait_for([&] { return chat->is_open() && remote && remote->is_open(); }));

    // Media starts only once the answer is applied: webrtcbin 1.22 crashes on RTP for a
    // transceiver the receiver has not negotiated yet.
    GstElement* source =
        make_bin("audiotestsrc is-live=true ! valve name=gate drop=true ! "
                 "audio/x-raw,rate=48000,channels=2 ! opusenc ! rtpopuspay pt=111 ssrc=4242");
    GstElement* gate = gst_bin_get_by_name(GST_BIN(source), "gate");
    ASSERT_TRUE(w.b->add_audio_source(source, 4242));
    bool negotiated = false;
    w.b->when_negotiated([&] {
        negotiated = true;
        g_object_set(gate, "drop", FALSE, nullptr);
    });
    w.b->create_offer();
    EXPECT_TRUE(wait_for([&] { return negotiated; }));
    EXPECT_TRUE(wait_for([&] { return counter.packets >= 50; }, 15s)) << counter.packets;
    gst_object_unref(gate);

    // The data channel survived the renegotiation.
    bool got = false;
    remote->on_text([&](std::string t) { got = t == "after"; });
    EXPECT_TRUE(chat->send_text("after"));
    EXPECT_TRUE(wait_for([&] { return got; }));
}

/// The session id and version of `sdp`'s `o=` line.
std::pair<std::string, std::uint64_t> origin_of(const std::string& sdp) {
    const auto at = sdp.find("o=");
    std::istringstream line(sdp.substr(at + 2, sdp.find('\n', at) - at - 2));
    std::string username, id;
    std::uint64_t version = 0;
    line >> username >> id >> version;
    return {id, version};
}

TEST_F(PeerSessionTest, EveryDescriptionOfOursCountsTheSessionVersionUp) {
    // RFC 3264 8, PROTOCOL.md 5.3 and 4.10: the bot answers the browser's offer, then re-offers
    // for each track it adds and answers the browser's re-offers, all in one session: one
    // session id, and each new offer or answer a higher version than the one before.
    Wiring w{make_peer("a", context_), make_peer("b", context_)};
    std::shared_ptr<DataChannel> chat, remote;
    ASSERT_TRUE(open_chat(w, chat, remote));
    for (int track = 0; track < 2; ++track) {
        bool negotiated = false;
        ASSERT_TRUE(w.b->add_audio_source(make_bin(opus_source)));
        w.b->when_negotiated([&] { negotiated = true; });
        w.b->create_offer();
        ASSERT_TRUE(wait_for([&] { return negotiated; }));
    }
    const auto before = w.b_descriptions.size();
    w.a->create_offer(); // the browser re-offers (as for an ICE restart)
    ASSERT_TRUE(wait_for([&] { return w.b_descriptions.size() > before; }));

    std::vector<std::string> types;
    for (const auto& [type, sdp] : w.b_descriptions) {
        types.push_back(type);
    }
    ASSERT_EQ(types, (std::vector<std::string>{"answer", "offer", "offer", "answer"}));
    const auto first = origin_of(w.b_descriptions[0].second);
    for (std::size_t i = 1; i < w.b_descriptions.size(); ++i) {
        const auto [id, version] = origin_of(w.b_descriptions[i].second);
        EXPECT_EQ(id, first.first) << i;
        EXPECT_EQ(version, first.second + i) << i << ": " << types[i];
    }
}

TEST_F(PeerSessionTest, AnIceRestartGivesBothSidesNewCredentialsAndTheChannelCarriesOn) {
    // RFC 8445 9: b restarts ICE (as a bot does when its connection failed). Its offer carries
    // new credentials, a (a PeerSession as well, so answering as a bot answers a browser's
    // restart) answers with new ones of its own, both send their candidates again for the new
    // ICE session (webrtcbin gathers nothing new), and the channel carries on.
    Wiring w{make_peer("a", context_), make_peer("b", context_)};
    std::shared_ptr<DataChannel> chat, remote;
    ASSERT_TRUE(open_chat(w, chat, remote));
    const auto a_before = ice_ufrag_of(w.a_descriptions.back().second);
    const auto b_before = ice_ufrag_of(w.b_descriptions.back().second);
    ASSERT_FALSE(a_before.empty());
    ASSERT_FALSE(b_before.empty());
    const auto a_candidates = w.a_candidates_to_b;
    const auto b_candidates = w.b_candidates_to_a;
    bool negotiated = false;
    w.b->when_negotiated([&] { negotiated = true; });
    w.b->restart_ice();
    ASSERT_TRUE(wait_for([&] { return negotiated; }));
    ASSERT_EQ(w.b_descriptions.back().first, "offer");
    ASSERT_EQ(w.a_descriptions.back().first, "answer");
    const auto a_after = ice_ufrag_of(w.a_descriptions.back().second);
    const auto b_after = ice_ufrag_of(w.b_descriptions.back().second);
    EXPECT_NE(b_after, b_before);
    EXPECT_NE(a_after, a_before);
    EXPECT_GE(b_after.size(), 4U); // RFC 8839 5.4: at least 4 characters
    EXPECT_TRUE(wait_for(
        [&] { return w.a_candidates_to_b > a_candidates && w.b_candidates_to_a > b_candidates; }));
    // A later description of either side keeps the new credentials.
    w.a->create_offer();
    ASSERT_TRUE(wait_for([&] { return w.b_descriptions.back().first == "answer"; }));
    EXPECT_EQ(ice_ufrag_of(w.b_descriptions.back().second), b_after);
    std::string got;
    remote->on_text([&](std::string t) { got = std::move(t); });
    ASSERT_TRUE(chat->send_text("after the restart"));
    EXPECT_TRUE(wait_for([&] { return got == "after the restart"; }));
}

TEST_F(PeerSessionTest, RestartsInALoopResendCandidatesAtMostOnceASecond) {
    // A peer re-offering ICE restarts as fast as it can: each is answered with new credentials,
    // but b's candidates go out again at most once a second, or the bot would flood the server.
    Wiring w{make_peer("a", context_), make_peer("b", context_)};
    std::shared_ptr<DataChannel> chat, remote;
    ASSERT_TRUE(open_chat(w, chat, remote));
    ASSERT_TRUE(wait_for([&] { return w.b_candidates_to_a > 0; }));
    wait_for([] { return false; }, 300ms); // let b's gathering finish: its full set is counted
    const auto gathered = w.b_candidates_to_a;
    const auto start = std::chrono::steady_clock::now();
    std::set<std::string> answers;
    for (int i = 0; i < 5; ++i) {
        bool negotiated = false;
        w.a->when_negotiated([&] { negotiated = true; });
        w.a->restart_ice();
        ASSERT_TRUE(wait_for([&] { return negotiated; }));
        answers.insert(ice_ufrag_of(w.b_descriptions.back().second));
    }
    const auto seconds =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - start)
            .count();
    EXPECT_EQ(answers.size(), 5U); // every restart got credentials of its own
    const auto resent = w.b_candidates_to_a - gathered;
    EXPECT_GE(resent, gathered);
    EXPECT_LE(resent, gathered * (1 + seconds)) << seconds << " s";
}

TEST_F(PeerSessionTest, APathThatDiesSilentlyEndsFailed) {
    // a's end of the path goes away without a word, as when its network does: its ICE stream is
    // removed, so nothing answers b any more. b must see the connection fail, so that a bot
    // restarts ICE: with libnice's default keepalives (indications nobody answers) b stayed
    // `connected` for as long as it was watched (90 s); with binding requests it fails after
    // about 50 s (libnice's 25 s keepalive period, then its retransmissions).
    Wiring w{make_peer("a", context_), make_peer("b", context_)};
    std::shared_ptr<DataChannel> chat, remote;
    ASSERT_TRUE(open_chat(w, chat, remote));
    GObject* ice = nullptr;
    g_object_get(w.a->webrtcbin(), "ice-agent", &ice, nullptr);
    ASSERT_NE(ice, nullptr);
    NiceAgent* agent = nullptr;
    g_object_get(ice, "agent", &agent, nullptr);
    ASSERT_NE(agent, nullptr);
    nice_agent_remove_stream(agent, 1);
    g_object_unref(agent);
    g_object_unref(ice);
    EXPECT_TRUE(wait_for([&] { return w.b->state() == ConnectionState::failed; }, 90s))
        << to_string(w.b->state());
}

TEST_F(PeerSessionTest, CandidatesBeforeOfferAreQueued) {
    Wiring w{make_peer("a", context_), make_peer("b", context_)};
    w.hold_offer = true;
    w.connect();
    std::shared_ptr<DataChannel> remote;
    w.b->on_data_channel([&](std::shared_ptr<DataChannel> dc) { remote = dc; });
    auto chat = w.a->create_data_channel("chat");
    w.a->create_offer();
    // Candidates reach b before the offer does.
    ASSERT_TRUE(wait_for([&] { return !w.held_sdp.empty() && w.a_candidates_to_b > 0; }));
    EXPECT_FALSE(w.b->has_remote_description());
    w.release_offer();
    EXPECT_TRUE(wait_for([&] { return chat->is_open() && remote && remote->is_open(); }));
}

TEST_F(PeerSessionTest, CandidatesArrivingWhileTheAnswerIsMadeAreApplied) {
    auto a = make_peer("a", context_);
    auto b = make_peer("b", context_);
    std::string offer;
    std::vector<std::tuple<unsigned, std::string, std::string>> held;
    bool window_closed = false;
    a->on_local_description([&](std::string type, std::string sdp) {
        if (type == "offer") {
            offer = sdp;
        }
    });
    // a's candidates reach b only while b is making its answer (its operation still running);
    // b's never reach a, so the pair connects only if b applies them.
    a->on_ice_candidate([&](unsigned mline, std::string mid, std::string cand) {
        if (!window_closed) {
            held.emplace_back(mline, std::move(mid), std::move(cand));
        }
    });
    b->on_ice_candidate([](unsigned, std::string, std::string) {});
    b->on_local_description([&](std::string type, std::string sdp) {
        for (auto& [mline, mid, cand] : held) {
            b->add_ice_candidate(mline, mid, cand);
        }
        window_closed = true;
        a->set_remote_description(type, sdp);
    });
    std::shared_ptr<DataChannel> remote;
    b->on_data_channel([&](std::shared_ptr<DataChannel> dc) { remote = dc; });
    auto chat = a->create_data_channel("chat");
    a->create_offer();
    ASSERT_TRUE(wait_for([&] { return !offer.empty() && !held.empty(); }));
    b->set_remote_description("offer", offer);
    EXPECT_TRUE(wait_for([&] { return chat->is_open() && remote && remote->is_open(); }));
}

TEST_F(PeerSessionTest, WhenOfferSentRunsAfterTheOfferWentOut) {
    auto a = make_peer("a", context_);
    std::vector<std::string> events;
    a->on_local_description([&](std::string type, std::string) { events.push_back(type); });
    a->create_data_channel("chat");
    a->when_offer_sent([&] { events.push_back("sent"); });
    a->create_offer();
    ASSERT_TRUE(wait_for([&] { return events.size() >= 2; }));
    EXPECT_EQ(events, (std::vector<std::string>{"offer", "sent"}));
}

TEST_F(PeerSessionTest, TeardownReleasesThreadsAndFds) {
    auto connect_pair = [&] {
        Wiring w{make_peer("a", context_), make_peer("b", context_)};
        std::shared_ptr<DataChannel> chat, remote;
        EXPECT_TRUE(open_chat(w, chat, remote));
        w.a->close();
        w.b->close();
    };
    connect_pair(); // warm up GStreamer's lazily created threads and plugin state
    wait_for([] { return false; }, 200ms);
    const int fds = proc_entries("/proc/self/fd");
    const int threads = proc_entries("/proc/self/task");
    for (int i = 0; i < 3; ++i) {
        connect_pair();
    }
    // Closed pipelines are stopped on threads of their own, which the process's exit waits for.
    EXPECT_TRUE(PeerSession::wait_for_stopped_pipelines(30s));
    // Threads of closed pipelines wind down asynchronously: wait for the counts to settle.
    EXPECT_TRUE(wait_for([&] { return proc_entries("/proc/self/fd") <= fds; }, 5s))
        << proc_entries("/proc/self/fd") << " fds vs " << fds;
    EXPECT_TRUE(wait_for([&] { return proc_entries("/proc/self/task") <= threads + 2; }, 5s))
        << proc_entries("/proc/self/task") << " threads vs " << threads;
}

} // namespace
} // namespace tincan::agents::test
