// MusicBot: reply texts, Ogg Opus validation, demuxing with pacing and looping, and the
// per-listener feed (appsrc ! rtpopuspay) reaching a depayloader.

#include "bots/music_bot.hpp"
#include "media/opus_source.hpp"
#include "rtc_fixture.hpp"

#include <gst/app/gstappsink.h>

#include <atomic>
#include <glib/gstdio.h>

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

/// A pipeline holding one listener bin, depayloading into an appsink that counts packets.
struct ListenerPipeline {
    GRef<GstElement> pipeline;
    GRef<GstElement> appsrc;
    std::atomic<int> packets{0};

    ListenerPipeline() {
        pipeline = GRef<GstElement>::adopt(gst_pipeline_new(nullptr));
        GstElement* bin = OpusSource::make_listener_bin(appsrc);
        GstElement* tail = gst_parse_bin_from_description(
            "rtpopusdepay ! appsink name=out emit-signals=true sync=false", TRUE, nullptr);
        gst_bin_add_many(GST_BIN(pipeline.get()), bin, tail, nullptr);
        gst_element_link(bin, tail);
        GstElement* sink = gst_bin_get_by_name(GST_BIN(tail), "out");
        g_signal_connect(sink, "new-sample", G_CALLBACK(+[](GstAppSink* s, ListenerPipeline* l) {
                             gst_sample_unref(gst_app_sink_pull_sample(s));
                             ++l->packets;
                             return GST_FLOW_OK;
                         }),
                         this);
        gst_object_unref(sink);
        gst_element_set_state(pipeline.get(), GST_STATE_PLAYING);
    }
    ~ListenerPipeline() { gst_element_set_state(pipeline.get(), GST_STATE_NULL); }
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
    EXPECT_NE(std::string(MusicBot::help_text).find("/play A4"), std::string::npos);
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

} // namespace
} // namespace tincan::agents::test
