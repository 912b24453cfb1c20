#include "rtc/peer_session.hpp"

#include "util/main_context.hpp"

#include <gst/sdp/sdp.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <iterator>
#include <mutex>
#include <set>
#include <thread>

namespace tincan::agents {
namespace {

/// Pipelines being stopped on threads of their own, so that the process can wait for them
/// before it exits instead of tearing libraries down under them.
class StoppingPipelines {
public:
    void started() {
        const std::lock_guard lock(mutex_);
        ++count_;
    }
    void finished() {
        {
            const std::lock_guard lock(mutex_);
            --count_;
        }
        done_.notify_all();
    }
    bool wait(std::chrono::milliseconds timeout) {
        std::unique_lock lock(mutex_);
        return done_.wait_for(lock, timeout, [this] { return count_ == 0; });
    }

private:
    std::mutex mutex_;
    std::condition_variable done_;
    int count_ = 0;
};

StoppingPipelines& stopping_pipelines() {
    static auto* pipelines = new StoppingPipelines; // outlives threads still stopping at exit
    return *pipelines;
}

struct SessionRef {
    std::weak_ptr<PeerSession> weak;
};

/// W3C form ("stun:host:port") to webrtcbin's URI form ("stun://host:port").
std::string to_gst_ice_url(const std::string& url) {
    for (const char* scheme : {"stun:", "stuns:", "turn:", "turns:"}) {
        const std::string s = scheme;
        if (url.rfind(s, 0) == 0 && url.rfind(s + "//", 0) != 0) {
            return s + "//" + url.substr(s.size());
        }
    }
    return url;
}

/// libnice keeps a connected path alive with STUN binding indications, which nobody answers, so
/// a path that died silently (the peer's network went away) stays "connected" for ever.
/// Binding requests instead (RFC 8445 11 allows either; browsers answer them) make libnice mark
/// the path failed when they go unanswered while no media arrives: webrtcbin then reports the
/// connection `failed`, and the bot restarts ICE.
void check_path_with_requests(GstElement* webrtc) {
    GObject* ice = nullptr;
    g_object_get(webrtc, "ice-agent", &ice, nullptr);
    if (ice == nullptr) {
        return;
    }
    if (g_object_class_find_property(G_OBJECT_GET_CLASS(ice), "agent") != nullptr) {
        GObject* agent = nullptr;
        g_object_get(ice, "agent", &agent, nullptr);
        if (agent != nullptr &&
            g_object_class_find_property(G_OBJECT_GET_CLASS(agent), "keepalive-conncheck")) {
            g_object_set(agent, "keepalive-conncheck", TRUE, nullptr);
        }
        g_clear_object(&agent);
    }
    g_object_unref(ice);
}

/// Local candidates kept to send again after an ICE restart (a host has a few).
constexpr std::size_t max_kept_candidates = 32;

/// The first `a=ice-ufrag` of a description (media level, else session level), or "".
std::string ice_ufrag(const GstSDPMessage* sdp) {
    for (guint i = 0; i < gst_sdp_message_medias_len(sdp); ++i) {
        if (const char* u =
                gst_sdp_media_get_attribute_val(gst_sdp_message_get_media(sdp, i), "ice-ufrag")) {
            return u;
        }
    }
    const char* u = gst_sdp_message_get_attribute_val(sdp, "ice-ufrag");
    return u != nullptr ? u : "";
}

/// `n` ICE characters (RFC 8839 5.4: ALPHA / DIGIT / "+" / "/"), random.
std::string ice_chars(std::size_t n) {
    static constexpr char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out(n, ' ');
    for (auto& c : out) {
        c = alphabet[g_random_int_range(0, 64)];
    }
    return out;
}

/// Every `a=ice-ufrag` / `a=ice-pwd` of the description's media set to these credentials.
void set_ice_credentials(GstSDPMessage* sdp, const std::string& ufrag, const std::string& pwd) {
    for (guint i = 0; i < gst_sdp_message_medias_len(sdp); ++i) {
        auto* media = const_cast<GstSDPMedia*>(gst_sdp_message_get_media(sdp, i));
        for (guint a = 0; a < gst_sdp_media_attributes_len(media); ++a) {
            const std::string key = gst_sdp_media_get_attribute(media, a)->key;
            if (key == "ice-ufrag" || key == "ice-pwd") {
                GstSDPAttribute attr{};
                gst_sdp_attribute_set(&attr, key.c_str(),
                                      (key == "ice-ufrag" ? ufrag : pwd).c_str());
                gst_sdp_media_replace_attribute(media, a, &attr);
            }
        }
    }
}

std::vector<std::string> media_mids(const GstSDPMessage* sdp) {
    std::vector<std::string> mids;
    for (guint i = 0; i < gst_sdp_message_medias_len(sdp); ++i) {
        const char* mid = gst_sdp_media_get_attribute_val(gst_sdp_message_get_media(sdp, i), "mid");
        mids.emplace_back(mid != nullptr ? mid : "");
    }
    return mids;
}

std::atomic<unsigned> pipeline_counter{0};

/// `prefix` + a random UUIDv4.
std::string random_id(const char* prefix) {
    gchar* uuid = g_uuid_string_random();
    std::string id = std::string(prefix) + uuid;
    g_free(uuid);
    return id;
}

} // namespace

const char* to_string(ConnectionState state) noexcept {
    switch (state) {
    case ConnectionState::new_:
        return "new";
    case ConnectionState::connecting:
        return "connecting";
    case ConnectionState::connected:
        return "connected";
    case ConnectionState::disconnected:
        return "disconnected";
    case ConnectionState::failed:
        return "failed";
    case ConnectionState::closed:
        return "closed";
    }
    return "?";
}

PeerSession::PeerSession(PeerConfig config)
    : config_(std::move(config)),
      context_(config_.context != nullptr ? config_.context : g_main_context_get_thread_default()) {
    if (context_ == nullptr) {
        context_ = g_main_context_default();
    }
    if (config_.message_budget) {
        budget_ = std::make_shared<MessageBudget>(config_.name, *config_.message_budget);
    }
}

std::shared_ptr<PeerSession> PeerSession::create(PeerConfig config) {
    std::shared_ptr<PeerSession> session(new PeerSession(std::move(config)));
    if (!session->build()) {
        session->close();
        return nullptr;
    }
    return session;
}

PeerSession::~PeerSession() {
    close();
}

bool PeerSession::build() {
    const auto name = "peer" + std::to_string(pipeline_counter++);
    pipeline_ = GRef<GstElement>::adopt(gst_pipeline_new(name.c_str()));
    webrtc_ = gst_element_factory_make("webrtcbin", "webrtc");
    if (!pipeline_ || webrtc_ == nullptr) {
        spdlog::error("[{}] cannot create webrtcbin (gstreamer1.0-plugins-bad installed?)",
                      config_.name);
        return false;
    }
    g_object_set(webrtc_, "bundle-policy", GST_WEBRTC_BUNDLE_POLICY_MAX_BUNDLE, nullptr);
    check_path_with_requests(webrtc_);
    bool have_stun = false;
    for (const auto& url : config_.ice_servers) {
        const auto gst_url = to_gst_ice_url(url);
        if (gst_url.rfind("stun", 0) == 0 && !have_stun) {
            g_object_set(webrtc_, "stun-server", gst_url.c_str(), nullptr);
            have_stun = true;
        } else if (gst_url.rfind("turn", 0) == 0) {
            gboolean ok = FALSE;
            g_signal_emit_by_name(webrtc_, "add-turn-server", gst_url.c_str(), &ok);
            if (!ok) {
                spdlog::warn("[{}] TURN server refused: {}", config_.name, url);
            }
        }
    }
    gst_bin_add(GST_BIN(pipeline_.get()), webrtc_);

    GstBus* bus = gst_element_get_bus(pipeline_.get());
    gst_bus_set_sync_handler(
        bus,
        [](GstBus*, GstMessage* msg, gpointer data) -> GstBusSyncReply {
            if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR) {
                GError* err = nullptr;
                gchar* debug = nullptr;
                gst_message_parse_error(msg, &err, &debug);
                std::string text = err != nullptr ? err->message : "error";
                spdlog::debug("pipeline error detail: {}", debug != nullptr ? debug : "");
                g_clear_error(&err);
                g_free(debug);
                auto* ref = static_cast<SessionRef*>(data);
                if (auto self = ref->weak.lock()) {
                    post_weak(self->context_, ref->weak,
                              [text](PeerSession& s) { s.fail("pipeline: " + text); });
                }
            }
            gst_message_unref(msg); // GST_BUS_DROP leaves the unref to the handler
            return GST_BUS_DROP;
        },
        new SessionRef{weak_from_this()}, [](gpointer d) { delete static_cast<SessionRef*>(d); });
    gst_object_unref(bus);

