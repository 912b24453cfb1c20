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
        while (!stop_) {
            pollfd p{fd_, POLLIN, 0};
            if (poll(&p, 1, 50) <= 0) {
                continue;
            }
            std::vector<std::uint8_t> q(512);
            sockaddr_storage from{};
            socklen_t from_len = sizeof from;
            const auto n =
                recvfrom(fd_, q.data(), q.size(), 0, reinterpret_cast<sockaddr*>(&from), &from_len);
            if (n < 17) {
                continue;
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
        }
    }

    int fd_ = -1;
    int port_ = 0;
    std::atomic<bool> stop_{false};
    std::thread thread_;
    std::mutex mutex_;
    std::vector<int> types_;
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

} // namespace
} // namespace tincan::agents::test
