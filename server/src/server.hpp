#pragma once

#include "server_context.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <memory>
#include <optional>

namespace tincan::server {

/// tincan-server: one io_context on one thread (all signalling state lives there, so the
/// domain code needs no locks), the main HTTP/WebSocket listener, the management Unix socket,
/// and graceful shutdown on SIGINT/SIGTERM.
class Server {
public:
    explicit Server(Config config);
    ~Server();

    /// Binds the listeners; returns false (after logging why) if that fails.
    bool start();
    /// Runs until shut down.
    void run();
    /// Stops accepting, closes every WebSocket with "going away", then stops.
    void shutdown();

    unsigned short port() const { return port_; }
    ServerContext& context() { return ctx_; }
    boost::asio::io_context& io() { return io_; }

    /// Hook for modules (accounts) to add routes and resolvers before start().
    using Extension = std::function<bool(ServerContext&)>;
    void add_extension(Extension ext) { extensions_.push_back(std::move(ext)); }

private:
    void accept_tcp();
    void accept_management();
    /// After a failed accept (EMFILE: out of fds): log at most once a second and retry `again`
    /// after a pause, instead of spinning on a connection that stays in the backlog.
    void accept_failed(const boost::system::error_code& ec, boost::asio::steady_timer& timer,
                       void (Server::*again)());
    bool start_management();
    /// The address to listen on: any (IPv4 and IPv6) for an empty host, else the literal or the
    /// resolved host name.
    boost::asio::ip::address listen_ip(const std::string& host, boost::system::error_code& ec);
    void wait_for_sessions(std::chrono::steady_clock::time_point deadline);

    boost::asio::io_context io_{1};
    ServerContext ctx_;
    boost::asio::ip::tcp::acceptor acceptor_;
    std::optional<boost::asio::local::stream_protocol::acceptor> management_;
    boost::asio::signal_set signals_;
    boost::asio::steady_timer shutdown_timer_;
    boost::asio::steady_timer accept_retry_timer_;
    boost::asio::steady_timer management_retry_timer_;
    std::chrono::steady_clock::time_point last_accept_warning_{};
    std::vector<Extension> extensions_;
    unsigned short port_ = 0;
};

} // namespace tincan::server
