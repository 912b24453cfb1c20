#include "signalling/dial_resolver.hpp"

#include "util/main_context.hpp"

#include <gio/gio.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <thread>

namespace tincan::agents {
namespace {

constexpr std::uint16_t type_a = 1;
constexpr std::uint16_t type_aaaa = 28;

std::uint16_t read16(const std::vector<std::uint8_t>& b, std::size_t at) {
    return static_cast<std::uint16_t>((b[at] << 8) | b[at + 1]);
}

/// Skips a (possibly compressed) name; the offset after it, or nullopt if it runs off the end.
std::optional<std::size_t> skip_name(const std::vector<std::uint8_t>& b, std::size_t at) {
    while (at < b.size()) {
        const auto len = b[at];
        if ((len & 0xC0) == 0xC0) {
            return at + 2 <= b.size() ? std::optional(at + 2) : std::nullopt;
        }
        if (len == 0) {
            return at + 1;
        }
        at += 1 + len;
    }
    return std::nullopt;
}

/// One UDP exchange with the DNS server; the reply or empty.
std::vector<std::uint8_t> exchange(const sockaddr_storage& server, socklen_t server_len,
                                   const std::vector<std::uint8_t>& query) {
    const int fd = socket(server.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return {};
    }
    timeval tv{2, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::vector<std::uint8_t> reply;
    if (connect(fd, reinterpret_cast<const sockaddr*>(&server), server_len) == 0 &&
        send(fd, query.data(), query.size(), 0) == static_cast<ssize_t>(query.size())) {
        reply.resize(4096);
        const auto n = recv(fd, reply.data(), reply.size(), 0);
        reply.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
    }
    close(fd);
    return reply;
}

std::vector<std::string> query_server(const HostPort& server, const std::string& name,
                                      bool ipv6_only, std::string& error) {
    addrinfo hints{};
    hints.ai_socktype = SOCK_DGRAM;
    addrinfo* res = nullptr;
    const auto port = std::to_string(server.port);
    if (getaddrinfo(server.host.c_str(), port.c_str(), &hints, &res) != 0 || res == nullptr) {
        error = "cannot resolve the DNS server " + server.host;
        return {};
    }
    sockaddr_storage addr{};
    std::memcpy(&addr, res->ai_addr, res->ai_addrlen);
    const auto addr_len = static_cast<socklen_t>(res->ai_addrlen);
    freeaddrinfo(res);

    std::mt19937 rng{std::random_device{}()};
    std::vector<std::string> out;
    for (const auto type : {type_aaaa, type_a}) {
        if (type == type_a && ipv6_only) {
            break;
        }
        const auto id = static_cast<std::uint16_t>(rng());
        std::vector<std::uint8_t> reply;
        for (int attempt = 0; attempt < 2 && reply.empty(); ++attempt) {
            reply = exchange(addr, addr_len, make_dns_query(name, type, id));
        }
        for (const auto& raw : parse_dns_reply(reply, type, id)) {
            char text[INET6_ADDRSTRLEN] = {};
            inet_ntop(raw.size() == 16 ? AF_INET6 : AF_INET, raw.data(), text, sizeof text);
            out.emplace_back(text);
        }
    }
    if (out.empty()) {
        error = "no " + std::string(ipv6_only ? "AAAA" : "A/AAAA") + " record for " + name +
                " from " + server.host;
    }
    return out;
}

std::vector<std::string> query_system(const std::string& name, bool ipv6_only, std::string& error) {
    GResolver* resolver = g_resolver_get_default();
    GError* err = nullptr;
    GList* list = g_resolver_lookup_by_name_with_flags(
        resolver, name.c_str(),
        ipv6_only ? G_RESOLVER_NAME_LOOKUP_FLAGS_IPV6_ONLY : G_RESOLVER_NAME_LOOKUP_FLAGS_DEFAULT,
        nullptr, &err);
    g_object_unref(resolver);
    std::vector<std::string> out;
    if (err != nullptr) {
        error = err->message;
        g_clear_error(&err);
    }
    for (GList* l = list; l != nullptr; l = l->next) {
        gchar* text = g_inet_address_to_string(G_INET_ADDRESS(l->data));
        out.emplace_back(text);
        g_free(text);
    }
    g_resolver_free_addresses(list);
    return out;
}

} // namespace

std::optional<HostPort> parse_host_port(const std::string& text, std::uint16_t default_port) {
    HostPort hp;
    hp.port = default_port;
    std::string port;
    if (text.starts_with('[')) {
        const auto close = text.find(']');
        if (close == std::string::npos) {
            return std::nullopt;
        }
        hp.host = text.substr(1, close - 1);
        const auto rest = text.substr(close + 1);
        if (!rest.empty()) {
            if (!rest.starts_with(':')) {
                return std::nullopt;
            }
            port = rest.substr(1);
        }
    } else if (std::count(text.begin(), text.end(), ':') == 1) {
        hp.host = text.substr(0, text.find(':'));
        port = text.substr(text.find(':') + 1);
    } else {
        hp.host = text; // a name, an IPv4 or a bare IPv6 address
    }
    if (!port.empty()) {
        char* end = nullptr;
        const auto value = std::strtoul(port.c_str(), &end, 10);
        if (*end != '\0' || value == 0 || value > 65535) {
            return std::nullopt;
        }
        hp.port = static_cast<std::uint16_t>(value);
    }
    if (hp.host.empty()) {
        return std::nullopt;
    }
    return hp;
}

std::vector<std::uint8_t> make_dns_query(const std::string& name, std::uint16_t type,
                                         std::uint16_t id) {
    std::vector<std::uint8_t> q{static_cast<std::uint8_t>(id >> 8),
                                static_cast<std::uint8_t>(id & 0xFF),
                                0x01, // recursion desired
                                0x00,
                                0x00,
                                0x01, // one question
                                0,
                                0,
                                0,
                                0,
                                0,
                                0};
    std::size_t start = 0;
    while (start < name.size()) {
        auto dot = name.find('.', start);
        if (dot == std::string::npos) {
            dot = name.size();
        }
        const auto label = std::min<std::size_t>(dot - start, 63);
        q.push_back(static_cast<std::uint8_t>(label));
        q.insert(q.end(), name.begin() + static_cast<std::ptrdiff_t>(start),
                 name.begin() + static_cast<std::ptrdiff_t>(start + label));
        start = dot + 1;
    }
    q.push_back(0);
    q.push_back(static_cast<std::uint8_t>(type >> 8));
    q.push_back(static_cast<std::uint8_t>(type & 0xFF));
    q.push_back(0);
    q.push_back(1); // class IN
    return q;
}

std::vector<std::vector<std::uint8_t>> parse_dns_reply(const std::vector<std::uint8_t>& b,
                                                       std::uint16_t type, std::uint16_t id) {
    std::vector<std::vector<std::uint8_t>> out;
    if (b.size() < 12 || read16(b, 0) != id || (b[2] & 0x80) == 0 || (b[2] & 0x02) != 0 ||
        (b[3] & 0x0F) != 0) {
        return out; // not a reply to this query, truncated, or an error code
    }
    const auto questions = read16(b, 4);
    const auto answers = read16(b, 6);
    std::size_t at = 12;
    for (unsigned i = 0; i < questions; ++i) {
        auto next = skip_name(b, at);
        if (!next || *next + 4 > b.size()) {
            return {};
        }
        at = *next + 4;
    }
    const std::size_t want = type == type_aaaa ? 16 : 4;
    for (unsigned i = 0; i < answers; ++i) {
        auto next = skip_name(b, at);
        if (!next || *next + 10 > b.size()) {
            return out;
        }
        at = *next;
        const auto rtype = read16(b, at);
        const auto rdlength = read16(b, at + 8);
        at += 10;
        if (at + rdlength > b.size()) {
            return out;
        }
        if (rtype == type && rdlength == want) {
            out.emplace_back(b.begin() + static_cast<std::ptrdiff_t>(at),
                             b.begin() + static_cast<std::ptrdiff_t>(at + rdlength));
        }
        at += rdlength;
    }
    return out;
}

void resolve_for_dial(const DialResolverConfig& config, const std::string& host,
                      GMainContext* context,
                      std::function<void(std::vector<std::string>, std::string)> done) {
    std::thread([config, host, context, done = std::move(done)]() mutable {
        std::string error;
        std::vector<std::string> addresses;
        if (config.server.empty()) {
            addresses = query_system(host, config.ipv6_only, error);
        } else if (auto server = parse_host_port(config.server, 53)) {
            addresses = query_server(*server, host, config.ipv6_only, error);
        } else {
            error = "bad DNS server '" + config.server + "' (host[:port])";
        }
        post(context, [done = std::move(done), addresses = std::move(addresses),
                       error = std::move(error)]() mutable {
            done(std::move(addresses), std::move(error));
        });
    }).detach();
}

} // namespace tincan::agents
