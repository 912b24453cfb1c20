// How much one connected peer costs tincan-agents (memory, threads, fds), and what MusicBot's
// audio fan-out costs in CPU per listener. Connects N pairs of webrtcbin peers in-process (the
// "bot" side and a "browser" side, data channel open), optionally with every bot side playing
// the same A4 source, then prints one JSON object. Figures per peer are per *pair* divided by
// two; the CPU figure covers both sides (sender and receiver), so it is an upper bound.
//
// usage: agents_peer_capacity [pairs=20] [audio=0|1] [seconds=10]

#include "media/opus_source.hpp"
#include "proc_counts.hpp"
#include "rtc/peer_session.hpp"
#include "util/main_context.hpp"

#include <sys/resource.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>

using namespace tincan::agents;
using namespace std::chrono_literals;

namespace {

long rss_kib() {
    std::ifstream in("/proc/self/status");
    std::string key;
    long value = 0;
    while (in >> key) {
        if (key == "VmRSS:") {
            in >> value;
            return value;
        }
        std::getline(in, key);
    }
    return 0;
}

double cpu_seconds() {
    rusage r{};
    getrusage(RUSAGE_SELF, &r);
    return static_cast<double>(r.ru_utime.tv_sec + r.ru_stime.tv_sec) +
           static_cast<double>(r.ru_utime.tv_usec + r.ru_stime.tv_usec) / 1e6;
}

struct Pair {
    std::shared_ptr<PeerSession> bot, browser;
    std::shared_ptr<DataChannel> chat, remote;
    GRef<GstElement> appsrc;
    bool negotiated = false;
};

} // namespace

int main(int argc, char** argv) {
    gst_init(&argc, &argv);
    const int pairs = argc > 1 ? std::stoi(argv[1]) : 20;
    const bool audio = argc > 2 && std::string(argv[2]) == "1";
    const int seconds = argc > 3 ? std::stoi(argv[3]) : 10;
    GMainContext* context = g_main_context_default();

    auto source = OpusSource::sine("A4", 440);
    // Warm up one pair so lazily created GStreamer state is not counted per peer.
    auto make_pair = [&](Pair& p) {
        PeerConfig a, b;
        a.name = "browser";
        b.name = "bot";
        a.context = b.context = context;
        p.browser = PeerSession::create(a);
        p.bot = PeerSession::create(b);
        std::weak_ptr<PeerSession> wa = p.browser, wb = p.bot;
        p.browser->on_local_description([wb](std::string t, std::string s) {
            if (auto x = wb.lock())
                x->set_remote_description(t, s);
        });
        p.bot->on_local_description([wa](std::string t, std::string s) {
            if (auto x = wa.lock())
                x->set_remote_description(t, s);
        });
        p.browser->on_ice_candidate([wb](unsigned m, std::string mid, std::string c) {
            if (auto x = wb.lock())
                x->add_ice_candidate(m, mid, c);
        });
        p.bot->on_ice_candidate([wa](unsigned m, std::string mid, std::string c) {
            if (auto x = wa.lock())
                x->add_ice_candidate(m, mid, c);
        });
        p.bot->on_data_channel([&p](std::shared_ptr<DataChannel> dc) { p.remote = dc; });
        p.chat = p.browser->create_data_channel("chat");
        p.browser->create_offer();
        run_until(
            context, [&] { return p.chat->is_open() && p.remote && p.remote->is_open(); }, 20s);
        if (audio) {
            std::uint32_t ssrc = 0;
            GstElement* bin = OpusSource::make_listener_bin(p.appsrc, &ssrc);
            p.bot->add_audio_source(bin, ssrc);
            p.bot->when_negotiated([&p, &source] {
                p.negotiated = true;
                source->add_listener(p.appsrc);
            });
            p.bot->create_offer();
            run_until(
                context, [&] { return p.negotiated; }, 20s);
        }
    };
    Pair warm;
    make_pair(warm);
    run_until(
        context, [] { return false; }, 500ms);

    const long rss0 = rss_kib();
    const int threads0 = proc_entries("/proc/self/task");
    const int fds0 = proc_entries("/proc/self/fd");
    std::vector<Pair> all(static_cast<std::size_t>(pairs));
    const gint64 t0 = g_get_monotonic_time();
    for (auto& p : all) {
        make_pair(p);
    }
    const double connect_s = static_cast<double>(g_get_monotonic_time() - t0) / 1e6;
    int open = 0;
    for (auto& p : all) {
        open += p.chat->is_open() ? 1 : 0;
    }
    run_until(
        context, [] { return false; }, 1s);
    const long rss1 = rss_kib();
    const int threads1 = proc_entries("/proc/self/task");
    const int fds1 = proc_entries("/proc/self/fd");

    const double cpu0 = cpu_seconds();
    run_until(
        context, [] { return false; }, std::chrono::seconds(seconds));
    const double cpu = (cpu_seconds() - cpu0) / seconds;

    const double peers = 2.0 * pairs;
    std::printf(
        "{\"pairs\":%d,\"connected\":%d,\"audio\":%s,\"connect_seconds\":%.2f,"
        "\"rss_kib_per_peer\":%.0f,\"threads_per_peer\":%.1f,\"fds_per_peer\":%.1f,"
        "\"cpu_cores_busy\":%.3f,\"opus_frames\":%llu}\n",
        pairs, open, audio ? "true" : "false", connect_s, static_cast<double>(rss1 - rss0) / peers,
        static_cast<double>(threads1 - threads0) / peers, static_cast<double>(fds1 - fds0) / peers,
        cpu, static_cast<unsigned long long>(source->frames_out()));
    for (auto& p : all) {
        if (audio)
            source->remove_listener(p.appsrc.get());
        p.bot->close();
        p.browser->close();
    }
    if (audio)
        source->remove_listener(warm.appsrc.get());
    warm.bot->close();
    warm.browser->close();
    return open == pairs ? 0 : 1;
}
