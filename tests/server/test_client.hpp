#pragma once

// Real network clients for the integration tests: a WebSocket client with a background reader,
// a one-shot HTTP client, and a tincan-server running in-process on an ephemeral port.

#include "server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <thread>

namespace tincan::test {

using namespace std::chrono_literals;

class WsClient {
public:
    struct Options {
        std::string path = "/api/ws";
        std::optional<std::string> origin;
        std::optional<std::string> host; ///< Host header; default 127.0.0.1:PORT
        std::map<std::string, std::string> headers;
        int receive_buffer = 0; ///< SO_RCVBUF before connecting (slow reader tests)
        bool start_reading = true;
    };

    explicit WsClient(unsigned short port) : WsClient(port, Options{}) {}
    WsClient(unsigned short port, Options options);

    bool connected() const { return connected_; }
    /// HTTP status of a refused upgrade (0 when connected).
    unsigned refused_status() const { return refused_status_; }
    /// A header of the refused upgrade's response ("" when absent or connected).
    std::string refused_header(const std::string& name) const {
        const auto it = refused_headers_.find(name);
        return it == refused_headers_.end() ? std::string() : it->second;
    }

    void send(const std::string& text, bool binary = false);
    void start_reading();
    /// Next frame's text within `timeout`.
    std::optional<std::string> next_text(std::chrono::milliseconds timeout = 5s);
    /// Next frame within `timeout`.
    std::optional<boost::json::object> next(std::chrono::milliseconds timeout = 5s);
    /// Next frame that has `key`, skipping (and keeping nothing of) others.
    std::optional<boost::json::object> next_with(std::string_view key,
                                                 std::chrono::milliseconds timeout = 5s);
    /// Waits until the server closes the connection; returns its close code (or 0 for no code).
    std::optional<unsigned> wait_closed(std::chrono::milliseconds timeout = 5s);
    /// True if no frame arrives within `window` (for "nothing was delivered" checks, after a
    /// round trip has proved the server already processed everything sent before).
    std::size_t pending() const { return inbox_.size(); }

    /// register and return own node id.
    std::string register_as(const std::string& name);
    /// echo round trip: proves every earlier frame was handled.
    bool round_trip();

private:
    bool run_until(const std::function<bool()>& done, std::chrono::milliseconds timeout);

    boost::asio::io_context ioc_;
    boost::beast::websocket::stream<boost::beast::tcp_stream> ws_;
    boost::beast::flat_buffer buffer_;
    std::deque<std::string> inbox_;
    bool connected_ = false;
    bool reading_ = false;
    bool closed_ = false;
    unsigned refused_status_ = 0;
    std::map<std::string, std::string> refused_headers_;
    std::uint64_t seq_ = 0;
};

struct HttpResult {
    unsigned status = 0;
    std::string body;
    std::map<std::string, std::string> headers;
};

HttpResult http_get(unsigned short port, const std::string& target,
                    const std::string& method = "GET",
                    const std::map<std::string, std::string>& headers = {});

/// Writes `bytes` as they are (a request no HTTP library would send) and reads one response.
HttpResult http_raw(unsigned short port, const std::string& bytes);

class TestServer {
public:
    explicit TestServer(const std::function<void(server::Config&)>& configure = nullptr);
    ~TestServer();

    unsigned short port() const { return port_; }
    /// Stops the server as SIGTERM would.
    void shutdown();
    /// A metric value from /metrics (line prefix match), or -1.
    double metric(const std::string& line_prefix) const;

private:
    std::unique_ptr<server::Server> server_;
    std::thread thread_;
    unsigned short port_ = 0;
    bool stopped_ = false;
};

} // namespace tincan::test
