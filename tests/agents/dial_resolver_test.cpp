// `--custom-resolver` and `--prefer-ipv6` (PROTOCOL.md 8.2): the signalling dial resolves the
// server's name through the given DNS server, and asks only for AAAA records when IPv6 is
// preferred. A loopback UDP DNS server answers `A 127.0.0.1` for every name.

#include "rtc_fixture.hpp"
#include "server_process.hpp"
#include "signalling/dial_resolver.hpp"
#include "signalling/signalling_client.hpp"

#include <arpa/inet.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <tuple>
#include <utility>

namespace tincan::agents::test {
namespace {

/// A socket of `type` bound to an ephemeral loopback port, and that port.
std::pair<int, int> bind_loopback(int type) {
    const int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    return {fd, ntohs(addr.sin_port)};
}

/// Calls `ready()` whenever `fd` is readable, until `stop` is set.
void serve_until(int fd, const std::atomic<bool>& stop, const std::function<void()>& ready) {
    while (!stop) {
        pollfd p{fd, POLLIN, 0};
        if (poll(&p, 1, 50) > 0) {
            ready();
        }
    }
}

class FakeDnsServer {
public:
    FakeDnsServer() {
        std::tie(fd_, port_) = bind_loopback(SOCK_DGRAM);
        thread_ = std::thread([this] { serve(); });
    }
    ~FakeDnsServer() {
        stop_ = true;
        thread_.join();
        close(fd_);
    }
    std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
    std::vector<int> query_types() {
        std::lock_guard lock(mutex_);
        return types_;
    }

private:
    void serve() {
        serve_until(fd_, stop_, [this] {
            std::vector<std::uint8_t> q(512);
            sockaddr_storage from{};
            socklen_t from_len = sizeof from;
            const auto n =
                recvfrom(fd_, q.data(), q.size(), 0, reinterpret_cast<sockaddr*>(&from), &from_len);
            if (n < 17) {
                return;
            }
            q.resize(static_cast<std::size_t>(n));
            const int type = (q[n - 4] << 8) | q[n - 3];
            {
                std::lock_guard lock(mutex_);
                types_.push_back(type);
            }
            std::vector<std::uint8_t> r(q);
            r[2] = 0x81; // reply, recursion desired
            r[3] = 0x80; // recursion available, no error
            r[7] = type == 1 ? 1 : 0;
            if (type == 1) {
                r.insert(r.end(), {0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, 1});
            }
            sendto(fd_, r.data(), r.size(), 0, reinterpret_cast<sockaddr*>(&from), from_len);
        });
    }

