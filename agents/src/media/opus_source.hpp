#pragma once

// A MusicBot track: one source pipeline producing Opus frames (encoded once), fanned out to
// every listener's appsrc in that listener's own peer pipeline. The source runs only while it
// has listeners. Ogg files are demuxed into Opus packets and passed through without
// re-encoding, paced by the clock and looping.

#include "util/gobject.hpp"

#include <gst/gst.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace tincan::agents {

struct OpusHead {
    int channels = 0;
    std::uint32_t input_sample_rate = 0;
};

/// Reads the OpusHead packet from the first page of an Ogg file; nullopt if it is not Ogg Opus.
std::optional<OpusHead> read_opus_head(const std::string& path);

class OpusSource {
public:
    enum class Kind { sine, white_noise, ogg_file };

    static std::shared_ptr<OpusSource> sine(std::string name, double frequency);
    static std::shared_ptr<OpusSource> white_noise(std::string name);
    /// A soft, steady chord (A minor, about a third of full scale): the help's example track.
    static std::shared_ptr<OpusSource> ambient(std::string name);
    /// nullptr (with a log line) unless the file is Ogg Opus, 48 kHz, stereo.
    static std::shared_ptr<OpusSource> ogg_file(const std::string& path);
    ~OpusSource();
    OpusSource(const OpusSource&) = delete;
    OpusSource& operator=(const OpusSource&) = delete;

    const std::string& name() const noexcept { return name_; }
    /// The pipeline description (for logs and tests).
    const std::string& description() const noexcept { return description_; }

    /// Element for a peer pipeline: appsrc ! rtpopuspay, with a "src" ghost pad (floating).
    /// Returns the bin; `appsrc` receives the appsrc to pass to add_listener, `ssrc` the
    /// payloader's (random) ssrc.
    static GstElement* make_listener_bin(GRef<GstElement>& appsrc, std::uint32_t* ssrc = nullptr);

    /// Starts feeding `appsrc` (main context only). Starts the source on the first listener.
    void add_listener(const GRef<GstElement>& appsrc);
    /// Stops feeding it; stops the source after the last listener.
    void remove_listener(GstElement* appsrc);
    std::size_t listener_count() const;
    bool running() const noexcept { return static_cast<bool>(pipeline_); }
    std::uint64_t frames_out() const noexcept { return frames_; }

private:
    OpusSource(std::string name, std::string description);
    bool start();
    void stop();
    void on_sample(GstSample* sample); // streaming thread
    void restart_from_beginning();

    std::string name_;
    std::string description_;
    GRef<GstElement> pipeline_;
    mutable std::mutex mutex_; // listeners_ is read by the streaming thread
    std::vector<GRef<GstElement>> listeners_;
    std::atomic<std::uint64_t> frames_{0};
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

} // namespace tincan::agents
