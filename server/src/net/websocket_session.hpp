#pragma once

#include "../server_context.hpp"
#include "../signalling/token_bucket.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <deque>
#include <memory>
#include <string>

namespace tincan::server {

/// One signalling WebSocket: reads frames into the hub, writes the hub's frames out through a
/// bounded queue (one write in flight), enforces the idle timeout and the message rate.
class WebSocketSession : public PeerSink, public std::enable_shared_from_this<WebSocketSession> {
public:
    WebSocketSession(boost::asio::ip::tcp::socket&& socket, ServerContext& ctx);
    ~WebSocketSession() override;

    /// Completes the upgrade of `req` and starts reading. `early_data`: bytes the client sent
    /// after the request without waiting for the 101 (its first frames), read along with the
    /// request; they are handled as if they came after it.
    void run(Request req, Identity identity, std::string early_data = {});

    void deliver(const Frame& frame) override;

    /// Closes with "going away" (server shutdown).
    void shutdown();

private:
    void on_accept(boost::beast::error_code ec);
    void do_read();
    void on_read(boost::beast::error_code ec, std::size_t bytes);
    void do_write();
    void on_write(boost::beast::error_code ec, std::size_t bytes);
    /// Runs `on_expiry(*this)` after --ws-timeout unless the timer is re-armed or cancelled
    /// (or the session is gone).
    template <class OnExpiry> void arm_timer(boost::asio::steady_timer& timer, OnExpiry on_expiry);
    void arm_idle_timer();
    void arm_write_timer();
    void close(boost::beast::websocket::close_code code, std::string_view reason);
    void abort(std::string_view reason);
    void leave_hub();
    bool check_rate();

    boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
    ServerContext& ctx_;
    boost::beast::flat_buffer buffer_;
    std::deque<Frame> queue_;
    std::size_t queued_bytes_ = 0;
    boost::asio::steady_timer idle_timer_;
    /// Runs while a frame is being written: a peer that takes none of it for the idle timeout
    /// has stopped reading (also behind a close handshake, which waits for that write).
    boost::asio::steady_timer write_timer_;
    TokenBucket bucket_;
    TokenBucket::Clock::time_point last_rate_error_{};
    std::string node_id_;
    std::string remote_;
    bool open_ = false;
    bool closing_ = false;
};

} // namespace tincan::server
