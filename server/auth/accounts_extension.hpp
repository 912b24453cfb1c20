#pragma once
// Wires the accounts module into tincan-server: account routes under the API prefix, management
// routes on the Unix socket, WebSocket identity (JWT bearer, then session cookie, else anonymous;
// --allow-anonymous=false refuses the rest), account-name reservation in the hub, and the login
// buttons of /servers.json.

#include "auth/error.hpp"
#include "server.hpp"

namespace tincan::server {

// Opens the accounts store and keys for `config` (and the environment: GH_LOGIN_CLIENT_ID,
// GH_LOGIN_CLIENT_SECRET) and returns the extension to pass to Server::add_extension. An error is
// bad configuration (unreadable Kioubit key or data dir, malformed URL flag): exit 2.
AuthResult<Server::Extension> make_accounts_extension(const Config& config);

} // namespace tincan::server