    connect_signals();
    if (gst_element_set_state(pipeline_.get(), GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
        spdlog::error("[{}] pipeline refused to start", config_.name);
        return false;
    }
    return true;
}

void PeerSession::connect_signals() {
    auto weak = weak_from_this();
    signals_.push_back(
        connect_signal(webrtc_, "on-ice-candidate",
                       G_CALLBACK(+[](GstElement*, guint mline, gchar* candidate, SessionRef* ref) {
                           std::string cand = candidate != nullptr ? candidate : "";
                           if (auto self = ref->weak.lock()) {
                               post_weak(self->context_, ref->weak, [mline, cand](PeerSession& s) {
                                   if (s.closed_ || !s.on_ice_candidate_) {
                                       return;
                                   }
                                   const std::string mid =
                                       mline < s.local_mids_.size() ? s.local_mids_[mline] : "";
                                   if (s.local_candidates_.size() < max_kept_candidates) {
                                       s.local_candidates_.emplace_back(mline, cand);
                                   }
                                   s.on_ice_candidate_(mline, mid, cand);
                               });
                           }
                       }),
                       new SessionRef{weak}));
    signals_.push_back(connect_signal(webrtc_, "notify::connection-state",
                                      G_CALLBACK(+[](GstElement*, GParamSpec*, SessionRef* ref) {
                                          if (auto self = ref->weak.lock()) {
                                              post_weak(self->context_, ref->weak,
                                                        [](PeerSession& s) { s.handle_state(); });
                                          }
                                      }),
                                      new SessionRef{weak}));
    signals_.push_back(
        connect_signal(webrtc_, "on-data-channel",
                       G_CALLBACK(+[](GstElement*, GstWebRTCDataChannel* channel, SessionRef* ref) {
                           auto self = ref->weak.lock();
                           if (!self) {
                               return;
                           }
                           // Wrap here (connecting signals is thread-safe) so no early message is
                           // missed; the wrapper itself queues events onto the main context.
                           auto dc = DataChannel::wrap(channel, self->context_, self->budget_);
                           post_weak(self->context_, ref->weak, [dc](PeerSession& s) {
                               if (!s.closed_ && s.on_data_channel_) {
                                   s.on_data_channel_(dc);
                               }
                           });
                       }),
                       new SessionRef{weak}));
    signals_.push_back(connect_signal(webrtc_, "pad-added",
                                      G_CALLBACK(+[](GstElement*, GstPad* pad, SessionRef* ref) {
                                          if (auto self = ref->weak.lock()) {
                                              self->handle_pad_added(pad);
                                          }
                                      }),
                                      new SessionRef{weak}));
    // Renegotiation policy is ours (it also fires on the answerer): nothing on
    // on-negotiation-needed.
}

void PeerSession::handle_pad_added(GstPad* pad) {
    if (GST_PAD_DIRECTION(pad) != GST_PAD_SRC) {
        return;
    }
    GstElement* sink = config_.make_media_sink ? config_.make_media_sink() : nullptr;
    if (sink == nullptr) {
        sink = gst_element_factory_make("fakesink", nullptr);
        g_object_set(sink, "async", FALSE, "sync", FALSE, nullptr);
    }
    gst_bin_add(GST_BIN(pipeline_.get()), sink);
    gst_element_sync_state_with_parent(sink);
    GstPad* sinkpad = gst_element_get_static_pad(sink, "sink");
    if (gst_pad_link(pad, sinkpad) != GST_PAD_LINK_OK) {
        spdlog::warn("[{}] cannot link remote media pad", config_.name);
    }
    gst_object_unref(sinkpad);
}

void PeerSession::on_local_description(std::function<void(std::string, std::string)> fn) {
    on_local_description_ = std::move(fn);
}
void PeerSession::on_ice_candidate(std::function<void(unsigned, std::string, std::string)> fn) {
    on_ice_candidate_ = std::move(fn);
}
void PeerSession::on_data_channel(std::function<void(std::shared_ptr<DataChannel>)> fn) {
    on_data_channel_ = std::move(fn);
}
void PeerSession::on_state(std::function<void(ConnectionState)> fn) {
    on_state_ = std::move(fn);
}
void PeerSession::on_error(std::function<void(std::string)> fn) {
    on_error_ = std::move(fn);
}

GstPromise* PeerSession::make_promise(const char* reply_field, PromiseFn fn) {
    struct Data {
        std::weak_ptr<PeerSession> weak;
        GMainContext* context;
        const char* field;
        PromiseFn fn;
    };
    return gst_promise_new_with_change_func(
        [](GstPromise* promise, gpointer user) {
            // webrtcbin thread: extract the reply, then hop.
            auto* d = static_cast<Data*>(user);
            PromiseResult result;
            if (gst_promise_wait(promise) != GST_PROMISE_RESULT_REPLIED) {
                result.error = "promise not replied";
            } else if (const GstStructure* reply = gst_promise_get_reply(promise)) {
                GError* error = nullptr;
                if (gst_structure_has_field(reply, "error")) {
                    gst_structure_get(reply, "error", G_TYPE_ERROR, &error, nullptr);
                    result.error = error != nullptr ? error->message : "error";
                    g_clear_error(&error);
                } else if (d->field != nullptr) {
                    gst_structure_get(reply, d->field, GST_TYPE_WEBRTC_SESSION_DESCRIPTION,
                                      &result.description, nullptr);
                    if (result.description == nullptr) {
                        result.error = std::string("no ") + d->field + " in reply";
                    }
                }
            }
            auto holder = std::make_shared<PromiseResult>(std::move(result));
            post(d->context, [weak = d->weak, fn = d->fn, holder]() {
                auto self = weak.lock();
                if (self && !self->closed_) {
                    PromiseResult r = std::move(*holder);
                    holder->description = nullptr;
                    fn(*self, std::move(r));
                }
                if (holder->description != nullptr) {
                    gst_webrtc_session_description_free(holder->description);
                }
            });
        },
        new Data{weak_from_this(), context_, reply_field, std::move(fn)},
        [](gpointer user) { delete static_cast<Data*>(user); });
}

void PeerSession::enqueue_op(std::function<void()> op) {
    ops_.push_back(std::move(op));
    if (!op_running_) {
        op_done();
    }
}

void PeerSession::op_done() {
    op_running_ = false;
    if (closed_) {
        return;
    }
    // Candidates that came while the answer (or an offer) was being made were queued: apply them
    // now, before the next operation can change the remote description.
    if (remote_set_ && !pending_candidates_.empty()) {
        flush_candidates();
    }
    if (ops_.empty()) {
        return;
    }
    op_running_ = true;
    auto op = std::move(ops_.front());
    ops_.pop_front();
    op();
}

void PeerSession::set_remote_description(const std::string& type, const std::string& sdp) {
    if (closed_) {
        return;
    }
    enqueue_op([this, type, sdp] { do_set_remote(type, sdp); });
}

void PeerSession::do_set_remote(const std::string& type, const std::string& sdp_text) {
    GstWebRTCSDPType sdp_type{};
    if (type == "offer") {
        sdp_type = GST_WEBRTC_SDP_TYPE_OFFER;
    } else if (type == "answer") {
        if (!have_local_offer_) {
            spdlog::warn("[{}] answer without an outstanding offer dropped", config_.name);
            op_done();
            return;
        }
        sdp_type = GST_WEBRTC_SDP_TYPE_ANSWER;
    } else {
        spdlog::warn("[{}] unknown description type '{}'", config_.name, type);
        op_done();
        return;
    }
    if (sdp_type == GST_WEBRTC_SDP_TYPE_OFFER && have_local_offer_) {
        // Glare: bots are the polite side only towards their own renegotiation offers; the
        // remote's offer wins, ours is re-created afterwards.
        spdlog::info("[{}] remote offer while ours is outstanding; ours is retried later",
                     config_.name);
        offer_pending_ = true;
    }
    GstSDPMessage* sdp = nullptr;
    if (gst_sdp_message_new_from_text(sdp_text.c_str(), &sdp) != GST_SDP_OK || sdp == nullptr ||
        gst_sdp_message_medias_len(sdp) == 0) {
        spdlog::warn("[{}] unparsable remote SDP dropped", config_.name);
        if (sdp != nullptr) {
            gst_sdp_message_free(sdp);
        }
        op_done();
        return;
    }
    spdlog::trace("[{}] remote {}:\n{}", config_.name, type, sdp_text);
    auto mids = media_mids(sdp);
    // An offer with other ICE credentials than the peer's last description restarts ICE (RFC
    // 8445 9); webrtcbin 1.22 would answer with its old ones, so the answer gets new ones.
    const auto ufrag = ice_ufrag(sdp);
    if (sdp_type == GST_WEBRTC_SDP_TYPE_OFFER && !remote_ufrag_.empty() && ufrag != remote_ufrag_) {
        answer_restart_ = true;
    }
    remote_ufrag_ = ufrag;
    auto* desc = gst_webrtc_session_description_new(sdp_type, sdp); // takes sdp
    auto* promise = make_promise(nullptr, [sdp_type, mids](PeerSession& s, PromiseResult r) {
        if (!r.error.empty()) {
            s.fail("set-remote-description: " + r.error);
            s.op_done();
            return;
        }
        spdlog::debug("[{}] remote {} applied", s.config_.name,
                      sdp_type == GST_WEBRTC_SDP_TYPE_OFFER ? "offer" : "answer");
        s.remote_set_ = true;
        s.remote_mids_ = mids;
        s.have_local_offer_ = false;
        s.flush_candidates();
        if (sdp_type == GST_WEBRTC_SDP_TYPE_ANSWER) {
            for (auto& fn : std::exchange(s.offer_hooks_.offered_negotiated, {})) {
                fn();
            }
            if (s.offer_pending_) {
                s.offer_pending_ = false;
                s.enqueue_op([&s] { s.do_create_offer(); });
            }
            s.op_done();
            return;
        }
        auto* answer_promise = s.make_promise("answer", [](PeerSession& s2, PromiseResult r2) {
            if (!r2.error.empty()) {
                s2.fail("create-answer: " + r2.error);
                s2.op_done();
                return;
            }
            s2.set_local("answer", r2.description);
            if (s2.offer_pending_) {
                s2.offer_pending_ = false;
                s2.enqueue_op([&s2] { s2.do_create_offer(); });
            }
        });
        g_signal_emit_by_name(s.webrtc_, "create-answer", nullptr, answer_promise);
    });
    g_signal_emit_by_name(webrtc_, "set-remote-description", desc, promise);
    gst_webrtc_session_description_free(desc);
}

std::string PeerSession::announce_track_ids(const std::string& sdp) const {
    if (track_ids_.empty()) {
        return sdp;
    }
    std::string out;
    out.reserve(sdp.size() + 64);
    std::size_t pos = 0;
    while (pos < sdp.size()) {
        auto end = sdp.find('\n', pos);
        end = end == std::string::npos ? sdp.size() : end + 1;
        std::string line = sdp.substr(pos, end - pos);
        pos = end;
        // `a=ssrc:<n> msid:<stream> <track>` and `a=msid:<stream> <track>`: the last word.
        if ((line.rfind("a=ssrc:", 0) == 0 && line.find(" msid:") != std::string::npos) ||
            line.rfind("a=msid:", 0) == 0) {
            auto stop = line.find_last_not_of("\r\n");
            const auto start = line.rfind(' ', stop);
            if (stop != std::string::npos && start != std::string::npos) {
                ++stop;
                auto it = track_ids_.find(line.substr(start + 1, stop - start - 1));
                if (it != track_ids_.end()) {
                    line.replace(start + 1, stop - start - 1, it->second);
                }
            }
        }
        out += line;
    }
    return out;
}

std::string PeerSession::announce_audio(const std::string& sdp) {
    std::vector<std::string> lines;
    for (std::size_t pos = 0; pos < sdp.size();) {
        auto end = sdp.find('\n', pos);
        end = end == std::string::npos ? sdp.size() : end + 1;
        lines.push_back(sdp.substr(pos, end - pos));
        pos = end;
    }
    const auto starts = [](const std::string& line, std::string_view prefix) {
        return line.rfind(prefix, 0) == 0;
    };
    const auto body = [](const std::string& line) {
        return line.substr(0, line.find_last_not_of("\r\n") + 1);
    };
    const auto payload_type = [](const std::string& line, std::size_t from) {
        return line.substr(from, line.find(' ') - from);
    };
    constexpr std::string_view opus_params[] = {"minptime=10", "useinbandfec=1"};
    std::string out;
    out.reserve(sdp.size() + 128);
    // Each media section: what it has, then its lines rewritten.
    for (std::size_t begin = 0; begin < lines.size();) {
        std::size_t end = begin + 1;
        while (end < lines.size() && !starts(lines[end], "m=")) {
            ++end;
        }
        const bool audio = starts(lines[begin], "m=audio ");
        std::string msid; // `<stream> <track>` of the section's ssrc-level msid
        bool has_msid = false;
        bool bundle_only = false;
        std::set<std::string> fmtp; // payload types with an a=fmtp line
        for (std::size_t i = begin; i < end; ++i) {
            const auto text = body(lines[i]);
            has_msid = has_msid || starts(text, "a=msid:");
            bundle_only = bundle_only || text == "a=bundle-only";
            if (const auto at = text.find(" msid:"); starts(text, "a=ssrc:") && at != text.npos) {
                msid = text.substr(at + 6);
            }
            if (starts(text, "a=fmtp:")) {
                fmtp.insert(payload_type(text, 7));
            }
        }
        bool msid_written = !audio || has_msid || msid.empty();
        std::set<std::string> opus; // payload types of Opus/48000/2
        for (std::size_t i = begin; i < end; ++i) {
            auto line = body(lines[i]);
            const auto eol = lines[i].substr(line.size());
            if (audio && bundle_only) {
                // Port 9 in the BUNDLE group, as Pion and browsers offer: peers that take port
                // 0 for a rejected m-line whatever `a=bundle-only` says (Pion) get the track.
                if (i == begin && starts(line, "m=audio 0 ")) {
                    line.replace(8, 1, "9");
                } else if (line == "a=bundle-only") {
                    continue;
                }
            }
            if (!msid_written && starts(line, "a=ssrc:")) {
                out += "a=msid:" + msid + eol;
                msid_written = true;
            }
            const auto at = line.find(" OPUS/48000/2");
            if (audio && starts(line, "a=rtpmap:") && at != std::string::npos) {
                line.replace(at + 1, 4, "opus");
                const auto pt = payload_type(line, 9);
                opus.insert(pt);
                if (!fmtp.contains(pt)) {
                    line += eol + "a=fmtp:" + pt + " minptime=10;useinbandfec=1";
                }
            } else if (audio && starts(line, "a=fmtp:") && opus.contains(payload_type(line, 7))) {
                for (const auto param : opus_params) {
                    const auto key = param.substr(0, param.find('=') + 1);
                    if (line.find(" " + std::string(key)) == std::string::npos &&
                        line.find(";" + std::string(key)) == std::string::npos) {
                        line += ";" + std::string(param);
                    }
                }
            }
            out += line + eol;
        }
        begin = end;
    }
    return out;
}

void PeerSession::number_session_version(GstSDPMessage* sdp) {
    const GstSDPOrigin* origin = gst_sdp_message_get_origin(sdp);
    if (origin == nullptr || origin->sess_id == nullptr) {
        return;
    }
    if (origin_session_id_.empty()) {
        // The first description of ours: its session id and version are the session's.
        origin_session_id_ = origin->sess_id;
        origin_version_ = origin->sess_version != nullptr
                              ? g_ascii_strtoull(origin->sess_version, nullptr, 10)
                              : 0;
        return;
    }
    // RFC 3264 8: every later offer or answer of the session keeps its id and counts its
    // version up by one. (webrtcbin numbers its offers from its previous offer only, so the
    // first re-offer after an answer repeated that answer's version.)
    const auto version = std::to_string(++origin_version_);
    const auto copy = [](const gchar* s, const char* fallback) {
        return std::string(s != nullptr ? s : fallback); // set_origin frees the old strings
    };
    const auto username = copy(origin->username, "-");
    const auto nettype = copy(origin->nettype, "IN");
    const auto addrtype = copy(origin->addrtype, "IP4");
    const auto addr = copy(origin->addr, "0.0.0.0");
    gst_sdp_message_set_origin(sdp, username.c_str(), origin_session_id_.c_str(), version.c_str(),
                               nettype.c_str(), addrtype.c_str(), addr.c_str());
}

void PeerSession::set_local(const char* type, GstWebRTCSessionDescription* description) {
    // Numbered before it is set, so webrtcbin holds the description the peer receives.
    number_session_version(description->sdp);
    const bool restart = std::string(type) == "answer" ? std::exchange(answer_restart_, false)
                                                       : std::exchange(offer_restart_, false);
    if (restart) {
        local_ufrag_ = ice_chars(16);
        local_pwd_ = ice_chars(32);
        spdlog::info("[{}] ICE restart: new credentials in our {}", config_.name, type);
    }
    if (!local_ufrag_.empty()) {
        set_ice_credentials(description->sdp, local_ufrag_, local_pwd_);
    }
    gchar* text = gst_sdp_message_as_text(description->sdp);
    // The peer sees our track ids, not webrtcbin's transceiver names (only it reads msid).
    std::string sdp = announce_audio(announce_track_ids(text != nullptr ? text : ""));
    g_free(text);
    local_mids_ = media_mids(description->sdp);
    auto* promise = make_promise(nullptr, [type = std::string(type), sdp,
                                           restart](PeerSession& s, PromiseResult r) {
        if (!r.error.empty()) {
            s.fail("set-local-description: " + r.error);
            s.op_done();
            return;
        }
        if (type == "offer") {
            s.have_local_offer_ = true;
            s.offer_set_us_ = g_get_monotonic_time();
        }
        spdlog::debug("[{}] local {} set", s.config_.name, type);
        spdlog::trace("[{}] local {}:\n{}", s.config_.name, type, sdp);
        if (s.on_local_description_) {
            s.on_local_description_(type, sdp);
        }
        // The same sockets serve the new ICE session, and webrtcbin gathers nothing new: the peer
        // gets our candidates again for it. (Browsers' own host candidates are mDNS names we
        // cannot resolve, so without these neither side could check.) At most once a second: a
        // peer re-offering restarts in a loop must not make the bot send its candidates over
        // signalling as fast (the server would close the bot's WebSocket for flooding, for all
        // of its peers).
        const auto now = g_get_monotonic_time();
        if (restart && s.on_ice_candidate_ && now - s.candidates_resent_us_ >= 1'000'000) {
            s.candidates_resent_us_ = now;
            for (const auto& [mline, cand] : s.local_candidates_) {
                s.on_ice_candidate_(mline, mline < s.local_mids_.size() ? s.local_mids_[mline] : "",
                                    cand);
            }
        }
        if (type == "offer") {
            for (auto& fn : std::exchange(s.offer_hooks_.offered_sent, {})) {
                fn();
            }
        }
        s.op_done();
    });
    g_signal_emit_by_name(webrtc_, "set-local-description", description, promise);
    gst_webrtc_session_description_free(description);
}

void PeerSession::create_offer() {
    if (closed_) {
        return;
    }
    enqueue_op([this] { do_create_offer(); });
}

void PeerSession::restart_ice() {
    if (closed_) {
        return;
    }
    enqueue_op([this] {
        // If the offer is deferred (one of ours is outstanding), the follow-up carries the
        // restart.
        offer_restart_ = true;
        do_create_offer();
    });
}

void PeerSession::do_create_offer() {
    if (have_local_offer_) {
        const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::microseconds(g_get_monotonic_time() - offer_set_us_));
        if (waited < config_.answer_timeout) {
            offer_pending_ = true; // re-offer once the outstanding one is answered
            if (!answer_timer_.active()) {
                // ... or once it has waited too long for its answer.
                answer_timer_.once(context_, config_.answer_timeout - waited, [this] {
                    if (!closed_ && have_local_offer_ && offer_pending_) {
                        offer_pending_ = false;
                        enqueue_op([this] { do_create_offer(); });
                    }
                });
            }
            op_done();
            return;
        }
        spdlog::info("[{}] our offer had no answer for {} ms; a new one replaces it", config_.name,
                     waited.count());
    }
    // The offer covers every transceiver that exists now: the hooks registered so far are its.
    // (If it fails, they stay and go with the next offer.)
    auto& hooks = offer_hooks_;
    std::move(hooks.next_sent.begin(), hooks.next_sent.end(),
              std::back_inserter(hooks.offered_sent));
    std::move(hooks.next_negotiated.begin(), hooks.next_negotiated.end(),
              std::back_inserter(hooks.offered_negotiated));
    hooks.next_sent.clear();
    hooks.next_negotiated.clear();
    auto* promise = make_promise("offer", [](PeerSession& s, PromiseResult r) {
        if (!r.error.empty()) {
            s.fail("create-offer: " + r.error);
            s.op_done();
            return;
        }
        s.set_local("offer", r.description);
    });
    g_signal_emit_by_name(webrtc_, "create-offer", nullptr, promise);
}

