#pragma once

// One WebRTC peer connection: one webrtcbin in its own pipeline, so one peer's failure cannot
// stall another. All public methods and callbacks run on the owning GLib main context; webrtcbin
// signals and promise replies hop there first (holding a weak_ptr) before touching state.
// Negotiation steps run one at a time, in call order. Remote ICE candidates that arrive before the
// remote description are queued, not dropped.

#define GST_USE_UNSTABLE_API
#include <gst/gst.h>
#include <gst/webrtc/webrtc.h>

#include "rtc/data_channel.hpp"
#include "util/gobject.hpp"
#include "util/main_context.hpp"

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace tincan::agents {

/// RTCPeerConnectionState.
enum class ConnectionState { new_, connecting, connected, disconnected, failed, closed };
const char* to_string(ConnectionState state) noexcept;

struct PeerConfig {
    std::string name;                     ///< for logs, e.g. "EchoBot<-1234abcd"
    std::vector<std::string> ice_servers; ///< stun:/turn: URLs (W3C form)
    GMainContext* context = nullptr;      ///< nullptr: the thread-default context
    /// Builds the element (bin with a "sink" pad) that consumes a remote audio stream. Called on
    /// a GStreamer streaming thread. Unset: remote media goes to a fakesink.
    std::function<GstElement*()> make_media_sink;
    /// An offer of ours that the remote has not answered this long no longer holds back the next
    /// one: that goes out anyway and replaces it (webrtcbin allows re-offering), so a peer that
    /// ignores a renegotiation offer does not block every later one.
    std::chrono::milliseconds answer_timeout{2000};
    /// Messages the remote may send on all channels of the connection together; beyond it they
    /// are dropped unread as they arrive (MessageBudget). Unset: no budget.
    std::optional<MessageRate> message_budget;
};

class PeerSession : public std::enable_shared_from_this<PeerSession> {
public:
    /// Builds the pipeline and starts it; nullptr (with a log line) if that fails.
    static std::shared_ptr<PeerSession> create(PeerConfig config);
    ~PeerSession();
    PeerSession(const PeerSession&) = delete;
    PeerSession& operator=(const PeerSession&) = delete;

    /// A local offer or answer was set; send it to the remote. type is "offer" or "answer".
    void on_local_description(std::function<void(std::string type, std::string sdp)> fn);
    /// A local ICE candidate (trickle). mid may be empty if unknown.
    void on_ice_candidate(std::function<void(unsigned mline, std::string mid, std::string)> fn);
    void on_data_channel(std::function<void(std::shared_ptr<DataChannel>)> fn);
    void on_state(std::function<void(ConnectionState)> fn);
    /// Fatal pipeline error or failed negotiation step; the session is unusable after fatal ones.
    void on_error(std::function<void(std::string)> fn);

    /// Applies a remote offer (then creates, sets and emits an answer) or answer.
    void set_remote_description(const std::string& type, const std::string& sdp);
    /// Adds a remote candidate; queued until a remote description is set. mline wins over mid.
    void add_ice_candidate(std::optional<unsigned> mline, const std::string& mid,
                           const std::string& candidate);
    /// Creates and sets a local offer, then emits it. While an offer of ours is outstanding, the
    /// request is deferred: one follow-up offer, covering every change made meanwhile, is made
    /// once the remote answered.
    void create_offer();
    /// An ICE restart (RFC 8445 9): the next offer carries new ICE credentials, and our candidates
    /// are sent again for the new ICE session. (An offer of the peer with new credentials is
    /// answered with new ones of ours in the same way.)
    void restart_ice();
    /// Must be called before the first offer for the offer to carry m=application.
    std::shared_ptr<DataChannel> create_data_channel(const std::string& label);
    /// Adds `source` (element with a "src" pad producing Opus RTP, floating ref taken) to the
    /// pipeline as a sendonly audio track on a new transceiver, in a media stream of its own
    /// (msid `stream-<uuid>`). Call create_offer() afterwards to negotiate it.
    /// `ssrc` (if not 0) must be the payloader's ssrc: it is announced in the offer so the
    /// receiver can map the stream before the first packet.
    bool add_audio_source(GstElement* source, guint32 ssrc = 0);
    /// Takes a source added with add_audio_source out again (RTCPeerConnection.removeTrack): it
    /// is stopped and removed from the pipeline, and its transceiver becomes inactive, so the
    /// next offer marks its m-line `a=inactive` and the remote track mutes. The m-line stays
    /// (webrtcbin cannot remove transceivers). False if `source` is not attached.
    bool remove_audio_source(GstElement* source);
    /// Calls `fn` once, after the remote answer to the first offer created after this call is
    /// applied. (webrtcbin 1.22 crashes on RTP for a transceiver it has not negotiated yet, so
    /// media starts only then.)
    void when_negotiated(std::function<void()> fn);
    /// Runs `fn` once the first local offer created after this call has been handed to
    /// `on_local_description`.
    void when_offer_sent(std::function<void()> fn);

    ConnectionState state() const noexcept { return state_; }
    bool has_remote_description() const noexcept { return remote_set_; }
    bool is_closed() const noexcept { return closed_; }
    const std::string& name() const noexcept { return config_.name; }
    /// Messages of the remote dropped over PeerConfig::message_budget (0 without one).
    std::uint64_t dropped_over_budget() const noexcept { return budget_ ? budget_->dropped() : 0; }
    GMainContext* context() const noexcept { return context_; }
    /// The session's webrtcbin, for tests and diagnostics (owned by the pipeline).
    GstElement* webrtcbin() const noexcept { return webrtc_; }
    /// Stops the pipeline (on a thread of its own) and drops every callback. Idempotent.
    void close();
    /// Waits until the pipelines closed so far have stopped, at most `timeout`; false if some
    /// are still stopping (webrtcbin waits minutes for an association with unsent bytes).
    static bool wait_for_stopped_pipelines(std::chrono::milliseconds timeout);

    /// `sdp` with its audio m-lines as the original's Pion writes them: `opus` with
    /// `minptime=10;useinbandfec=1` (PROTOCOL.md 4.1), and `a=msid` beside the ssrc-level msid.
    static std::string announce_audio(const std::string& sdp);

private:
    struct Candidate {
        std::optional<unsigned> mline;
        std::string mid;
        std::string candidate;
    };
    struct AudioSource {
        GRef<GstElement> element;
        GRef<GstPad> sinkpad; ///< the webrtcbin request pad it feeds
    };
    /// Callbacks tied to offers: `next` wait for an offer to be created; when one is, they move
    /// to `offered` (until it is sent, resp. answered).
    struct OfferHooks {
        std::vector<std::function<void()>> next_sent, next_negotiated;
        std::vector<std::function<void()>> offered_sent, offered_negotiated;
    };
    struct PromiseResult {
        GstWebRTCSessionDescription* description = nullptr; // owned
        std::string error;
    };
    using PromiseFn = std::function<void(PeerSession&, PromiseResult)>;

    explicit PeerSession(PeerConfig config);
    bool build();
    void connect_signals();
    GstPromise* make_promise(const char* reply_field, PromiseFn fn);

    void enqueue_op(std::function<void()> op);
    void op_done();
    void do_set_remote(const std::string& type, const std::string& sdp);
    void do_create_offer();
    void set_local(const char* type, GstWebRTCSessionDescription* description);
    /// Gives `sdp`'s `o=` line the session's id and its next version (RFC 3264 8).
    void number_session_version(GstSDPMessage* sdp);
    /// `sdp` with the msid track id of every audio source replaced by its `track-<uuid>`.
    std::string announce_track_ids(const std::string& sdp) const;
    void flush_candidates();
    void apply_candidate(const Candidate& c);
    void fail(const std::string& what);
    void handle_state();
    void handle_pad_added(GstPad* pad); // streaming thread

    PeerConfig config_;
    GMainContext* context_;
    std::shared_ptr<MessageBudget> budget_; ///< shared by every channel; null without one
    GRef<GstElement> pipeline_;
    GstElement* webrtc_ = nullptr; // owned by pipeline_
    std::vector<SignalConnection> signals_;

    std::deque<std::function<void()>> ops_;
    bool op_running_ = false;
    bool offer_pending_ = false;
    bool have_local_offer_ = false;
    gint64 offer_set_us_ = 0; ///< when the outstanding local offer was set (monotonic)
    Timer answer_timer_;      ///< sends a deferred offer once the outstanding one is stale
    bool remote_set_ = false;
    bool closed_ = false;
    std::vector<Candidate> pending_candidates_;
    std::vector<std::string> local_mids_;
    std::string origin_session_id_;    ///< `o=` session id of our first description
    std::uint64_t origin_version_ = 0; ///< `o=` session version of our latest description
    std::vector<AudioSource> audio_sources_;
    /// Transceiver name (what webrtcbin puts in msid) -> the track id the peer is told
    /// (`track-<uuid>`, as the original's tracks, PROTOCOL.md 5.3).
    std::map<std::string, std::string> track_ids_;
    std::vector<std::string> remote_mids_;
    std::string remote_ufrag_;    ///< the peer's ICE ufrag of its latest description
    bool answer_restart_ = false; ///< the peer's offer restarts ICE: our answer too
    bool offer_restart_ = false;  ///< restart_ice() asked: our next offer restarts ICE
    std::string local_ufrag_;     ///< our ICE credentials once a restart made new ones, else empty
    std::string local_pwd_;
    std::vector<std::pair<unsigned, std::string>> local_candidates_; ///< (mline, candidate) sent
    gint64 candidates_resent_us_ = 0; ///< when they were last sent again (monotonic), or 0
    ConnectionState state_ = ConnectionState::new_;

    std::function<void(std::string, std::string)> on_local_description_;
    std::function<void(unsigned, std::string, std::string)> on_ice_candidate_;
    std::function<void(std::shared_ptr<DataChannel>)> on_data_channel_;
    std::function<void(ConnectionState)> on_state_;
    std::function<void(std::string)> on_error_;
    OfferHooks offer_hooks_;
};

} // namespace tincan::agents
