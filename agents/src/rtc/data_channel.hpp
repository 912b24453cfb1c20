#pragma once

// One WebRTC data channel of a webrtcbin. Signals arrive on webrtcbin's threads; every event is
// hopped to the owning main context before it reaches user callbacks. Events that arrive before a
// handler is set are kept and replayed when it is set.

#define GST_USE_UNSTABLE_API
#include <gst/webrtc/webrtc.h>

#include "rtc/message_budget.hpp"
#include "util/gobject.hpp"

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <variant>
#include <vector>

namespace tincan::agents {

/// webrtcbin accepts at most 64 KiB per message and advertises no a=max-message-size.
inline constexpr std::size_t max_message_size = 64 * 1024;
/// Incoming messages kept for a handler that is not set (yet), in bytes: a peer writing into a
/// channel nobody reads cannot grow the process. Beyond it the oldest are dropped.
inline constexpr std::size_t max_pending_bytes = 1024 * 1024;
/// Incoming messages on their way to the main context (received by webrtcbin, not yet handled),
/// in bytes and in messages: a peer flooding faster than the main loop handles cannot grow the
/// process; beyond either bound new messages are dropped (logged) until it catches up.
inline constexpr std::size_t max_inflight_bytes = 8 * 1024 * 1024;
inline constexpr std::size_t max_inflight_messages = 16384;
/// Outgoing bytes webrtcbin may hold for a peer that does not read them (buffered-amount): a
/// send beyond it is refused (logged), so a peer that floods a bot and never reads its replies
/// cannot grow the process either.
inline constexpr std::uint64_t max_buffered_bytes = 8 * 1024 * 1024;

class DataChannel : public std::enable_shared_from_this<DataChannel> {
public:
    using Binary = std::vector<std::uint8_t>;

    /// Wraps `channel` (takes a new reference). Callable from any thread; events are delivered on
    /// `context`. With a `budget`, every received message takes from it first, and one over it is
    /// dropped on arrival (webrtcbin's thread), before it would hop to `context`.
    static std::shared_ptr<DataChannel> wrap(GstWebRTCDataChannel* channel, GMainContext* context,
                                             std::shared_ptr<MessageBudget> budget = nullptr);
    ~DataChannel();
    DataChannel(const DataChannel&) = delete;
    DataChannel& operator=(const DataChannel&) = delete;

    const std::string& label() const noexcept { return label_; }
    /// SCTP stream id, -1 until known.
    int id() const;
    bool is_open() const noexcept { return opened_ && !closed_; }
    bool is_closed() const noexcept { return closed_; }
    std::uint64_t buffered_amount() const;
    /// Message bytes received from the peer so far (handled, waiting for a handler or dropped).
    std::uint64_t received_bytes() const noexcept { return received_bytes_; }
    /// Messages dropped on arrival because too many were on their way to the main context.
    std::uint64_t dropped_messages() const noexcept { return dropped_messages_; }
    /// Message bytes received and not yet taken by the main context (any thread may ask).
    std::size_t inflight_bytes() const noexcept { return inflight_bytes_; }

    void on_open(std::function<void()> fn);
    void on_close(std::function<void()> fn);
    void on_text(std::function<void(std::string)> fn);
    void on_binary(std::function<void(Binary)> fn);

    /// Sends a message; false (with a log line) if the channel is not open, the message exceeds
    /// max_message_size, the peer has not taken max_buffered_bytes sent earlier, or webrtcbin
    /// refuses it.
    bool send_text(const std::string& text);
    bool send_binary(const Binary& data);
    void close();

private:
    struct Opened {};
    struct Closed {};
    using Event = std::variant<Opened, Closed, std::string, Binary>;

    DataChannel(GstWebRTCDataChannel* channel, GMainContext* context,
                std::shared_ptr<MessageBudget> budget);
    void connect_signals();
    void enqueue(Event event); // any thread
    /// A received message (webrtcbin's thread): enqueued, or dropped over the budget or beyond the
    /// in-flight bounds.
    void arrived(Event message);
    /// Whether a send may go out now; logs the first refusal of a run.
    bool may_send(std::size_t size);
    void deliver(Event event); // main context
    void flush_pending();
    bool has_handler(const Event& event) const;
    static std::size_t message_size(const Event& event);

    GRef<GstWebRTCDataChannel> channel_;
    GMainContext* context_;
    const std::shared_ptr<MessageBudget> budget_; ///< null: no budget
    std::string label_;
    std::vector<SignalConnection> signals_;
    std::deque<Event> pending_;
    std::size_t pending_bytes_ = 0; ///< message bytes in pending_
    std::uint64_t received_bytes_ = 0;
    bool overflowing_ = false; ///< dropping (logged once until the queue drains)
    std::atomic<std::size_t> inflight_bytes_{0};
    std::atomic<std::size_t> inflight_messages_{0};
    std::atomic<std::uint64_t> dropped_messages_{0};
    std::atomic<bool> dropping_{false}; ///< dropping arrivals (logged once per run)
    bool refusing_ = false;             ///< refusing sends (logged once per run)
    bool opened_ = false;
    bool closed_ = false;
    bool flushing_ = false;
    bool open_delivered_ = false;
    bool close_delivered_ = false;
    std::function<void()> on_open_;
    std::function<void()> on_close_;
    std::function<void(std::string)> on_text_;
    std::function<void(Binary)> on_binary_;
};

} // namespace tincan::agents
