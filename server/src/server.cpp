#include "server.hpp"

#include "http/core_routes.hpp"
#include "http/responses.hpp"
#include "net/http_session.hpp"
#include "net/websocket_session.hpp"

#include <filesystem>
#include <fstream>
#include <spdlog/spdlog.h>
#include <sys/stat.h>

namespace tincan::server {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using local = asio::local::stream_protocol;

Server::Server(Config config)
    : ctx_(std::move(config)), acceptor_(io_), signals_(io_, SIGINT, SIGTERM), shutdown_timer_(io_),
      accept_retry_timer_(io_), management_retry_timer_(io_) {
    ctx_.router = std::make_shared<Router>(ctx_.config.api_prefix);
    ctx_.router->set_static(std::make_shared<StaticFiles>(ctx_.config.web_root));
    ctx_.router->set_inject_cors(ctx_.config.inject_allow_all_cors_headers);
    install_core_routes(ctx_, *ctx_.router);
    // The original's login routes (PROTOCOL.md 2.2): 404 when that provider is not configured.
    ctx_.router->reserve("/github");
    ctx_.router->reserve("/kioubit");
    // Only "/bots/" is mounted there, as in the original: any other path is Go's plain 404.
    ctx_.management_router = std::make_shared<Router>("");
}

Server::~Server() = default;

asio::ip::address Server::listen_ip(const std::string& host, boost::system::error_code& ec) {
    if (host.empty()) {
        return asio::ip::address_v6::any();
    }
    auto ip = asio::ip::make_address(host, ec);
    if (!ec) {
        return ip;
    }
    // A host name (`localhost:3001`), which the original's net.Listen resolves: its first IPv4
    // address, else its first address.
    tcp::resolver resolver(io_);
    const auto results = resolver.resolve(host, "", ec);
    if (ec || results.empty()) {
        ec = ec ? ec : asio::error::host_not_found;
        return {};
    }
    for (const auto& entry : results) {
        if (entry.endpoint().address().is_v4()) {
            return entry.endpoint().address();
        }
    }
    return results.begin()->endpoint().address();
}

bool Server::start() {
    for (auto& ext : extensions_) {
        if (!ext(ctx_)) {
            return false;
        }
    }
    const auto addr = parse_listen_addr(ctx_.config.listen_addr);
    boost::system::error_code ec;
    const auto ip = listen_ip(addr->host, ec);
    if (ec) {
        spdlog::error("bad --listen-addr host \"{}\": {}", addr->host, ec.message());
        return false;
    }
    const tcp::endpoint endpoint(ip, addr->port);
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec && ip.is_v6() && addr->host.empty()) {
        acceptor_.set_option(asio::ip::v6_only(false), ec); // ':port' = IPv4 and IPv6
    }
    if (!ec) {
        acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    }
    if (!ec) {
        acceptor_.bind(endpoint, ec);
    }
    if (!ec) {
        acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    }
    if (ec) {
        spdlog::error("cannot listen on {}: {}", ctx_.config.listen_addr, ec.message());
        return false;
    }
    port_ = acceptor_.local_endpoint().port();
    if (!start_management()) {
        return false;
    }
    // The port file says the server is ready: written once the management socket listens too
    // (scripts/run provisions the bots through it as soon as the file appears).
    if (!ctx_.config.port_file.empty()) {
        const auto tmp = ctx_.config.port_file + ".tmp";
        std::ofstream(tmp) << port_ << '\n';
        std::filesystem::rename(tmp, ctx_.config.port_file);
    }
    const auto host = addr->host.empty() ? std::string("127.0.0.1") : ip.to_string();
    spdlog::info("listening on http://{}:{}/ (web root {}, API prefix '{}', WebSocket {}{})",
                 ip.is_v6() && !addr->host.empty() ? "[" + host + "]" : host, port_,
                 ctx_.config.web_root, ctx_.config.api_prefix, ctx_.config.api_prefix,
                 ctx_.config.ws_path);
    signals_.async_wait([this](const boost::system::error_code& e, int sig) {
        if (!e) {
            spdlog::info("signal {} received, shutting down", sig);
            shutdown();
        }
    });
    accept_tcp();
    return true;
}

