// MusicBot: reply texts, Ogg Opus validation, demuxing with pacing and looping, the
// per-listener feed (appsrc ! rtpopuspay) reaching a depayloader, and the renegotiation of a new
// track on every `/play` as a webrtcbin "browser" observes it.

#include "bots/music_bot.hpp"
#include "media/opus_source.hpp"
#include "rtc_fixture.hpp"
#include "tincan/common/chat_message.hpp"

#include <boost/json.hpp>
#include <gst/app/gstappsink.h>
#include <gst/sdp/sdp.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <glib/gstdio.h>
#include <mutex>

namespace tincan::agents::test {
namespace {

/// Encodes `seconds` of a sine into an Ogg Opus file with gst (rate/channels configurable).
std::string make_ogg(const std::string& dir, const std::string& name, int channels,
                     double seconds) {
    const auto path = dir + "/" + name + ".ogg";
    const int buffers = static_cast<int>(seconds * 50);
    const auto desc =
        "audiotestsrc num-buffers=" + std::to_string(buffers) +
        " samplesperbuffer=960 ! audio/x-raw,rate=48000,channels=" + std::to_string(channels) +
        " ! opusenc ! oggmux ! filesink location=\"" + path + "\"";
    GstElement* p = gst_parse_launch(desc.c_str(), nullptr);
    gst_element_set_state(p, GST_STATE_PLAYING);
    GstBus* bus = gst_element_get_bus(p);
    GstMessage* msg = gst_bus_timed_pop_filtered(
        bus, 10 * GST_SECOND, static_cast<GstMessageType>(GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
    EXPECT_NE(msg, nullptr);
    EXPECT_EQ(GST_MESSAGE_TYPE(msg), GST_MESSAGE_EOS);
    gst_message_unref(msg);
    gst_object_unref(bus);
    gst_element_set_state(p, GST_STATE_NULL);
    gst_object_unref(p);
    return path;
}

class MusicTest : public MainContextTest {
protected:
    void SetUp() override {
        MainContextTest::SetUp();
        dir_ = g_dir_make_tmp("tincan-music-XXXXXX", nullptr);
    }
    void TearDown() override {
        (void)std::system(("rm -rf '" + dir_ + "'").c_str());
        MainContextTest::TearDown();
    }
    std::string dir_;
};

/// A pipeline holding one listener bin, depayloading into an appsink that counts packets; with
/// `decode`, decoding them too, as the peer's player does, and measuring the sound's level.
struct ListenerPipeline {
    GRef<GstElement> pipeline;
    GRef<GstElement> appsrc;
    std::atomic<int> packets{0};
    std::mutex mutex;
    double square_sum = 0; ///< of the decoded 16-bit samples
    std::uint64_t samples = 0;

    explicit ListenerPipeline(bool decode = false) {
        pipeline = GRef<GstElement>::adopt(gst_pipeline_new(nullptr));
        GstElement* bin = OpusSource::make_listener_bin(appsrc);
        GstElement* tail = gst_parse_bin_from_description(
            decode ? "rtpopusdepay ! opusdec ! audio/x-raw,format=S16LE ! "
                     "appsink name=out emit-signals=true sync=false"
                   : "rtpopusdepay ! appsink name=out emit-signals=true sync=false",
            TRUE, nullptr);
        gst_bin_add_many(GST_BIN(pipeline.get()), bin, tail, nullptr);
        gst_element_link(bin, tail);
        GstElement* sink = gst_bin_get_by_name(GST_BIN(tail), "out");
        g_signal_connect(sink, "new-sample", G_CALLBACK(+[](GstAppSink* s, ListenerPipeline* l) {
                             GstSample* sample = gst_app_sink_pull_sample(s);
                             l->measure(gst_sample_get_buffer(sample));
                             gst_sample_unref(sample);
                             ++l->packets;
                             return GST_FLOW_OK;
                         }),
                         this);
        gst_object_unref(sink);
        gst_element_set_state(pipeline.get(), GST_STATE_PLAYING);
    }
    ~ListenerPipeline() { gst_element_set_state(pipeline.get(), GST_STATE_NULL); }

    /// The root mean square of the decoded samples so far, as a fraction of full scale.
    double level() {
        std::lock_guard lock(mutex);
        return samples == 0 ? 0 : std::sqrt(square_sum / static_cast<double>(samples)) / 32767;
    }

private:
    void measure(GstBuffer* buffer) {
        GstMapInfo map;
        if (!gst_buffer_map(buffer, &map, GST_MAP_READ)) {
            return;
        }
        std::lock_guard lock(mutex);
        for (std::size_t i = 0; i + 1 < map.size; i += 2) {
            const auto sample = static_cast<std::int16_t>(map.data[i] | (map.data[i + 1] << 8));
            square_sum += static_cast<double>(sample) * sample;
            ++samples;
        }
        gst_buffer_unmap(buffer, &map);
    }
};

TEST_F(MusicTest, ListsBuiltInTracksThenOggFilesInOrder) {
    const auto ogg = make_ogg(dir_, "my song", 2, 0.2);
    MusicBot bot({ogg, dir_ + "/missing.ogg"});
    EXPECT_EQ(bot.list_text(), "Available tracks:\n"
                               "  - C4\n"
                               "  - A4\n"
                               "  - WhiteNoise\n"
                               "  - my song\n"
                               "\n"
                               "Use /play <track_name> to play a track.");
    EXPECT_NE(std::string(MusicBot::help_text).find("/play <track_name>"), std::string::npos);
    // The original's help, word for word (PROTOCOL.md 5.1); its example plays here, unlisted.
    EXPECT_EQ(std::string(MusicBot::help_text), "🎵 WebRTC Audio Bot - Available Commands:\n"
                                                "\n"
                                                "/start - Show this help message\n"
                                                "/list - List all available audio tracks\n"
                                                "/play <track_name> - Play a specific audio track\n"
                                                "\n"
                                                "Example: /play ambient_music");
    ASSERT_NE(bot.find("ambient_music"), nullptr);
    EXPECT_EQ(bot.list_text().find("ambient_music"), std::string::npos);
}

TEST_F(MusicTest, AnOggFileNamedAsTheExampleTakesItsPlace) {
    const auto ogg = make_ogg(dir_, "ambient_music", 2, 0.2);
    MusicBot bot({ogg});
    ASSERT_NE(bot.find("ambient_music"), nullptr);
    EXPECT_EQ(bot.find("ambient_music"), bot.tracks().back());
}

TEST_F(MusicTest, AcceptsOnlyOggOpus48kStereo) {
    const auto stereo = make_ogg(dir_, "stereo", 2, 0.2);
    const auto mono = make_ogg(dir_, "mono", 1, 0.2);
    auto head = read_opus_head(stereo);
    ASSERT_TRUE(head);
    EXPECT_EQ(head->channels, 2);
    EXPECT_EQ(head->input_sample_rate, 48000u);
    EXPECT_NE(OpusSource::ogg_file(stereo), nullptr);
    EXPECT_EQ(OpusSource::ogg_file(mono), nullptr);
    g_file_set_contents((dir_ + "/text.ogg").c_str(), "hello", -1, nullptr);
    EXPECT_EQ(OpusSource::ogg_file(dir_ + "/text.ogg"), nullptr);
    EXPECT_FALSE(read_opus_head(dir_ + "/nothing.ogg"));
}

TEST_F(MusicTest, OggIsDemuxedPacedAndLooped) {
    const auto ogg = make_ogg(dir_, "short", 2, 0.4); // 20 packets of 20 ms
    auto source = OpusSource::ogg_file(ogg);
    ASSERT_NE(source, nullptr);
    EXPECT_EQ(source->description().find("opusenc"), std::string::npos); // no re-encoding
    ListenerPipeline listener;
    const gint64 start = g_get_monotonic_time();
    source->add_listener(listener.appsrc);
    EXPECT_TRUE(source->running());
    // More packets than the file holds: it looped.
    ASSERT_TRUE(wait_for([&] { return listener.packets >= 30; }, 10s)) << listener.packets;
    const gint64 elapsed_ms = (g_get_monotonic_time() - start) / 1000;
    EXPECT_GE(elapsed_ms, 400) << "packets were not paced by the clock";
    source->remove_listener(listener.appsrc.get());
    EXPECT_FALSE(source->running());
}

TEST_F(MusicTest, OneEncoderFansOutToEveryListener) {
    auto source = OpusSource::sine("A4", 440);
    ListenerPipeline a, b;
    source->add_listener(a.appsrc);
    source->add_listener(b.appsrc);
    ASSERT_TRUE(wait_for([&] { return a.packets >= 25 && b.packets >= 25; }, 10s));
    EXPECT_EQ(source->listener_count(), 2u);
    // Both got the same encoded frames (within what is in flight).
    EXPECT_LE(std::abs(a.packets - b.packets), 5);
    source->remove_listener(a.appsrc.get());
    EXPECT_TRUE(source->running());
    source->remove_listener(b.appsrc.get());
    EXPECT_FALSE(source->running());
}

TEST_F(MusicTest, SinesAndNoiseAreAtFullScaleAsTheOriginals) {
    // PROTOCOL.md 5.2: the original's sines are round(sin(...) * 32767) (a level of 0.71 of full
    // scale) and its noise uniform random 16-bit samples (0.58).
    // The example track is softer: audible, well below full scale.
    const std::pair<std::shared_ptr<OpusSource>, double> sources[] = {
        {OpusSource::sine("A4", 440), 0.6},
        {OpusSource::white_noise("WhiteNoise"), 0.4},
        {OpusSource::ambient("ambient_music"), 0.05}};
    for (const auto& [source, at_least] : sources) {
        ListenerPipeline listener(true);
        source->add_listener(listener.appsrc);
        ASSERT_TRUE(wait_for([&] { return listener.packets >= 50; }, 10s)) << source->name();
        source->remove_listener(listener.appsrc.get());
        EXPECT_GT(listener.level(), at_least) << source->name();
    }
}

/// What the browser side receives: one entry per remote track (webrtcbin src pad), in order of
/// arrival, with the RTP SSRC and the number of packets seen on it. Filled on streaming threads.
class RemoteTracks {
public:
    struct Track {
        std::uint32_t ssrc = 0;
        int packets = 0;
    };

    /// PeerConfig::make_media_sink: a fakesink counting the RTP packets of one new pad.
    GstElement* make_sink() {
        std::size_t index = 0;
        {
            std::lock_guard lock(mutex_);
            index = tracks_.size();
            tracks_.emplace_back();
        }
        GstElement* sink = gst_element_factory_make("fakesink", nullptr);
        g_object_set(sink, "async", FALSE, "sync", FALSE, nullptr);
        GstPad* pad = gst_element_get_static_pad(sink, "sink");
        struct Probe {
            RemoteTracks* self;
            std::size_t index;
        };
        gst_pad_add_probe(
            pad, GST_PAD_PROBE_TYPE_BUFFER,
            [](GstPad*, GstPadProbeInfo* info, gpointer data) {
                auto* probe = static_cast<Probe*>(data);
                std::uint8_t ssrc[4] = {};
                if (gst_buffer_extract(GST_PAD_PROBE_INFO_BUFFER(info), 8, ssrc, 4) == 4) {
                    std::lock_guard lock(probe->self->mutex_);
                    auto& track = probe->self->tracks_[probe->index];
                    track.ssrc = (std::uint32_t{ssrc[0]} << 24) | (std::uint32_t{ssrc[1]} << 16) |
                                 (std::uint32_t{ssrc[2]} << 8) | ssrc[3];
                    ++track.packets;
                }
                return GST_PAD_PROBE_OK;
            },
            new Probe{this, index}, [](gpointer data) { delete static_cast<Probe*>(data); });
        gst_object_unref(pad);
        return sink;
    }
    std::vector<Track> snapshot() const {
        std::lock_guard lock(mutex_);
        return tracks_;
    }
    std::size_t size() const { return snapshot().size(); }
    Track at(std::size_t i) const {
        auto tracks = snapshot();
        return i < tracks.size() ? tracks[i] : Track{};
    }

private:
    mutable std::mutex mutex_;
    std::vector<Track> tracks_;
};

struct AudioLine {
    std::string direction; ///< sendonly, recvonly, sendrecv or inactive
    std::uint32_t ssrc = 0;
    std::string stream; ///< `a=ssrc:<n> msid:<stream> <track>`: the MediaStream id
    std::string track;  ///< and the MediaStreamTrack id the receiver sees
};

/// The audio m-lines of an SDP, in order.
std::vector<AudioLine> audio_lines(const std::string& text) {
    std::vector<AudioLine> lines;
    GstSDPMessage* sdp = nullptr;
    if (gst_sdp_message_new_from_text(text.c_str(), &sdp) != GST_SDP_OK || sdp == nullptr) {
        return lines;
    }
    for (guint i = 0; i < gst_sdp_message_medias_len(sdp); ++i) {
        const GstSDPMedia* media = gst_sdp_message_get_media(sdp, i);
        if (std::string(gst_sdp_media_get_media(media)) != "audio") {
            continue;
        }
        AudioLine line;
        for (const char* d : {"sendonly", "recvonly", "sendrecv", "inactive"}) {
            if (gst_sdp_media_get_attribute_val(media, d) != nullptr) {
                line.direction = d;
            }
        }
        if (const char* ssrc = gst_sdp_media_get_attribute_val(media, "ssrc")) {
            line.ssrc = static_cast<std::uint32_t>(std::strtoul(ssrc, nullptr, 10));
        }
        for (guint a = 0; a < gst_sdp_media_attributes_len(media); ++a) {
            const GstSDPAttribute* attr = gst_sdp_media_get_attribute(media, a);
            const std::string value = attr->value != nullptr ? attr->value : "";
            const auto at = value.find(" msid:");
            if (std::string(attr->key) == "ssrc" && at != std::string::npos) {
                const auto ids = value.substr(at + 6);
                line.stream = ids.substr(0, ids.find(' '));
                line.track =
                    ids.find(' ') != std::string::npos ? ids.substr(ids.find(' ') + 1) : "";
            }
        }
        lines.push_back(line);
    }
    gst_sdp_message_free(sdp);
    return lines;
}

/// The bot's side of one connection, as BotHost gives it to a bot, on a PeerSession wired
/// directly to the browser's. Logs what the peer observes in order: `play:<name>` when a command
/// reaches the bot, `offer` when an offer leaves, and every reply text.
class WiredPeer : public PeerContext {
public:
    explicit WiredPeer(std::shared_ptr<PeerSession> session) : session_(std::move(session)) {}

    const std::string& peer_id() const override { return peer_id_; }
    const std::string& own_node_id() const override { return own_id_; }
    bool send_chat(const std::string& json) override { return chat && chat->send_text(json); }
    bool reply_with_id(const common::ChatMessage& to, const std::string& id,
                       std::string_view text) override {
        events.emplace_back(text);
        return PeerContext::reply_with_id(to, id, text);
    }
    std::shared_ptr<DataChannel> open_channel(const std::string& label) override {
        return session_->create_data_channel(label);
    }
    std::shared_ptr<DataChannel> patch_channel() override { return nullptr; }
    bool send_patch(const common::PatchOrder&) override { return false; }
    bool attach_audio(GstElement* source, std::uint32_t ssrc, std::function<void()> on_negotiated,
                      std::function<void()> on_offer_sent) override {
        if (!session_->add_audio_source(source, ssrc)) {
            return false;
        }
        session_->when_negotiated(std::move(on_negotiated));
        session_->when_offer_sent(std::move(on_offer_sent));
        session_->create_offer();
        return true;
    }
    bool detach_audio(GstElement* source) override { return session_->remove_audio_source(source); }

    std::shared_ptr<DataChannel> chat;
    std::vector<std::string> events;

private:
    std::shared_ptr<PeerSession> session_;
    std::string peer_id_ = "browser-node";
    std::string own_id_ = "bot-node";
};

/// A browser (webrtcbin) connected to MusicBot: it offers `chat`, the bot answers; then `/play`
/// commands go over `chat` and the bot's renegotiation offers come back.
class MusicBotConnection : public MusicTest {
protected:
    void SetUp() override {
        MusicTest::SetUp();
        PeerConfig browser_config;
        browser_config.name = "browser";
        browser_config.context = context_;
        browser_config.make_media_sink = [this] { return remote_.make_sink(); };
        browser_ = PeerSession::create(browser_config);
        PeerConfig bot_config;
        bot_config.name = "MusicBot";
        bot_config.context = context_;
        bot_session_ = PeerSession::create(bot_config);
        ASSERT_TRUE(browser_ && bot_session_);
        peer_ = std::make_shared<WiredPeer>(bot_session_);
        wiring_ = std::make_unique<Wiring>(browser_, bot_session_);
        wiring_->connect();
        bot_session_->on_local_description([this](std::string type, std::string sdp) {
            if (type == "offer") {
                offers_.push_back(sdp);
                peer_->events.emplace_back("offer");
                if (browser_ignores_offers_) {
                    return;
                }
            }
            browser_->set_remote_description(type, sdp);
        });
        bot_session_->on_data_channel([this](std::shared_ptr<DataChannel> dc) {
            peer_->chat = dc;
            dc->on_text([this](std::string text) {
                auto message = common::parse_chat_message(text);
                ASSERT_TRUE(message) << text;
                if (message->message && message->message->rfind("/play ", 0) == 0) {
                    peer_->events.push_back("play:" + message->message->substr(6));
                }
                bot_.on_message(peer_, *message);
            });
        });
        chat_ = browser_->create_data_channel("chat");
        chat_->on_text([this](std::string text) {
            auto message = common::parse_chat_message(text);
            ASSERT_TRUE(message) << text;
            if (message->message) {
                replies_.push_back(*message->message);
            }
        });
        browser_->create_offer();
        ASSERT_TRUE(wait_for([&] { return chat_->is_open() && peer_->chat; }, 15s));
    }
    void TearDown() override {
        browser_->close();
        bot_session_->close();
        bot_.on_peer_left(peer_->peer_id());
        MusicTest::TearDown();
    }

    void send(const std::string& text) {
        namespace json = boost::json;
        chat_->send_text(json::serialize(json::object{{"messageId", new_message_id()},
                                                      {"fromNodeId", "browser-node"},
                                                      {"toNodeId", "bot-node"},
                                                      {"timestamp", now_ms()},
                                                      {"message", text}}));
    }
    /// Every `Now playing: <name>` left the bot after an offer made after its `/play` arrived.
    void expect_now_playing_after_an_offer(const std::vector<std::string>& names) {
        const auto& events = peer_->events;
        for (const auto& name : names) {
            auto play = std::find(events.begin(), events.end(), "play:" + name);
            auto reply = std::find(events.begin(), events.end(), "Now playing: " + name);
            ASSERT_NE(play, events.end()) << name;
            ASSERT_NE(reply, events.end()) << name;
            EXPECT_NE(std::find(play, reply, "offer"), reply)
                << "'Now playing: " << name << "' was sent before the offer carrying its track";
        }
    }
    std::vector<std::string> now_playing() const {
        std::vector<std::string> r;
        std::copy_if(replies_.begin(), replies_.end(), std::back_inserter(r),
                     [](const auto& t) { return t.rfind("Now playing: ", 0) == 0; });
        return r;
    }

    MusicBot bot_;
    RemoteTracks remote_;
    std::shared_ptr<PeerSession> browser_;
    std::shared_ptr<PeerSession> bot_session_;
    std::shared_ptr<WiredPeer> peer_;
    std::unique_ptr<Wiring> wiring_;
    std::shared_ptr<DataChannel> chat_;
    std::vector<std::string> offers_;
    std::vector<std::string> replies_;
    bool browser_ignores_offers_ = false; ///< the bot's offers do not reach the browser
};

TEST_F(MusicBotConnection, EveryPlayOffersANewTrackAndTheOldOneGoesInactive) {
    send("/play A4");
    ASSERT_TRUE(wait_for([&] { return remote_.at(0).packets >= 25; }, 15s));
    ASSERT_EQ(offers_.size(), 1u);
    const auto first = remote_.at(0);
    ASSERT_EQ(audio_lines(offers_[0]).size(), 1u);
    EXPECT_EQ(audio_lines(offers_[0])[0].direction, "sendonly");
    EXPECT_EQ(audio_lines(offers_[0])[0].ssrc, first.ssrc);

    send("/play C4");
    // A second offer: the old m-line inactive (the browser's track mutes), a new sendonly one.
    ASSERT_TRUE(wait_for([&] { return offers_.size() >= 2; })) << "no renegotiation offer";
    const auto lines = audio_lines(offers_[1]);
    ASSERT_EQ(lines.size(), 2u) << offers_[1];
    EXPECT_EQ(lines[0].direction, "inactive");
    EXPECT_EQ(lines[1].direction, "sendonly");
    EXPECT_NE(lines[1].ssrc, first.ssrc);
    // The browser gets a second track (a new pad) on which the new SSRC flows; the old one stops.
    ASSERT_TRUE(wait_for([&] { return remote_.at(1).packets >= 1; }, 15s))
        << remote_.size() << " remote tracks";
    const int old_packets = remote_.at(0).packets;
    ASSERT_TRUE(wait_for([&] { return remote_.at(1).packets >= 50; }, 15s));
    EXPECT_EQ(remote_.at(1).ssrc, lines[1].ssrc);
    EXPECT_LE(remote_.at(0).packets - old_packets, 10) << "the old track kept playing";
    EXPECT_EQ(remote_.size(), 2u);

    EXPECT_EQ(now_playing(), (std::vector<std::string>{"Now playing: A4", "Now playing: C4"}));
    expect_now_playing_after_an_offer({"A4", "C4"});
    EXPECT_EQ(offers_.size(), 2u);
    EXPECT_EQ(bot_.find("A4")->listener_count(), 0u);
    EXPECT_FALSE(bot_.find("A4")->running());
    EXPECT_EQ(bot_.find("C4")->listener_count(), 1u);
}

TEST_F(MusicBotConnection, TheHelpsExamplePlays) {
    send("/play ambient_music");
    ASSERT_TRUE(wait_for([&] { return remote_.at(0).packets >= 25; }, 15s));
    EXPECT_EQ(now_playing(), (std::vector<std::string>{"Now playing: ambient_music"}));
    expect_now_playing_after_an_offer({"ambient_music"});
}

TEST_F(MusicBotConnection, EachTrackIsAnnouncedAsTrackUuidInAStreamUuidOfItsOwn) {
    // PROTOCOL.md 5.3: track id `track-<uuid>`, stream id `stream-<uuid>`; a browser's
    // ontrack sees them as MediaStreamTrack.id and MediaStream.id.
    send("/play A4");
    ASSERT_TRUE(wait_for([&] { return offers_.size() >= 1; }));
    send("/play C4");
    ASSERT_TRUE(wait_for([&] { return offers_.size() >= 2; }));
    const auto first = audio_lines(offers_[0]);
    const auto second = audio_lines(offers_[1]);
    ASSERT_EQ(first.size(), 1u);
    ASSERT_EQ(second.size(), 2u);
    const auto is_uuid_id = [](const std::string& id, const std::string& prefix) {
        return id.size() == prefix.size() + 36 && id.rfind(prefix, 0) == 0 &&
               g_uuid_string_is_valid(id.substr(prefix.size()).c_str());
    };
    for (const auto& line : {first[0], second[1]}) {
        EXPECT_TRUE(is_uuid_id(line.track, "track-")) << "track id '" << line.track << "'";
        EXPECT_TRUE(is_uuid_id(line.stream, "stream-")) << "stream id '" << line.stream << "'";
    }
    EXPECT_EQ(second[0].track, first[0].track); // the replaced track keeps its id
    EXPECT_NE(second[1].track, first[0].track);
    EXPECT_NE(second[1].stream, first[0].stream);
}

TEST_F(MusicBotConnection, TheOfferAnnouncesOpusAndTheTrackAsTheOriginalDoes) {
    // PROTOCOL.md 4.1: MusicBot offers Opus/48000/2 with `minptime=10;useinbandfec=1` as payload
    // type 111 (written `opus`, as Pion and browsers do); 5.3: the track's ids in `a=msid`, where
    // Unified Plan peers (Firefox, Pion, aiortc) read them, not only in webrtcbin's ssrc line; its
    // m-line on port 9 in the BUNDLE group as Pion's, not port 0 (rejected, to Pion).
    send("/play A4");
    ASSERT_TRUE(wait_for([&] { return offers_.size() >= 1; }));
    const auto& offer = offers_[0];
    EXPECT_NE(offer.find("a=rtpmap:111 opus/48000/2\r\n"), std::string::npos) << offer;
    EXPECT_NE(offer.find("m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"), std::string::npos) << offer;
    EXPECT_EQ(offer.find("a=bundle-only"), std::string::npos) << offer;
    const auto fmtp_at = offer.find("a=fmtp:111 ");
    ASSERT_NE(fmtp_at, std::string::npos) << offer;
    const auto fmtp = offer.substr(fmtp_at, offer.find("\r\n", fmtp_at) - fmtp_at);
    EXPECT_NE(fmtp.find("minptime=10"), std::string::npos) << fmtp;
    EXPECT_NE(fmtp.find("useinbandfec=1"), std::string::npos) << fmtp;
    const auto lines = audio_lines(offer);
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_NE(offer.find("a=msid:" + lines[0].stream + " " + lines[0].track + "\r\n"),
              std::string::npos)
        << offer;
    // Played as before.
    ASSERT_TRUE(wait_for([&] { return remote_.size() == 1 && remote_.at(0).packets >= 25; }, 15s));
}

TEST_F(MusicBotConnection, APeerThatDoesNotAnswerAnOfferStillGetsEveryPlayAnswered) {
    // The original answers every /play with "Now playing" after a new offer; an offer the peer
    // never answers (a client that ignores renegotiation, an offer lost on the way) must not
    // hold back every later one.
    browser_ignores_offers_ = true;
    send("/play A4");
    ASSERT_TRUE(wait_for([&] { return now_playing().size() == 1; }));
    send("/play C4");
    ASSERT_TRUE(wait_for([&] { return now_playing().size() == 2; }, 10s));
    EXPECT_EQ(now_playing().back(), "Now playing: C4");
    expect_now_playing_after_an_offer({"A4", "C4"});
    // When the peer answers again, the next track plays.
    browser_ignores_offers_ = false;
    send("/play WhiteNoise");
    ASSERT_TRUE(wait_for([&] { return now_playing().size() == 3; }, 10s));
    const auto lines = audio_lines(offers_.back());
    ASSERT_EQ(lines.size(), 3u) << offers_.back();
    EXPECT_EQ(lines.back().direction, "sendonly");
    EXPECT_TRUE(wait_for(
        [&] {
            for (const auto& t : remote_.snapshot()) {
                if (t.ssrc == lines.back().ssrc && t.packets >= 25) {
                    return true;
                }
            }
            return false;
        },
        15s))
        << remote_.size() << " remote tracks";
    EXPECT_EQ(bot_.find("WhiteNoise")->listener_count(), 1u);
    EXPECT_EQ(bot_.find("A4")->listener_count() + bot_.find("C4")->listener_count(), 0u);
}

TEST_F(MusicBotConnection, PlaysInQuickSuccessionEndWithTheLastTrackPlaying) {
    // The later commands arrive before the browser answered the first offer.
    send("/play A4");
    send("/play WhiteNoise");
    send("/play C4");
    ASSERT_TRUE(wait_for([&] { return now_playing().size() >= 3; }, 15s)) << now_playing().size();
    EXPECT_EQ(now_playing(), (std::vector<std::string>{"Now playing: A4", "Now playing: WhiteNoise",
                                                       "Now playing: C4"}));
    expect_now_playing_after_an_offer({"A4", "WhiteNoise", "C4"});

    // The last offer has the C4 track as its only sending m-line, and that is what plays.
    ASSERT_FALSE(offers_.empty());
    const auto lines = audio_lines(offers_.back());
    ASSERT_EQ(lines.size(), 3u) << offers_.back();
    EXPECT_EQ(lines[0].direction, "inactive");
    EXPECT_EQ(lines[1].direction, "inactive");
    EXPECT_EQ(lines[2].direction, "sendonly");
    auto playing = [&] {
        for (const auto& t : remote_.snapshot()) {
            if (t.ssrc == lines[2].ssrc && t.packets >= 50) {
                return true;
            }
        }
        return false;
    };
    ASSERT_TRUE(wait_for(playing, 15s)) << remote_.size() << " remote tracks";
    for (const auto* name : {"A4", "WhiteNoise"}) {
        EXPECT_EQ(bot_.find(name)->listener_count(), 0u) << name;
        EXPECT_FALSE(bot_.find(name)->running()) << name;
    }
    EXPECT_EQ(bot_.find("C4")->listener_count(), 1u);
}

TEST_F(MusicBotConnection, AfterMaxTracksLaterPlaysSwitchTheCurrentTrack) {
    // Each /play leaves an inactive m-line behind; past max_tracks the connection stops growing.
    for (std::uint32_t i = 0; i < MusicBot::max_tracks; ++i) {
        send(i % 2 == 0 ? "/play A4" : "/play C4");
        ASSERT_TRUE(wait_for([&] { return now_playing().size() == i + 1; }, 15s)) << i;
    }
    ASSERT_EQ(offers_.size(), MusicBot::max_tracks);
    EXPECT_EQ(audio_lines(offers_.back()).size(), MusicBot::max_tracks);
    const auto current = audio_lines(offers_.back()).back().ssrc;
    ASSERT_TRUE(wait_for(
        [&] {
            for (const auto& t : remote_.snapshot()) {
                if (t.ssrc == current && t.packets >= 10) {
                    return true;
                }
            }
            return false;
        },
        15s));
    send("/play WhiteNoise");
    ASSERT_TRUE(wait_for([&] { return now_playing().size() == MusicBot::max_tracks + 1; }, 15s));
    EXPECT_EQ(now_playing().back(), "Now playing: WhiteNoise");
    EXPECT_EQ(offers_.size(), MusicBot::max_tracks); // no renegotiation
    EXPECT_EQ(bot_.find("WhiteNoise")->listener_count(), 1u);
    EXPECT_EQ(bot_.find("A4")->listener_count() + bot_.find("C4")->listener_count(), 0u);
}

} // namespace
} // namespace tincan::agents::test
