#include "util/main_context.hpp"

namespace tincan::agents {

void post(GMainContext* context, std::function<void()> fn) {
    GSource* source = g_idle_source_new();
    g_source_set_priority(source, G_PRIORITY_DEFAULT);
    g_source_set_callback(
        source,
        [](gpointer data) -> gboolean {
            (*static_cast<std::function<void()>*>(data))();
            return G_SOURCE_REMOVE;
        },
        new std::function<void()>(std::move(fn)),
        [](gpointer data) { delete static_cast<std::function<void()>*>(data); });
    g_source_attach(source, context);
    g_source_unref(source);
}

namespace {

struct TimerData {
    std::function<void()> fn;
    bool repeat;
    GSource** owner;
};

} // namespace

void Timer::start(GMainContext* context, std::chrono::milliseconds delay, bool repeat,
                  std::function<void()> fn) {
    cancel();
    source_ = g_timeout_source_new(static_cast<guint>(delay.count()));
    auto* data = new TimerData{std::move(fn), repeat, &source_};
    g_source_set_callback(
        source_,
        [](gpointer d) -> gboolean {
            auto* td = static_cast<TimerData*>(d);
            if (!td->repeat) {
                // The owner may start a new timer from inside fn; forget this source first.
                GSource* self = *td->owner;
                *td->owner = nullptr;
                auto fn = std::move(td->fn);
                g_source_destroy(self);
                g_source_unref(self);
                fn();
                return G_SOURCE_REMOVE;
            }
            td->fn();
            return G_SOURCE_CONTINUE;
        },
        data, [](gpointer d) { delete static_cast<TimerData*>(d); });
    g_source_attach(source_, context);
}

void Timer::once(GMainContext* context, std::chrono::milliseconds delay, std::function<void()> fn) {
    start(context, delay, false, std::move(fn));
}

void Timer::every(GMainContext* context, std::chrono::milliseconds period,
                  std::function<void()> fn) {
    start(context, period, true, std::move(fn));
}

void Timer::cancel() {
    if (source_ != nullptr) {
        g_source_destroy(source_);
        g_source_unref(source_);
        source_ = nullptr;
    }
}

bool run_until(GMainContext* context, const std::function<bool()>& done,
               std::chrono::milliseconds timeout) {
    const gint64 deadline = g_get_monotonic_time() + timeout.count() * 1000;
    GSource* tick = g_timeout_source_new(20);
    g_source_set_callback(
        tick, [](gpointer) -> gboolean { return G_SOURCE_CONTINUE; }, nullptr, nullptr);
    g_source_attach(tick, context);
    bool ok = done();
    while (!ok && g_get_monotonic_time() < deadline) {
        g_main_context_iteration(context, TRUE);
        ok = done();
    }
    g_source_destroy(tick);
    g_source_unref(tick);
    return ok;
}

} // namespace tincan::agents