void PeerSession::add_ice_candidate(std::optional<unsigned> mline, const std::string& mid,
                                    const std::string& candidate) {
    if (closed_ || candidate.empty()) {
        return; // empty candidate = end of candidates
    }
    Candidate c{mline, mid, candidate};
    if (!remote_set_ || op_running_) {
        pending_candidates_.push_back(std::move(c));
        if (pending_candidates_.size() > 256) {
            pending_candidates_.erase(pending_candidates_.begin());
        }
        return;
    }
    apply_candidate(c);
}

void PeerSession::flush_candidates() {
    auto pending = std::exchange(pending_candidates_, {});
    for (const auto& c : pending) {
        apply_candidate(c);
    }
}

void PeerSession::apply_candidate(const Candidate& c) {
    std::optional<unsigned> index = c.mline;
    if (!index) {
        for (unsigned i = 0; i < remote_mids_.size(); ++i) {
            if (remote_mids_[i] == c.mid) {
                index = i;
            }
        }
    }
    if (!index) {
        spdlog::debug("[{}] candidate for unknown mid '{}' dropped", config_.name, c.mid);
        return;
    }
    g_signal_emit_by_name(webrtc_, "add-ice-candidate", *index, c.candidate.c_str());
}

std::shared_ptr<DataChannel> PeerSession::create_data_channel(const std::string& label) {
    if (closed_) {
        return nullptr;
    }
    GstWebRTCDataChannel* channel = nullptr;
    g_signal_emit_by_name(webrtc_, "create-data-channel", label.c_str(), nullptr, &channel);
    if (channel == nullptr) {
        spdlog::warn("[{}] create-data-channel '{}' failed", config_.name, label);
        return nullptr;
    }
    auto dc = DataChannel::wrap(channel, context_, budget_);
    g_object_unref(channel);
    return dc;
}

