#include "loopback_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>

namespace tincan::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

asio::awaitable<void> serve(tcp::socket socket, LoopbackServer::Handler& handler) {
    beast::flat_buffer buffer;
    while (true) {
        Request req;
        auto [ec, n] = co_await http::async_read(socket, buffer, req, use_tuple);
        if (ec) {
            co_return;
        }
        Reply reply = handler(req);
        if (reply.delay.count() > 0) {
            asio::steady_timer timer(socket.get_executor(), reply.delay);
            co_await timer.async_wait(use_tuple);
        }
        reply.response.prepare_payload();
        auto [wec, wn] = co_await http::async_write(socket, reply.response, use_tuple);
        if (wec || !reply.response.keep_alive()) {
            co_return;
        }
    }
}

asio::awaitable<void> accept_loop(tcp::acceptor& acceptor, LoopbackServer::Handler& handler) {
    while (true) {
        auto [ec, socket] = co_await acceptor.async_accept(use_tuple);
        if (ec) {
            co_return;
        }
        asio::co_spawn(acceptor.get_executor(), serve(std::move(socket), handler), asio::detached);
    }
}

} // namespace

LoopbackServer::LoopbackServer(Handler handler)
    : acceptor_(ioc_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)),
      handler_(std::move(handler)) {
    port_ = acceptor_.local_endpoint().port();
    asio::co_spawn(ioc_, accept_loop(acceptor_, handler_), asio::detached);
    thread_ = std::thread([this] { ioc_.run(); });
}

LoopbackServer::~LoopbackServer() {
    ioc_.stop();
    thread_.join();
}

Response make_response(const Request& req, http::status status, std::string content_type,
                       std::string body) {
    Response res{status, req.version()};
    if (!content_type.empty()) {
        res.set(http::field::content_type, content_type);
    }
    res.keep_alive(req.keep_alive());
    res.body() = std::move(body);
    return res;
}

} // namespace tincan::test
