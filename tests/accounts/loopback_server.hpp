#pragma once
// A small HTTP/1.1 server on 127.0.0.1 (ephemeral port) running on its own thread, for tests of
// the outbound HTTP client and the GitHub flow. Handlers run on the server thread. A handler may
// ask for a delayed answer (timeouts) by setting `delay`.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http.hpp>

#include <chrono>
#include <functional>
#include <thread>

namespace tincan::test {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;

struct Reply {
    Response response;
    std::chrono::milliseconds delay{0};
};

class LoopbackServer {
public:
    using Handler = std::function<Reply(const Request&)>;

    explicit LoopbackServer(Handler handler);
    ~LoopbackServer();
    LoopbackServer(const LoopbackServer&) = delete;
    LoopbackServer& operator=(const LoopbackServer&) = delete;

    unsigned short port() const { return port_; }
    std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

private:
    boost::asio::io_context ioc_;
    boost::asio::ip::tcp::acceptor acceptor_;
    unsigned short port_ = 0;
    Handler handler_;
    std::thread thread_;
};

Response make_response(const Request& req, boost::beast::http::status status,
                       std::string content_type, std::string body);

} // namespace tincan::test