    int fd_ = -1;
    int port_ = 0;
    std::atomic<bool> stop_{false};
    std::thread thread_;
    std::mutex mutex_;
    std::vector<int> types_;
};

/// A loopback HTTP proxy that only tunnels (CONNECT), as many do: every CONNECT goes to
/// 127.0.0.1 at the requested port whatever the name; any other request gets 405. It records
/// each request line.
class ConnectProxy {
public:
    ConnectProxy() {
        std::tie(fd_, port_) = bind_loopback(SOCK_STREAM);
        listen(fd_, 16);
        thread_ = std::thread([this] { serve(); });
    }
    ~ConnectProxy() {
        stop_ = true;
        {
            std::lock_guard lock(mutex_);
            for (const int fd : open_) {
                shutdown(fd, SHUT_RDWR);
            }
        }
        thread_.join();
        for (auto& t : tunnels_) {
            t.join();
        }
        close(fd_);
    }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
    std::vector<std::string> requests() {
        std::lock_guard lock(mutex_);
        return requests_;
    }

private:
    void serve() {
        serve_until(fd_, stop_, [this] {
            const int client = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
            if (client >= 0) {
                std::lock_guard lock(mutex_);
                open_.push_back(client);
                tunnels_.emplace_back([this, client] { tunnel(client); });
            }
        });
    }
    void tunnel(int client) {
        std::string head;
        char c = 0;
        while (!head.ends_with("\r\n\r\n") && recv(client, &c, 1, 0) == 1) {
            head += c;
        }
        const auto line = head.substr(0, head.find("\r\n"));
        {
            std::lock_guard lock(mutex_);
            requests_.push_back(line);
        }
        int server = -1;
        if (line.rfind("CONNECT ", 0) == 0) {
            const auto target = line.substr(8, line.find(' ', 8) - 8);
            sockaddr_in addr{};
            addr.sin_family = AF_INET;
            addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            addr.sin_port =
                htons(static_cast<std::uint16_t>(std::stoi(target.substr(target.rfind(':') + 1))));
            server = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
            if (::connect(server, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
                close(server);
                server = -1;
            }
        }
        const std::string reply = server >= 0 ? "HTTP/1.1 200 Connection established\r\n\r\n"
                                              : "HTTP/1.1 405 Method Not Allowed\r\n"
                                                "Content-Length: 0\r\nConnection: close\r\n\r\n";
        send(client, reply.data(), reply.size(), MSG_NOSIGNAL);
        if (server >= 0) {
            {
                std::lock_guard lock(mutex_);
                open_.push_back(server);
            }
            pollfd fds[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
            char buffer[16384];
            for (bool open = true; open && !stop_;) {
                if (poll(fds, 2, 50) <= 0) {
                    continue;
                }
                for (int i = 0; i < 2 && open; ++i) {
                    if (fds[i].revents != 0) {
                        const auto n = recv(fds[i].fd, buffer, sizeof buffer, 0);
                        open = n > 0 && send(fds[1 - i].fd, buffer, static_cast<std::size_t>(n),
                                             MSG_NOSIGNAL) == n;
                    }
                }
            }
            shutdown(server, SHUT_RDWR);
        }
        shutdown(client, SHUT_RDWR);
    }

    int fd_ = -1;
    int port_ = 0;
    std::atomic<bool> stop_{false};
    std::thread thread_;
    std::vector<std::thread> tunnels_;
    std::mutex mutex_;
    std::vector<int> open_;
    std::vector<std::string> requests_;
};

TEST(DialResolver, ParsesHostAndPort) {
    EXPECT_EQ(parse_host_port("10.0.0.1", 53)->port, 53);
    EXPECT_EQ(parse_host_port("10.0.0.1:5353", 53)->port, 5353);
    EXPECT_EQ(parse_host_port("[fd42:d42:d42:54::1]:54", 53)->host, "fd42:d42:d42:54::1");
    EXPECT_EQ(parse_host_port("[fd42:d42:d42:54::1]:54", 53)->port, 54);
    EXPECT_EQ(parse_host_port("fd42:d42:d42:54::1", 53)->host, "fd42:d42:d42:54::1");
    EXPECT_EQ(parse_host_port("dns.example", 53)->host, "dns.example");
    EXPECT_FALSE(parse_host_port("dns.example:0", 53));
    EXPECT_FALSE(parse_host_port("dns.example:x", 53));
    EXPECT_FALSE(parse_host_port("[::1", 53));
    EXPECT_FALSE(parse_host_port("", 53));
}

TEST(DialResolver, RejectsRepliesToOtherQueriesAndErrors) {
    auto q = make_dns_query("chat.example", 1, 0x1234);
    auto reply = q;
    reply[2] = 0x81;
    reply[3] = 0x80;
    reply[7] = 1;
    reply.insert(reply.end(), {0xC0, 0x0C, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 7});
    ASSERT_EQ(parse_dns_reply(reply, 1, 0x1234).size(), 1u);
    EXPECT_EQ(parse_dns_reply(reply, 1, 0x1234)[0], (std::vector<std::uint8_t>{192, 0, 2, 7}));
    EXPECT_TRUE(parse_dns_reply(reply, 1, 0x4321).empty());  // another query's id
    EXPECT_TRUE(parse_dns_reply(reply, 28, 0x1234).empty()); // no AAAA in it
    auto nxdomain = reply;
    nxdomain[3] = 0x83;
    EXPECT_TRUE(parse_dns_reply(nxdomain, 1, 0x1234).empty());
    reply.resize(reply.size() - 2); // truncated rdata
    EXPECT_TRUE(parse_dns_reply(reply, 1, 0x1234).empty());
}

class DialThroughResolver : public MainContextTest {};

TEST_F(DialThroughResolver, CustomResolverResolvesTheSignallingServerName) {
    ServerProcess server;
    ASSERT_TRUE(server.start());
    FakeDnsServer dns;
    SignallingConfig sc;
    // A name only the fake DNS server knows.
    sc.url = "ws://signalling.tincan-test.invalid:" + std::to_string(server.port()) + "/api/ws";
    sc.node_name = "resolved";
    sc.resolver.server = dns.address();
    auto client = SignallingClient::create(sc, context_);
    client->start();
    ASSERT_TRUE(wait_for([&] { return client->registered(); }));
    const auto types = dns.query_types();
    EXPECT_NE(std::find(types.begin(), types.end(), 1), types.end()); // A asked
    client->stop();
}

TEST_F(DialThroughResolver, PreferIpv6AsksForAaaaOnly) {
    FakeDnsServer dns;
    std::optional<std::string> error;
    resolve_for_dial({dns.address(), true}, "signalling.tincan-test.invalid", context_,
                     [&](std::vector<std::string> addresses, std::string e) {
                         EXPECT_TRUE(addresses.empty()); // the fake server has no AAAA
                         error = e;
                     });
    ASSERT_TRUE(wait_for([&] { return error.has_value(); }));
    EXPECT_FALSE(error->empty());
    EXPECT_EQ(dns.query_types(), std::vector<int>{28});
}

/// Sets an environment variable for its lifetime.
class ScopedEnv {
public:
    ScopedEnv(const char* name, const std::string& value) : name_(name) {
        if (const char* old = std::getenv(name)) {
            old_ = old;
        }
        setenv(name, value.c_str(), 1);
    }
    ~ScopedEnv() {
        if (old_) {
            setenv(name_, old_->c_str(), 1);
        } else {
            unsetenv(name_);
        }
    }
    ScopedEnv(const ScopedEnv&) = delete;
    ScopedEnv& operator=(const ScopedEnv&) = delete;

private:
    const char* name_;
    std::optional<std::string> old_;
};

TEST_F(DialThroughResolver, AProxyFromTheEnvironmentIsNotUsedForLoopbackServers) {
    // PROTOCOL.md 1.7: the dial honours HTTP(S)_PROXY as Go's ProxyFromEnvironment does, which
    // never proxies `localhost` or a loopback address. Here the proxy refuses every connection.
    ServerProcess server;
    ASSERT_TRUE(server.start());
    const int closed = [] {
        const auto [fd, port] = bind_loopback(SOCK_STREAM);
        close(fd); // nothing listens there any more
        return port;
    }();
    const auto proxy = "http://127.0.0.1:" + std::to_string(closed);
    ScopedEnv lower("http_proxy", proxy), upper("HTTP_PROXY", proxy);
    for (const std::string host : {"127.0.0.1", "localhost"}) {
        SignallingConfig sc;
        sc.url = "ws://" + host + ":" + std::to_string(server.port()) + "/api/ws";
        sc.node_name = "direct";
        auto client = SignallingClient::create(sc, context_);
        client->start();
        EXPECT_TRUE(wait_for([&] { return client->registered(); }, 5s)) << sc.url;
        client->stop();
    }
}

TEST_F(DialThroughResolver, AProxiedDialTunnelsWithConnect) {
    // PROTOCOL.md 1.7, 8.2: the original's gorilla/websocket dialer reaches a server through
    // HTTP_PROXY with a CONNECT tunnel (its upgrade request goes inside it), for ws as for wss;
    // a proxy that only tunnels must carry the bots. The name is resolved by the proxy.
    ServerProcess server;
    ASSERT_TRUE(server.start());
    ConnectProxy proxy;
    ScopedEnv lower("http_proxy", proxy.url()), upper("HTTP_PROXY", proxy.url());
    ScopedEnv no_lower("no_proxy", ""), no_upper("NO_PROXY", "");
    const auto authority = "signalling.tincan-test.invalid:" + std::to_string(server.port());
    SignallingConfig sc;
    sc.url = "ws://" + authority + "/api/ws";
    sc.node_name = "proxied";
    auto client = SignallingClient::create(sc, context_);
    client->start();
    EXPECT_TRUE(wait_for([&] { return client->registered(); }, 10s));
    const auto requests = proxy.requests();
    ASSERT_FALSE(requests.empty());
    EXPECT_EQ(requests.front().rfind("CONNECT " + authority + " HTTP/1.", 0), 0u)
        << requests.front();
    client->stop();
}

TEST_F(DialThroughResolver, AProxiedWssDialTunnelsThroughHttpsProxy) {
    // wss is dialled through HTTPS_PROXY (Go reads wss as https), also with CONNECT; TLS then
    // runs inside the tunnel (here it fails: the test server speaks plain HTTP).
    ConnectProxy proxy;
    ScopedEnv https("HTTPS_PROXY", proxy.url()), http("HTTP_PROXY", "");
    ScopedEnv no_lower("no_proxy", ""), no_upper("NO_PROXY", "");
    SignallingConfig sc;
    sc.url = "wss://signalling.tincan-test.invalid:9/api/ws";
    sc.node_name = "proxied";
    sc.reconnect = false;
    auto client = SignallingClient::create(sc, context_);
    client->start();
    ASSERT_TRUE(wait_for([&] { return !proxy.requests().empty(); }, 10s));
    EXPECT_EQ(proxy.requests().front().rfind("CONNECT signalling.tincan-test.invalid:9 HTTP/1.", 0),
              0u)
        << proxy.requests().front();
    client->stop();
}

} // namespace
} // namespace tincan::agents::test
