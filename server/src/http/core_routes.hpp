#pragma once

#include "../server_context.hpp"
#include "router.hpp"

namespace tincan::server {

/// /healthz, /metrics, /servers.json and the API routes the signalling core owns (/conns), plus
/// anonymous-only answers for the account routes until an accounts module replaces them.
void install_core_routes(ServerContext& ctx, Router& router);

/// The body of /servers.json in the original web client's format (PROTOCOL.md 7.9).
std::string servers_json(const ServerContext& ctx);

} // namespace tincan::server
