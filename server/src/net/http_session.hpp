#pragma once

#include "../http/router.hpp"
#include "../server_context.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <memory>
#include <optional>

namespace tincan::server {

/// Reads HTTP/1.1 requests from one connection and answers them through a Router. On the main
/// listener (TCP) it also hands WebSocket upgrades of the signalling path to a WebSocketSession.
template <class Protocol>
class HttpSession : public std::enable_shared_from_this<HttpSession<Protocol>> {
public:
    using Stream = boost::beast::basic_stream<Protocol>;

    HttpSession(typename Protocol::socket&& socket, ServerContext& ctx, Router& router,
                std::size_t body_limit);

    void run();

private:
    void do_read();
    void on_read(boost::beast::error_code ec, std::size_t bytes);
    void on_write(bool keep_alive, boost::beast::error_code ec, std::size_t bytes);
    bool try_upgrade(Request& req);
    /// `path` (percent-encoded, no query) is the signalling WebSocket's.
    bool on_ws_path(const std::string& path) const;
    bool try_offload(Request& req);
    void refuse(boost::beast::http::status status, std::string_view message, bool keep_alive,
                bool upgrade = false);
    void refuse_unreadable(boost::beast::http::status status, std::string_view detail);
    void send_refusal(StringResponse res);
    void do_close();

    Stream stream_;
    ServerContext& ctx_;
    Router& router_;
    std::size_t body_limit_;
    boost::beast::flat_buffer buffer_;
    std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
    std::string remote_;
    /// The request's HTTP version (before an upgrade's rewrite): refusals answer in it, as Go.
    unsigned request_version_ = 11;
};

extern template class HttpSession<boost::asio::ip::tcp>;
extern template class HttpSession<boost::asio::local::stream_protocol>;

} // namespace tincan::server
