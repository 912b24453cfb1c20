#include "media/opus_source.hpp"

#include "util/main_context.hpp"

#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <spdlog/spdlog.h>

#include <cmath>
#include <fstream>

namespace tincan::agents {
namespace {

constexpr const char* sink_tail =
    " ! appsink name=out emit-signals=true sync=false max-buffers=50 drop=true";

constexpr const char* encoder =
    " ! audio/x-raw,rate=48000,channels=2 ! opusenc frame-size=20 bitrate=64000";

std::string quote(const std::string& path) {
    std::string q = "\"";
    for (char c : path) {
        if (c == '"' || c == '\\') {
            q += '\\';
        }
        q += c;
    }
    return q + "\"";
}

} // namespace

std::optional<OpusHead> read_opus_head(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::string page(4096, '\0');
    in.read(page.data(), static_cast<std::streamsize>(page.size()));
    page.resize(static_cast<std::size_t>(in.gcount()));
    // Ogg page: "OggS", header 27 bytes + segment table, then the first packet.
    if (page.size() < 28 || page.compare(0, 4, "OggS") != 0) {
        return std::nullopt;
    }
    const std::size_t segments = static_cast<unsigned char>(page[26]);
    const std::size_t body = 27 + segments;
    if (page.size() < body + 19 || page.compare(body, 8, "OpusHead") != 0) {
        return std::nullopt;
    }
    OpusHead head;
    head.channels = static_cast<unsigned char>(page[body + 9]);
    for (int i = 3; i >= 0; --i) {
        head.input_sample_rate =
            (head.input_sample_rate << 8) | static_cast<unsigned char>(page[body + 12 + i]);
    }
    return head;
}

OpusSource::OpusSource(std::string name, std::string description)
    : name_(std::move(name)), description_(std::move(description)) {}

// Full scale, as the original's generators (PROTOCOL.md 5.2): its sines are
// round(sin(...) * 32767), its noise uniform random 16-bit samples.

std::shared_ptr<OpusSource> OpusSource::sine(std::string name, double frequency) {
    auto d = "audiotestsrc is-live=true wave=sine volume=1 samplesperbuffer=960 freq=" +
             std::to_string(frequency) + encoder + sink_tail;
    return std::shared_ptr<OpusSource>(new OpusSource(std::move(name), d));
}

std::shared_ptr<OpusSource> OpusSource::white_noise(std::string name) {
    auto d = std::string("audiotestsrc is-live=true wave=white-noise volume=1 "
                         "samplesperbuffer=960") +
             encoder + sink_tail;
    return std::shared_ptr<OpusSource>(new OpusSource(std::move(name), d));
}

std::shared_ptr<OpusSource> OpusSource::ambient(std::string name) {
    auto d = std::string("audiomixer name=mix") + encoder + sink_tail;
    for (const char* freq : {"110", "220", "261.63", "329.63"}) {
        d += std::string(" audiotestsrc is-live=true wave=sine volume=0.08 samplesperbuffer=960 "
                         "freq=") +
             freq + " ! mix.";
    }
    return std::shared_ptr<OpusSource>(new OpusSource(std::move(name), d));
}

std::shared_ptr<OpusSource> OpusSource::ogg_file(const std::string& path) {
    auto head = read_opus_head(path);
    if (!head) {
        spdlog::warn("MusicBot: {} is not an Ogg Opus file, skipped", path);
        return nullptr;
    }
    if (head->channels != 2 || head->input_sample_rate != 48000) {
        spdlog::warn("MusicBot: {} is {} Hz, {} channels; only 48000 Hz stereo is accepted", path,
                     head->input_sample_rate, head->channels);
        return nullptr;
    }
    auto base = std::string(path.substr(path.find_last_of('/') + 1));
    if (auto dot = base.find_last_of('.'); dot != std::string::npos && dot > 0) {
        base.resize(dot);
    }
    // Demuxed Opus packets, no re-encoding; clocksync paces them in real time.
    auto d = "filesrc location=" + quote(path) + " ! oggdemux ! opusparse ! clocksync" + sink_tail;
    return std::shared_ptr<OpusSource>(new OpusSource(base, d));
}

OpusSource::~OpusSource() {
    *alive_ = false;
    stop();
}

GstElement* OpusSource::make_listener_bin(GRef<GstElement>& appsrc, std::uint32_t* ssrc) {
    const std::uint32_t chosen = g_random_int_range(1, G_MAXINT32);
    if (ssrc != nullptr) {
        *ssrc = chosen;
    }
    const auto description =
        "appsrc name=feed is-live=true format=time do-timestamp=true max-bytes=65536 "
        "caps=audio/x-opus,rate=48000,channels=2,channel-mapping-family=0 ! "
        // A stalled listener drops Opus packets before they are numbered: the browser then
        // conceals a gap in time instead of counting lost RTP packets.
        "queue max-size-time=200000000 leaky=downstream ! rtpopuspay pt=111 ssrc=" +
        std::to_string(chosen);
    GError* error = nullptr;
    GstElement* bin = gst_parse_bin_from_description(description.c_str(), TRUE, &error);
    if (bin == nullptr) {
        spdlog::error("MusicBot: listener bin: {}", error != nullptr ? error->message : "?");
        g_clear_error(&error);
        return nullptr;
    }
    appsrc = GRef<GstElement>::adopt(gst_bin_get_by_name(GST_BIN(bin), "feed"));
    return bin;
}

void OpusSource::add_listener(const GRef<GstElement>& appsrc) {
    {
        std::lock_guard lock(mutex_);
        listeners_.push_back(appsrc);
    }
    if (!pipeline_ && !start()) {
        std::lock_guard lock(mutex_);
        listeners_.clear();
    }
}

void OpusSource::remove_listener(GstElement* appsrc) {
    bool empty = false;
    {
        std::lock_guard lock(mutex_);
        std::erase_if(listeners_, [&](const auto& l) { return l.get() == appsrc; });
        empty = listeners_.empty();
    }
    if (empty) {
        stop();
    }
}

std::size_t OpusSource::listener_count() const {
    std::lock_guard lock(mutex_);
    return listeners_.size();
}

bool OpusSource::start() {
    GError* error = nullptr;
    GstElement* pipeline = gst_parse_launch(description_.c_str(), &error);
    if (pipeline == nullptr || error != nullptr) {
        spdlog::error("MusicBot: track {}: {}", name_, error != nullptr ? error->message : "?");
        g_clear_error(&error);
        if (pipeline != nullptr) {
            gst_object_unref(pipeline);
        }
        return false;
    }
    pipeline_ = GRef<GstElement>::adopt(pipeline);
    GstElement* sink = gst_bin_get_by_name(GST_BIN(pipeline), "out");
    g_signal_connect(sink, "new-sample", G_CALLBACK(+[](GstAppSink* s, OpusSource* self) {
                         GstSample* sample = gst_app_sink_pull_sample(s);
                         if (sample != nullptr) {
                             self->on_sample(sample);
                             gst_sample_unref(sample);
                         }
                         return GST_FLOW_OK;
                     }),
                     this);
    gst_object_unref(sink);
    // Loop at end of stream; errors stop the track. Bus messages hop to the main context.
    GMainContext* context = g_main_context_get_thread_default();
    if (context == nullptr) {
        context = g_main_context_default();
    }
    struct BusData {
        OpusSource* self;
        std::weak_ptr<bool> alive;
        GMainContext* context;
    };
    GstBus* bus = gst_element_get_bus(pipeline);
    gst_bus_set_sync_handler(
        bus,
        [](GstBus*, GstMessage* msg, gpointer data) -> GstBusSyncReply {
            auto* d = static_cast<BusData*>(data);
            const auto type = GST_MESSAGE_TYPE(msg);
            if (type == GST_MESSAGE_EOS || type == GST_MESSAGE_ERROR) {
                const bool eos = type == GST_MESSAGE_EOS;
                std::string text;
                if (!eos) {
                    GError* err = nullptr;
                    gst_message_parse_error(msg, &err, nullptr);
                    text = err != nullptr ? err->message : "?";
                    g_clear_error(&err);
                }
                post(d->context, [self = d->self, alive = d->alive, eos, text] {
                    if (auto a = alive.lock(); a && *a && self->pipeline_) {
                        if (eos) {
                            self->restart_from_beginning();
                        } else {
                            spdlog::warn("MusicBot: track {} failed: {}", self->name_, text);
                        }
                    }
                });
            }
            gst_message_unref(msg);
            return GST_BUS_DROP;
        },
        new BusData{this, alive_, context}, [](gpointer d) { delete static_cast<BusData*>(d); });
    gst_object_unref(bus);
    if (gst_element_set_state(pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
        spdlog::error("MusicBot: track {} does not start", name_);
        stop();
        return false;
    }
    spdlog::info("MusicBot: track {} started", name_);
    return true;
}

void OpusSource::restart_from_beginning() {
    if (!gst_element_seek_simple(pipeline_.get(), GST_FORMAT_TIME,
                                 static_cast<GstSeekFlags>(GST_SEEK_FLAG_FLUSH), 0)) {
        // Some demuxers refuse seeks after EOS: rebuild the pipeline instead.
        stop();
        start();
    }
}

void OpusSource::stop() {
    if (!pipeline_) {
        return;
    }
    gst_element_set_state(pipeline_.get(), GST_STATE_NULL);
    GstBus* bus = gst_element_get_bus(pipeline_.get());
    gst_bus_set_sync_handler(bus, nullptr, nullptr, nullptr);
    gst_object_unref(bus);
    pipeline_.reset();
    spdlog::info("MusicBot: track {} stopped", name_);
}

void OpusSource::on_sample(GstSample* sample) {
    GstBuffer* buffer = gst_sample_get_buffer(sample);
    if (buffer == nullptr) {
        return;
    }
    ++frames_;
    std::lock_guard lock(mutex_);
    for (const auto& appsrc : listeners_) {
        // Each listener timestamps its own copy (shared memory) on its own clock.
        GstBuffer* copy = gst_buffer_copy(buffer);
        GST_BUFFER_PTS(copy) = GST_CLOCK_TIME_NONE;
        GST_BUFFER_DTS(copy) = GST_CLOCK_TIME_NONE;
        gst_app_src_push_buffer(GST_APP_SRC(appsrc.get()), copy);
    }
}

} // namespace tincan::agents