bool PeerSession::add_audio_source(GstElement* source, guint32 ssrc) {
    auto element = GRef<GstElement>::adopt(source);
    if (closed_) {
        return false;
    }
    gst_bin_add(GST_BIN(pipeline_.get()), source);
    GstPad* srcpad = gst_element_get_static_pad(source, "src");
    GstPad* sinkpad = gst_element_request_pad_simple(webrtc_, "sink_%u");
    bool ok = srcpad != nullptr && sinkpad != nullptr;
    if (ok) {
        // A stream of its own per track (the default is one stream for all: the cname).
        if (g_object_class_find_property(G_OBJECT_GET_CLASS(sinkpad), "msid") != nullptr) {
            g_object_set(sinkpad, "msid", random_id("stream-").c_str(), nullptr);
        }
        GstWebRTCRTPTransceiver* transceiver = nullptr;
        g_object_get(sinkpad, "transceiver", &transceiver, nullptr);
        if (transceiver != nullptr) {
            // webrtcbin announces the transceiver's object name as the track id; the peer is
            // told `track-<uuid>` instead (announce_track_ids).
            gchar* name = gst_object_get_name(GST_OBJECT(transceiver));
            track_ids_[name != nullptr ? name : ""] = random_id("track-");
            g_free(name);
            GstCaps* caps = gst_caps_from_string(
                "application/x-rtp,media=audio,encoding-name=OPUS,clock-rate=48000,payload=111,"
                "encoding-params=(string)2");
            if (ssrc != 0) {
                gst_caps_set_simple(caps, "ssrc", G_TYPE_UINT, ssrc, nullptr);
            }
            g_object_set(transceiver, "direction", GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDONLY,
                         "codec-preferences", caps, nullptr);
            gst_caps_unref(caps);
            gst_object_unref(transceiver);
        }
        ok = gst_pad_link(srcpad, sinkpad) == GST_PAD_LINK_OK;
    }
    if (srcpad != nullptr) {
        gst_object_unref(srcpad);
    }
    auto pad = GRef<GstPad>::adopt(sinkpad);
    if (!ok || !gst_element_sync_state_with_parent(source)) {
        spdlog::warn("[{}] cannot attach audio source", config_.name);
        gst_element_set_state(source, GST_STATE_NULL);
        gst_bin_remove(GST_BIN(pipeline_.get()), source);
        return false;
    }
    audio_sources_.push_back({std::move(element), std::move(pad)});
    return true;
}