bool Server::start_management() {
    const auto& path = ctx_.config.management_listen;
    if (path.empty()) {
        return true;
    }
    namespace fs = std::filesystem;
    std::error_code fec;
    const auto parent = fs::path(path).parent_path();
    if (!parent.empty()) {
        fs::create_directories(parent, fec);
    }
    fs::remove(path, fec);
    boost::system::error_code ec;
    management_.emplace(io_);
    management_->open(local(), ec);
    if (!ec) {
        // Create the socket file with no access for others from the start, then make it 0600.
        const auto old_mask = ::umask(0177);
        management_->bind(local::endpoint(path), ec);
        ::umask(old_mask);
    }
    if (!ec) {
        ::chmod(path.c_str(), 0600);
        management_->listen(asio::socket_base::max_listen_connections, ec);
    }
    if (ec) {
        spdlog::error("cannot listen on management socket {}: {}", path, ec.message());
        return false;
    }
    spdlog::info("management API on unix:{}", path);
    accept_management();
    return true;
}

void Server::accept_tcp() {
    acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
        if (ec) {
            if (ec != asio::error::operation_aborted) {
                accept_failed(ec, accept_retry_timer_, &Server::accept_tcp);
            }
            return;
        }
        socket.set_option(tcp::no_delay(true), ec);
        std::make_shared<HttpSession<tcp>>(std::move(socket), ctx_, *ctx_.router,
                                           ctx_.config.max_http_body_bytes)
            ->run();
        accept_tcp();
    });
}

void Server::accept_management() {
    management_->async_accept([this](boost::system::error_code ec, local::socket socket) {
        if (ec) {
            if (ec != asio::error::operation_aborted) {
                accept_failed(ec, management_retry_timer_, &Server::accept_management);
            }
            return;
        }
        std::make_shared<HttpSession<local>>(std::move(socket), ctx_, *ctx_.management_router,
                                             1024 * 1024)
            ->run();
        accept_management();
    });
}

void Server::accept_failed(const boost::system::error_code& ec, asio::steady_timer& timer,
                           void (Server::*again)()) {
    ctx_.metrics.rejected("accept_failed");
    const auto now = std::chrono::steady_clock::now();
    if (now - last_accept_warning_ >= std::chrono::seconds(1)) {
        last_accept_warning_ = now;
        spdlog::warn("accept failed: {}; pausing accepts for 100 ms", ec.message());
    }
    // The pending connection stays in the backlog, so an immediate retry fails the same way: a
    // busy loop (and a log flood) until an fd is freed. Retrying later lets sessions time out.
    timer.expires_after(std::chrono::milliseconds(100));
    timer.async_wait([this, again](boost::system::error_code e) {
        if (!e && !ctx_.shutting_down) {
            (this->*again)();
        }
    });
}

void Server::run() {
    io_.run();
}

void Server::shutdown() {
    if (ctx_.shutting_down) {
        return;
    }
    ctx_.shutting_down = true;
    boost::system::error_code ec;
    acceptor_.close(ec);
    if (management_) {
        management_->close(ec);
        std::filesystem::remove(ctx_.config.management_listen);
    }
    signals_.cancel();
    accept_retry_timer_.cancel();
    management_retry_timer_.cancel();
    std::vector<std::shared_ptr<WebSocketSession>> live;
    for (auto& [ptr, weak] : ctx_.sessions) {
        if (auto s = weak.lock()) {
            live.push_back(std::move(s));
        }
    }
    for (auto& s : live) {
        s->shutdown();
    }
    // Give close handshakes up to two seconds, then stop whatever is left.
    wait_for_sessions(std::chrono::steady_clock::now() + std::chrono::seconds(2));
}

void Server::wait_for_sessions(std::chrono::steady_clock::time_point deadline) {
    if (ctx_.sessions.empty() || std::chrono::steady_clock::now() >= deadline) {
        io_.stop();
        return;
    }
    shutdown_timer_.expires_after(std::chrono::milliseconds(20));
    shutdown_timer_.async_wait([this, deadline](boost::system::error_code ec) {
        if (!ec) {
            wait_for_sessions(deadline);
        }
    });
}

} // namespace tincan::server
