#pragma once

// Name resolution for the signalling dial only (PROTOCOL.md 8.2 `--custom-resolver`,
// `--prefer-ipv6`): a DNS server of the operator's choice instead of the system's, and/or IPv6
// (AAAA) addresses only. WebRTC (ICE) is not affected.

#include <glib.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace tincan::agents {

struct DialResolverConfig {
    std::string server; ///< `host[:port]` (port 53), `[v6]:port` or a bare IPv6; empty: system
    bool ipv6_only = false;
};

/// A parsed `host[:port]`; nullopt if malformed.
struct HostPort {
    std::string host;
    std::uint16_t port = 53;
};
std::optional<HostPort> parse_host_port(const std::string& text, std::uint16_t default_port);

/// One DNS query (RFC 1035) for `name`, type 1 (A) or 28 (AAAA), id `id`, recursion desired.
std::vector<std::uint8_t> make_dns_query(const std::string& name, std::uint16_t type,
                                         std::uint16_t id);
/// The addresses (4 or 16 bytes each) of type `type` in the answer section of `reply` to query
/// `id`; empty for anything malformed, truncated or an error reply.
std::vector<std::vector<std::uint8_t>> parse_dns_reply(const std::vector<std::uint8_t>& reply,
                                                       std::uint16_t type, std::uint16_t id);

/// Resolves `host` on a worker thread; `done` runs on `context` with the addresses as strings
/// (IPv6 first when both kinds are wanted) or an error text.
void resolve_for_dial(const DialResolverConfig& config, const std::string& host,
                      GMainContext* context,
                      std::function<void(std::vector<std::string>, std::string)> done);

} // namespace tincan::agents