bool PeerSession::remove_audio_source(GstElement* source) {
    auto it = std::find_if(audio_sources_.begin(), audio_sources_.end(),
                           [source](const AudioSource& a) { return a.element.get() == source; });
    if (closed_ || it == audio_sources_.end()) {
        return false;
    }
    const AudioSource removed = std::move(*it);
    audio_sources_.erase(it);
    GstWebRTCRTPTransceiver* transceiver = nullptr;
    g_object_get(removed.sinkpad.get(), "transceiver", &transceiver, nullptr);
    if (transceiver != nullptr) {
        g_object_set(transceiver, "direction", GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_INACTIVE,
                     nullptr);
        gst_object_unref(transceiver);
    }
    // Stop it first (its streaming threads end; unlinking a running source would post a
    // not-linked error, fatal for the session), then unlink and take it out. The webrtcbin pad
    // stays, linked to nothing: its transceiver and m-line cannot be removed anyway, so releasing
    // the pad would gain little for the risk.
    gst_element_set_locked_state(source, TRUE);
    gst_element_set_state(source, GST_STATE_NULL);
    if (GstPad* srcpad = gst_element_get_static_pad(source, "src")) {
        gst_pad_unlink(srcpad, removed.sinkpad.get());
        gst_object_unref(srcpad);
    }
    gst_bin_remove(GST_BIN(pipeline_.get()), source);
    spdlog::debug("[{}] audio source removed", config_.name);
    return true;
}

