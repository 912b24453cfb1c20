#include "websocket_session.hpp"

#include "tincan/common/protocol_error.hpp"

#include <spdlog/spdlog.h>
#include <sstream>

namespace tincan::server {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
using common::ProtocolError;

WebSocketSession::WebSocketSession(boost::asio::ip::tcp::socket&& socket, ServerContext& ctx)
    : ws_(std::move(socket)), ctx_(ctx), idle_timer_(ws_.get_executor()),
      write_timer_(ws_.get_executor()), bucket_(ctx.config.max_msgs_per_sec, ctx.config.msg_burst) {
    boost::system::error_code ec;
    const auto ep = beast::get_lowest_layer(ws_).socket().remote_endpoint(ec);
    remote_ = ec ? "?" : ep.address().to_string() + ":" + std::to_string(ep.port());
}

WebSocketSession::~WebSocketSession() {
    leave_hub();
    ctx_.sessions.erase(this);
}

void WebSocketSession::run(Request req, Identity identity, std::string early_data) {
    if (identity.kind == AuthKind::jwt) {
        bucket_ = TokenBucket(ctx_.config.bot_msgs_per_sec, ctx_.config.bot_msg_burst);
    }
    beast::get_lowest_layer(ws_).expires_never();
    websocket::stream_base::timeout timeouts{};
    timeouts.handshake_timeout = std::chrono::seconds(10);
    timeouts.idle_timeout = websocket::stream_base::none();
    timeouts.keep_alive_pings = false;
    ws_.set_option(timeouts);
    ws_.set_option(websocket::stream_base::decorator([](websocket::response_type& res) {
        res.set(beast::http::field::server, "tincan-server");
    }));
    ws_.read_message_max(ctx_.config.max_frame_bytes);
    ws_.auto_fragment(false);
    ctx_.sessions.emplace(this, weak_from_this());
    auto on_accepted = [self = shared_from_this(),
                        identity = std::move(identity)](beast::error_code ec) mutable {
        if (!ec) {
            self->node_id_ = self->ctx_.hub.connect(self->weak_from_this(), std::move(identity));
            self->open_ = true;
            self->ctx_.metrics.connection_opened();
        }
        self->on_accept(ec);
    };
    if (early_data.empty()) {
        ws_.async_accept(req, std::move(on_accepted));
        return;
    }
    // The stream takes bytes already read only with the request text before them; what follows
    // the request stays in its buffer for the first reads.
    std::ostringstream text;
    text << req;
    auto handshake = std::make_shared<std::string>(text.str() + early_data);
    ws_.async_accept(boost::asio::buffer(*handshake),
                     [handshake, on_accepted = std::move(on_accepted)](
                         beast::error_code ec) mutable { on_accepted(ec); });
}

void WebSocketSession::on_accept(beast::error_code ec) {
    if (ec) {
        spdlog::debug("websocket accept failed remote={} error=\"{}\"", remote_, ec.message());
        return;
    }
    spdlog::info("websocket open node={} remote={}", node_id_, remote_);
    arm_idle_timer();
    do_read();
}

template <class OnExpiry>
void WebSocketSession::arm_timer(boost::asio::steady_timer& timer, OnExpiry on_expiry) {
    timer.expires_after(ctx_.config.ws_timeout);
    timer.async_wait([weak = weak_from_this(), on_expiry](beast::error_code ec) {
        auto self = weak.lock();
        if (ec || !self) {
            return;
        }
        on_expiry(*self);
    });
}

void WebSocketSession::arm_idle_timer() {
    arm_timer(idle_timer_, [](WebSocketSession& self) {
        spdlog::info("websocket idle timeout node={}", self.node_id_);
        self.ctx_.metrics.rejected("idle_timeout");
        self.close(websocket::close_code::going_away, "idle timeout");
    });
}

void WebSocketSession::arm_write_timer() {
    arm_timer(write_timer_, [](WebSocketSession& self) {
        self.ctx_.metrics.rejected("write_stalled");
        spdlog::warn("websocket write stalled node={} queued_bytes={}: disconnecting",
                     self.node_id_, self.queued_bytes_);
        self.abort("write stalled");
    });
}

void WebSocketSession::do_read() {
    ws_.async_read(buffer_,
                   beast::bind_front_handler(&WebSocketSession::on_read, shared_from_this()));
}

bool WebSocketSession::check_rate() {
    if (bucket_.take()) {
        return true;
    }
    ctx_.metrics.rejected(common::error_name(ProtocolError::rate_limited));
    if (bucket_.exhausted()) {
        spdlog::warn("websocket flood node={} remote={}: closing", node_id_, remote_);
        close(websocket::close_code::policy_error, "rate limit exceeded");
        return false;
    }
    // One error reply per second at most, so a flood is not answered with a flood.
    const auto now = TokenBucket::Clock::now();
    if (now - last_rate_error_ >= std::chrono::seconds(1)) {
        last_rate_error_ = now;
        ctx_.hub.send_error(node_id_, common::error_name(ProtocolError::rate_limited),
                            "too many messages; this one was dropped");
    }
    return false;
}

void WebSocketSession::on_read(beast::error_code ec, std::size_t bytes) {
    if (ec) {
        if (ec == websocket::error::message_too_big) {
            ctx_.metrics.rejected(common::error_name(ProtocolError::too_large));
            spdlog::warn("websocket frame too large node={} limit={}", node_id_,
                         ctx_.config.max_frame_bytes);
        } else if (ec != websocket::error::closed && ec != boost::asio::error::operation_aborted) {
            spdlog::debug("websocket read ended node={} error=\"{}\"", node_id_, ec.message());
        }
        spdlog::info("websocket closed node={}", node_id_);
        leave_hub();
        idle_timer_.cancel();
        return;
    }
    ctx_.metrics.frame_received(bytes);
    if (!ws_.got_text()) {
        ctx_.metrics.rejected("binary_frame");
        spdlog::debug("binary frame ignored node={}", node_id_);
    } else if (check_rate()) {
        const auto data = buffer_.cdata();
        const std::string_view text(static_cast<const char*>(data.data()), data.size());
        if (!ctx_.hub.handle_text(node_id_, text)) {
            arm_idle_timer(); // only frames handled without error keep the connection alive
        }
    }
    buffer_.consume(buffer_.size());
    if (!closing_) {
        do_read();
    }
}

void WebSocketSession::deliver(const Frame& frame) {
    if (closing_ || !open_) {
        return;
    }
    if (queued_bytes_ + frame->size() > ctx_.config.max_queue_bytes ||
        queue_.size() >= ctx_.config.max_queue_frames) {
        ctx_.metrics.rejected("slow_consumer");
        spdlog::warn("websocket slow consumer node={} queued_bytes={}: disconnecting", node_id_,
                     queued_bytes_);
        abort("slow consumer");
        return;
    }
    queue_.push_back(frame);
    queued_bytes_ += frame->size();
    if (queue_.size() == 1) {
        do_write();
    }
}

void WebSocketSession::do_write() {
    arm_write_timer();
    ws_.text(true);
    ws_.async_write(boost::asio::buffer(*queue_.front()),
                    beast::bind_front_handler(&WebSocketSession::on_write, shared_from_this()));
}

void WebSocketSession::on_write(beast::error_code ec, std::size_t bytes) {
    if (ec) {
        if (ec != boost::asio::error::operation_aborted) {
            spdlog::debug("websocket write failed node={} error=\"{}\"", node_id_, ec.message());
        }
        queue_.clear();
        queued_bytes_ = 0;
        write_timer_.cancel();
        if (!closing_) {
            abort("write failed");
        }
        return;
    }
    ctx_.metrics.frame_sent(bytes);
    queued_bytes_ -= queue_.front()->size();
    queue_.pop_front();
    if (!queue_.empty() && !closing_) {
        do_write();
    } else {
        write_timer_.cancel();
    }
}

void WebSocketSession::leave_hub() {
    if (open_) {
        open_ = false;
        ctx_.hub.disconnect(node_id_);
        ctx_.metrics.connection_closed();
    }
}

void WebSocketSession::close(websocket::close_code code, std::string_view reason) {
    if (closing_) {
        return;
    }
    closing_ = true;
    idle_timer_.cancel();
    leave_hub();
    websocket::close_reason cr(code, reason.substr(0, 120));
    ws_.async_close(cr, [self = shared_from_this()](beast::error_code) {
        boost::system::error_code ignored;
        beast::get_lowest_layer(self->ws_).socket().close(ignored);
    });
}

void WebSocketSession::abort(std::string_view reason) {
    write_timer_.cancel();
    if (!closing_) {
        closing_ = true;
        idle_timer_.cancel();
        leave_hub();
        spdlog::info("websocket aborted node={} reason=\"{}\"", node_id_, reason);
    }
    // Also during a close handshake: that one may be stuck behind a write the peer never takes.
    auto& socket = beast::get_lowest_layer(ws_).socket();
    if (socket.is_open()) {
        boost::system::error_code ignored;
        socket.shutdown(boost::asio::socket_base::shutdown_both, ignored);
        socket.close(ignored);
    }
}

void WebSocketSession::shutdown() {
    close(websocket::close_code::going_away, "server shutting down");
}

} // namespace tincan::server
