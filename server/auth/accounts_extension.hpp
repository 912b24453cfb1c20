#pragma once
// Wires the accounts module into tincan-server: account routes under the API prefix, management
// routes on the Unix socket, WebSocket identity (JWT bearer, then session cookie, else anonymous;
// --allow-anonymous=false refuses the rest), account-name reservation in the hub, and the login
// buttons of /servers.json.

#include "server.hpp"

namespace tincan::server {

// The extension to pass to Server::add_extension. It reads ctx.config and the environment
// (GH_LOGIN_CLIENT_ID, GH_LOGIN_CLIENT_SECRET); returns false (after logging) on bad
// configuration, e.g. an unreadable Kioubit key or data dir.
Server::Extension accounts_extension();

} // namespace tincan::server