void PeerSession::when_offer_sent(std::function<void()> fn) {
    if (fn) {
        offer_hooks_.next_sent.push_back(std::move(fn));
    }
}

void PeerSession::when_negotiated(std::function<void()> fn) {
    if (fn) {
        offer_hooks_.next_negotiated.push_back(std::move(fn));
    }
}

void PeerSession::handle_state() {
    if (closed_) {
        return;
    }
    // webrtcbin 1.22 never updates ice-connection-state; connection-state works.
    GstWebRTCPeerConnectionState state{};
    g_object_get(webrtc_, "connection-state", &state, nullptr);
    ConnectionState next = ConnectionState::new_;
    switch (state) {
    case GST_WEBRTC_PEER_CONNECTION_STATE_NEW:
        next = ConnectionState::new_;
        break;
    case GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTING:
        next = ConnectionState::connecting;
        break;
    case GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED:
        next = ConnectionState::connected;
        break;
    case GST_WEBRTC_PEER_CONNECTION_STATE_DISCONNECTED:
        next = ConnectionState::disconnected;
        break;
    case GST_WEBRTC_PEER_CONNECTION_STATE_FAILED:
        next = ConnectionState::failed;
        break;
    case GST_WEBRTC_PEER_CONNECTION_STATE_CLOSED:
        next = ConnectionState::closed;
        break;
    }
    if (next == state_) {
        return;
    }
    state_ = next;
    spdlog::debug("[{}] connection {}", config_.name, to_string(next));
    if (on_state_) {
        on_state_(next);
    }
}

