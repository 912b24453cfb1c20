#pragma once
// Time-limited TURN credentials for browsers: coturn's "REST API" scheme (`use-auth-secret` with
// `static-auth-secret`): the username is "<expiry, unix seconds>:<tag>", the password is
// base64(HMAC-SHA1(secret, username)). coturn checks both on every allocation and refresh, so
// the server never stores or forwards a long-lived TURN password.

#include "config.hpp"

#include <cstdint>
#include <string>
#include <string_view>

namespace tincan::server {

struct TurnCredential {
    std::string username;
    std::string credential;
};

TurnCredential turn_credential(std::string_view secret, std::int64_t expires_at,
                               std::string_view tag);

/// A random tag for a credential's username (16 hex digits): coturn logs usernames, so it names
/// no account.
std::string random_turn_tag();

/// True when the server can hand out TURN credentials (URLs and the shared secret set).
bool turn_enabled(const Config& config);

/// The body of GET <api>/ice-servers: `{"iceServers":[{urls, username, credential}], "ttl": s}`
/// (RTCIceServer shape), credentials valid until now + the configured lifetime.
std::string ice_servers_json(const Config& config, std::int64_t now_unix, std::string_view tag);

} // namespace tincan::server
