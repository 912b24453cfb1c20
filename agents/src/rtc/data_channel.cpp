#include "rtc/data_channel.hpp"

#include "util/main_context.hpp"

#include <spdlog/spdlog.h>

namespace tincan::agents {
namespace {

struct SignalData {
    std::weak_ptr<DataChannel> weak;
};

template <typename Fn> void log_exceptions(const char* what, Fn&& fn) {
    try {
        fn();
    } catch (const std::exception& e) {
        spdlog::error("data channel {} handler threw: {}", what, e.what());
    }
}

} // namespace

DataChannel::DataChannel(GstWebRTCDataChannel* channel, GMainContext* context,
                         std::shared_ptr<MessageBudget> budget)
    : channel_(GRef<GstWebRTCDataChannel>::ref(channel)), context_(context),
      budget_(std::move(budget)) {
    gchar* label = nullptr;
    g_object_get(channel, "label", &label, nullptr);
    label_ = label != nullptr ? label : "";
    g_free(label);
}

std::shared_ptr<DataChannel> DataChannel::wrap(GstWebRTCDataChannel* channel, GMainContext* context,
                                               std::shared_ptr<MessageBudget> budget) {
    std::shared_ptr<DataChannel> dc(new DataChannel(channel, context, std::move(budget)));
    dc->connect_signals();
    // A channel created by the remote can already be open when we see it.
    GstWebRTCDataChannelState state{};
    g_object_get(channel, "ready-state", &state, nullptr);
    if (state == GST_WEBRTC_DATA_CHANNEL_STATE_OPEN) {
        dc->enqueue(Opened{});
    } else if (state == GST_WEBRTC_DATA_CHANNEL_STATE_CLOSED) {
        dc->enqueue(Closed{});
    }
    return dc;
}

DataChannel::~DataChannel() {
    signals_.clear();
}

void DataChannel::connect_signals() {
    auto* ch = channel_.get();
    signals_.push_back(connect_signal(ch, "on-open",
                                      G_CALLBACK(+[](GstWebRTCDataChannel*, SignalData* d) {
                                          if (auto self = d->weak.lock()) {
                                              self->enqueue(Opened{});
                                          }
                                      }),
                                      new SignalData{weak_from_this()}));
    signals_.push_back(connect_signal(ch, "on-close",
                                      G_CALLBACK(+[](GstWebRTCDataChannel*, SignalData* d) {
                                          if (auto self = d->weak.lock()) {
                                              self->enqueue(Closed{});
                                          }
                                      }),
                                      new SignalData{weak_from_this()}));
    signals_.push_back(connect_signal(
        ch, "on-error", G_CALLBACK(+[](GstWebRTCDataChannel*, GError* error, SignalData* d) {
            if (auto self = d->weak.lock()) {
                spdlog::warn("data channel '{}' error: {}", self->label_,
                             error != nullptr ? error->message : "?");
                self->enqueue(Closed{});
            }
        }),
        new SignalData{weak_from_this()}));
    signals_.push_back(
        connect_signal(ch, "on-message-string",
                       G_CALLBACK(+[](GstWebRTCDataChannel*, const gchar* text, SignalData* d) {
                           if (auto self = d->weak.lock()) {
                               self->arrived(std::string(text != nullptr ? text : ""));
                           }
                       }),
                       new SignalData{weak_from_this()}));
    signals_.push_back(connect_signal(
        ch, "on-message-data", G_CALLBACK(+[](GstWebRTCDataChannel*, GBytes* bytes, SignalData* d) {
            if (auto self = d->weak.lock()) {
                gsize size = 0;
                const auto* p = static_cast<const std::uint8_t*>(
                    bytes != nullptr ? g_bytes_get_data(bytes, &size) : nullptr);
                self->arrived(Binary(p, p + size));
            }
        }),
        new SignalData{weak_from_this()}));
}

void DataChannel::enqueue(Event event) {
    post_weak(context_, weak_from_this(), [event = std::move(event)](DataChannel& self) mutable {
        self.deliver(std::move(event));
    });
}

void DataChannel::arrived(Event message) {
    if (budget_ && !budget_->admit()) {
        return; // unread: counted and logged by the budget
    }
    const auto size = message_size(message);
    if (inflight_bytes_ + size > max_inflight_bytes ||
        inflight_messages_ + 1 > max_inflight_messages) {
        ++dropped_messages_;
        if (!dropping_.exchange(true)) {
            spdlog::warn("data channel '{}': the peer sends faster than it is served; messages "
                         "beyond {} bytes or {} messages on their way are dropped",
                         label_, max_inflight_bytes, max_inflight_messages);
        }
        return;
    }
    inflight_bytes_ += size;
    ++inflight_messages_;
    post_weak(context_, weak_from_this(),
              [message = std::move(message), size](DataChannel& self) mutable {
                  self.inflight_bytes_ -= size;
                  --self.inflight_messages_;
                  if (self.inflight_messages_ == 0 && self.dropping_.exchange(false)) {
                      spdlog::info("data channel '{}': caught up, {} messages dropped so far",
                                   self.label_, self.dropped_messages_.load());
                  }
                  self.deliver(std::move(message));
              });
}

bool DataChannel::may_send(std::size_t size) {
    if (size > max_message_size) {
        spdlog::warn("data channel '{}': message of {} bytes exceeds {}", label_, size,
                     max_message_size);
        return false;
    }
    if (buffered_amount() + size > max_buffered_bytes) {
        if (!refusing_) {
            refusing_ = true;
            spdlog::warn("data channel '{}': the peer does not take what is sent ({} bytes "
                         "waiting); messages are dropped until it does",
                         label_, buffered_amount());
        }
        return false;
    }
    refusing_ = false;
    return true;
}

bool DataChannel::has_handler(const Event& event) const {
    if (std::holds_alternative<std::string>(event)) {
        return static_cast<bool>(on_text_);
    }
    if (std::holds_alternative<Binary>(event)) {
        return static_cast<bool>(on_binary_);
    }
    return true;
}

void DataChannel::deliver(Event event) {
    if (std::holds_alternative<Opened>(event)) {
        if (opened_ || closed_) {
            return; // "open" can be seen twice (ready-state and on-open)
        }
        opened_ = true;
    } else if (std::holds_alternative<Closed>(event)) {
        closed_ = true;
    } else {
        received_bytes_ += message_size(event);
        pending_bytes_ += message_size(event);
        pending_.push_back(std::move(event));
        // Bounded in bytes and count (a peer may write into a channel nobody reads); the oldest
        // go first.
        while (pending_.size() > 1 &&
               (pending_bytes_ > max_pending_bytes || pending_.size() > 4096)) {
            if (!overflowing_) {
                overflowing_ = true;
                spdlog::warn("data channel '{}': unhandled messages beyond {} bytes dropped",
                             label_, max_pending_bytes);
            }
            pending_bytes_ -= message_size(pending_.front());
            pending_.pop_front();
        }
    }
    flush_pending();
}

std::size_t DataChannel::message_size(const Event& event) {
    if (const auto* text = std::get_if<std::string>(&event)) {
        return text->size();
    }
    if (const auto* binary = std::get_if<Binary>(&event)) {
        return binary->size();
    }
    return 0;
}

// Open is reported before any message, close after all of them; messages are kept until a
// handler for their kind is set.
void DataChannel::flush_pending() {
    if (flushing_) {
        return;
    }
    flushing_ = true;
    auto self = shared_from_this(); // a handler may drop the last owner
    if (opened_ && !open_delivered_ && on_open_) {
        open_delivered_ = true;
        log_exceptions("open", [&] { on_open_(); });
    }
    while (!pending_.empty() && has_handler(pending_.front())) {
        Event e = std::move(pending_.front());
        pending_.pop_front();
        pending_bytes_ -= message_size(e);
        if (auto* text = std::get_if<std::string>(&e)) {
            log_exceptions("text", [&] { on_text_(std::move(*text)); });
        } else if (auto* binary = std::get_if<Binary>(&e)) {
            log_exceptions("binary", [&] { on_binary_(std::move(*binary)); });
        }
    }
    if (pending_.empty()) {
        overflowing_ = false;
    }
    if (closed_ && !close_delivered_ && on_close_ && pending_.empty()) {
        close_delivered_ = true;
        log_exceptions("close", [&] { on_close_(); });
    }
    flushing_ = false;
}

void DataChannel::on_open(std::function<void()> fn) {
    on_open_ = std::move(fn);
    flush_pending();
}

void DataChannel::on_close(std::function<void()> fn) {
    on_close_ = std::move(fn);
    flush_pending();
}

void DataChannel::on_text(std::function<void(std::string)> fn) {
    on_text_ = std::move(fn);
    flush_pending();
}

void DataChannel::on_binary(std::function<void(Binary)> fn) {
    on_binary_ = std::move(fn);
    flush_pending();
}

int DataChannel::id() const {
    gint id = -1;
    g_object_get(channel_.get(), "id", &id, nullptr);
    return id;
}

std::uint64_t DataChannel::buffered_amount() const {
    guint64 amount = 0;
    g_object_get(channel_.get(), "buffered-amount", &amount, nullptr);
    return amount;
}

bool DataChannel::send_text(const std::string& text) {
    if (!is_open()) {
        spdlog::debug("data channel '{}': not open, text dropped", label_);
        return false;
    }
    if (!may_send(text.size())) {
        return false;
    }
    GError* error = nullptr;
    if (!gst_webrtc_data_channel_send_string_full(channel_.get(), text.c_str(), &error)) {
        spdlog::warn("data channel '{}': send failed: {}", label_,
                     error != nullptr ? error->message : "?");
        g_clear_error(&error);
        return false;
    }
    return true;
}

bool DataChannel::send_binary(const Binary& data) {
    if (!is_open()) {
        spdlog::debug("data channel '{}': not open, binary dropped", label_);
        return false;
    }
    if (!may_send(data.size())) {
        return false;
    }
    GBytes* bytes = g_bytes_new(data.data(), data.size());
    GError* error = nullptr;
    const bool ok = gst_webrtc_data_channel_send_data_full(channel_.get(), bytes, &error);
    g_bytes_unref(bytes);
    if (!ok) {
        spdlog::warn("data channel '{}': send failed: {}", label_,
                     error != nullptr ? error->message : "?");
        g_clear_error(&error);
    }
    return ok;
}

void DataChannel::close() {
    if (!closed_) {
        gst_webrtc_data_channel_close(channel_.get());
    }
}

} // namespace tincan::agents
