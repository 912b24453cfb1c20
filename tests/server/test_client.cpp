#include "test_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <sstream>

namespace tincan::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace json = boost::json;
using tcp = asio::ip::tcp;

WsClient::WsClient(unsigned short port, Options options) : ws_(ioc_) {
    auto& sock = beast::get_lowest_layer(ws_).socket();
    sock.open(tcp::v4());
    if (options.receive_buffer > 0) {
        sock.set_option(asio::socket_base::receive_buffer_size(options.receive_buffer));
    }
    sock.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    ws_.set_option(websocket::stream_base::decorator([options](websocket::request_type& req) {
        if (options.origin) {
            req.set(http::field::origin, *options.origin);
        }
        for (const auto& [k, v] : options.headers) {
            req.set(k, v);
        }
    }));
    ws_.read_message_max(64 * 1024 * 1024);
    websocket::response_type res;
    beast::error_code ec;
    ws_.handshake(res, options.host.value_or("127.0.0.1:" + std::to_string(port)), options.path,
                  ec);
    if (ec) {
        refused_status_ = res.result_int();
        for (const auto& f : res) {
            refused_headers_[std::string(f.name_string())] = std::string(f.value());
        }
        return;
    }
    connected_ = true;
    if (options.start_reading) {
        start_reading();
    }
}

void WsClient::start_reading() {
    if (reading_ || closed_) {
        return;
    }
    reading_ = true;
    ws_.async_read(buffer_, [this](beast::error_code ec, std::size_t) {
        reading_ = false;
        if (ec) {
            closed_ = true;
            return;
        }
        inbox_.push_back(beast::buffers_to_string(buffer_.data()));
        buffer_.consume(buffer_.size());
        start_reading();
    });
}

bool WsClient::run_until(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
        const auto now = std::chrono::steady_clock::now();
        if (now >= deadline) {
            return false;
        }
        ioc_.restart();
        ioc_.run_one_for(deadline - now);
    }
    return true;
}

void WsClient::send(const std::string& text, bool binary) {
    bool done = false;
    ws_.binary(binary);
    ws_.async_write(asio::buffer(text), [&](beast::error_code, std::size_t) { done = true; });
    run_until([&] { return done; }, 10s);
}

std::optional<std::string> WsClient::next_text(std::chrono::milliseconds timeout) {
    if (!run_until([&] { return !inbox_.empty() || closed_; }, timeout) || inbox_.empty()) {
        return std::nullopt;
    }
    auto text = std::move(inbox_.front());
    inbox_.pop_front();
    return text;
}

std::optional<json::object> WsClient::next(std::chrono::milliseconds timeout) {
    auto text = next_text(timeout);
    if (!text) {
        return std::nullopt;
    }
    return json::parse(*text).as_object();
}

std::optional<json::object> WsClient::next_with(std::string_view key,
                                                std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            return std::nullopt;
        }
        auto frame = next(left);
        if (!frame) {
            return std::nullopt;
        }
        if (frame->contains(key)) {
            return frame;
        }
    }
}

std::optional<unsigned> WsClient::wait_closed(std::chrono::milliseconds timeout) {
    start_reading();
    if (!run_until([&] { return closed_; }, timeout)) {
        return std::nullopt;
    }
    return static_cast<unsigned>(ws_.reason().code);
}

std::string WsClient::register_as(const std::string& name) {
    send(json::serialize(json::object{{"register", json::object{{"node_name", name}}}}));
    auto reply = next_with("register");
    return reply ? std::string(reply->at("node_id").as_string()) : std::string();
}

bool WsClient::round_trip() {
    const auto seq = ++seq_;
    send(R"({"echo":{"direction":"ping","correlation_id":"rt","timestamp":1,"seq_id":)" +
         std::to_string(seq) + "}}");
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (std::chrono::steady_clock::now() < deadline) {
        auto f = next_with("echo", 5s);
        if (!f) {
            return false;
        }
        if (f->at("echo").at("seq_id").to_number<std::uint64_t>() == seq) {
            return true;
        }
    }
    return false;
}

namespace {

HttpResult read_response(beast::tcp_stream& stream, bool head) {
    beast::flat_buffer buf;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    if (head) {
        parser.skip(true);
    }
    http::read(stream, buf, parser);
    auto res = parser.release();
    HttpResult out;
    out.status = res.result_int();
    out.body = res.body();
    for (const auto& f : res) {
        out.headers[std::string(f.name_string())] = std::string(f.value());
    }
    return out;
}

} // namespace

HttpResult http_get(unsigned short port, const std::string& target, const std::string& method,
                    const std::map<std::string, std::string>& headers) {
    asio::io_context ioc;
    beast::tcp_stream stream(ioc);
    stream.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, "127.0.0.1:" + std::to_string(port));
    req.keep_alive(false);
    for (const auto& [name, value] : headers) {
        req.set(name, value);
    }
    http::write(stream, req);
    return read_response(stream, method == "HEAD");
}

HttpResult http_raw(unsigned short port, const std::string& bytes) {
    asio::io_context ioc;
    beast::tcp_stream stream(ioc);
    stream.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    asio::write(stream.socket(), asio::buffer(bytes));
    return read_response(stream, bytes.starts_with("HEAD "));
}

TestServer::TestServer(const std::function<void(server::Config&)>& configure) {
    server::Config cfg;
    cfg.listen_addr = "127.0.0.1:0";
    cfg.management_listen = "";
    cfg.web_root = "/nonexistent";
    if (configure) {
        configure(cfg);
    }
    server_ = std::make_unique<server::Server>(cfg);
    if (!server_->start()) {
        throw std::runtime_error("test server did not start");
    }
    port_ = server_->port();
    thread_ = std::thread([this] { server_->run(); });
}

TestServer::~TestServer() {
    shutdown();
    thread_.join();
}

void TestServer::shutdown() {
    if (!stopped_) {
        stopped_ = true;
        asio::post(server_->io(), [this] { server_->shutdown(); });
    }
}

double TestServer::metric(const std::string& line_prefix) const {
    const auto body = http_get(port_, "/metrics").body;
    std::istringstream in(body);
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind(line_prefix + " ", 0) == 0) {
            return std::stod(line.substr(line_prefix.size() + 1));
        }
    }
    return -1;
}

} // namespace tincan::test
