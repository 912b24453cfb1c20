#pragma once

// Hops onto the GLib main context that owns agent state, and timers bound to it.

#include <glib.h>

#include <chrono>
#include <functional>
#include <memory>

namespace tincan::agents {

/// Queues `fn` to run on `context` (never inline, even when called from that context's thread).
/// Safe to call from any thread.
void post(GMainContext* context, std::function<void()> fn);

/// Like post, but runs `fn` only if `weak` is still alive at that time.
template <typename T, typename Fn>
void post_weak(GMainContext* context, const std::weak_ptr<T>& weak, Fn&& fn) {
    post(context, [weak, fn = std::forward<Fn>(fn)]() mutable {
        if (auto self = weak.lock()) {
            fn(*self);
        }
    });
}

/// A GSource timer on a main context; destroyed (cancelled) with this object.
class Timer {
public:
    Timer() = default;
    ~Timer() { cancel(); }
    Timer(const Timer&) = delete;
    Timer& operator=(const Timer&) = delete;

    /// Calls `fn` once after `delay`.
    void once(GMainContext* context, std::chrono::milliseconds delay, std::function<void()> fn);
    /// Calls `fn` every `period` until cancelled.
    void every(GMainContext* context, std::chrono::milliseconds period, std::function<void()> fn);
    void cancel();
    bool active() const noexcept { return source_ != nullptr; }

private:
    void start(GMainContext* context, std::chrono::milliseconds delay, bool repeat,
               std::function<void()> fn);

    GSource* source_ = nullptr;
};

/// Runs the context until `done()` is true or `timeout` passes; returns done(). For tests and
/// shutdown paths.
bool run_until(GMainContext* context, const std::function<bool()>& done,
               std::chrono::milliseconds timeout);

} // namespace tincan::agents
