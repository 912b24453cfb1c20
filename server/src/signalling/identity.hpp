#pragma once

#include <string>
#include <string_view>

namespace tincan::server {

/// How a WebSocket connection authenticated at upgrade time (PROTOCOL.md 1.1).
enum class AuthKind { none, jwt, session };

std::string_view auth_kind_name(AuthKind kind) noexcept;

/// Who is behind a connection, as established by the server (never by the client).
struct Identity {
    AuthKind kind = AuthKind::none;
    std::string user_id;  ///< account id, empty when anonymous
    std::string username; ///< account username, empty when anonymous
    bool is_bot = false;
};

} // namespace tincan::server
