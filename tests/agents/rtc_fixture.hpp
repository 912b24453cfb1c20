#pragma once

// Test helpers: a private GLib main context per test, and two PeerSessions wired together
// directly (no signalling server), as libdatachannel's and Pion's tests do.

#include "rtc/peer_session.hpp"
#include "util/main_context.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace tincan::agents::test {

using namespace std::chrono_literals;

class MainContextTest : public ::testing::Test {
protected:
    void SetUp() override {
        context_ = g_main_context_new();
        g_main_context_push_thread_default(context_);
    }
    void TearDown() override {
        // Let queued hops of closed sessions run before the context goes away.
        run_until(
            context_, [] { return false; }, 50ms);
        g_main_context_pop_thread_default(context_);
        g_main_context_unref(context_);
    }
    bool wait_for(const std::function<bool()>& done, std::chrono::milliseconds timeout = 10s) {
        return run_until(context_, done, timeout);
    }

    GMainContext* context_ = nullptr;
};

/// Wires a's signalling outputs into b and back. `hold_offer` keeps a's first offer until
/// release_offer() is called (to test candidate queuing).
/// The first `a=ice-ufrag` value of an SDP text, or "".
inline std::string ice_ufrag_of(const std::string& sdp) {
    const auto at = sdp.find("a=ice-ufrag:");
    return at == std::string::npos ? ""
                                   : sdp.substr(at + 12, sdp.find_first_of("\r\n", at) - at - 12);
}

struct Wiring {
    Wiring(std::shared_ptr<PeerSession> pa, std::shared_ptr<PeerSession> pb)
        : a(std::move(pa)), b(std::move(pb)) {}

    std::shared_ptr<PeerSession> a;
    std::shared_ptr<PeerSession> b;
    bool hold_offer = false;
    std::string held_sdp;
    int a_candidates_to_b = 0;
    int b_candidates_to_a = 0;
    /// Every description a and b sent (type, sdp), in order.
    std::vector<std::pair<std::string, std::string>> a_descriptions;
    std::vector<std::pair<std::string, std::string>> b_descriptions;

    void connect() {
        std::weak_ptr<PeerSession> wa = a, wb = b;
        a->on_local_description([this, wb](std::string type, std::string sdp) {
            a_descriptions.emplace_back(type, sdp);
            if (hold_offer && type == "offer") {
                held_sdp = sdp;
                return;
            }
            if (auto p = wb.lock()) {
                p->set_remote_description(type, sdp);
            }
        });
        b->on_local_description([this, wa](std::string type, std::string sdp) {
            b_descriptions.emplace_back(type, sdp);
            if (auto p = wa.lock()) {
                p->set_remote_description(type, sdp);
            }
        });
        a->on_ice_candidate([this, wb](unsigned mline, std::string mid, std::string cand) {
            ++a_candidates_to_b;
            if (auto p = wb.lock()) {
                p->add_ice_candidate(mline, mid, cand);
            }
        });
        b->on_ice_candidate([this, wa](unsigned mline, std::string mid, std::string cand) {
            ++b_candidates_to_a;
            if (auto p = wa.lock()) {
                p->add_ice_candidate(mline, mid, cand);
            }
        });
    }
    void release_offer() {
        hold_offer = false;
        b->set_remote_description("offer", held_sdp);
    }
};

} // namespace tincan::agents::test