void PeerSession::fail(const std::string& what) {
    if (closed_) {
        return;
    }
    spdlog::warn("[{}] {}", config_.name, what);
    if (on_error_) {
        on_error_(what);
    }
}

void PeerSession::close() {
    if (closed_) {
        return;
    }
    closed_ = true;
    answer_timer_.cancel();
    signals_.clear();
    ops_.clear();
    pending_candidates_.clear();
    on_local_description_ = nullptr;
    on_ice_candidate_ = nullptr;
    on_data_channel_ = nullptr;
    on_state_ = nullptr;
    on_error_ = nullptr;
    offer_hooks_ = {};
    if (pipeline_) {
        GstBus* bus = gst_element_get_bus(pipeline_.get());
        gst_bus_set_sync_handler(bus, nullptr, nullptr, nullptr);
        gst_object_unref(bus);
        audio_sources_.clear();
        // Stopped on a thread of its own: webrtcbin's stop waits for its SCTP association, which
        // takes minutes while unsent bytes are buffered for a peer that stopped reading; on the
        // main loop that would freeze every other peer and bot meanwhile.
        stopping_pipelines().started();
        std::thread([pipeline = std::move(pipeline_)] {
            gst_element_set_state(pipeline.get(), GST_STATE_NULL);
            stopping_pipelines().finished();
        }).detach();
    }
    webrtc_ = nullptr;
}

bool PeerSession::wait_for_stopped_pipelines(std::chrono::milliseconds timeout) {
    return stopping_pipelines().wait(timeout);
}

} // namespace tincan::agents
