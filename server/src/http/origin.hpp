#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tincan::server {

/// The WebSocket upgrade Origin check (PROTOCOL.md 1.1, tightened): no Origin header is allowed
/// when `allow_missing` (bots, tools); otherwise the Origin must be the page's own origin (its
/// host[:port] equals the Host header) or exactly one of `allowed`.
bool origin_allowed(std::string_view origin, bool has_origin, std::string_view host,
                    const std::vector<std::string>& allowed, bool allow_missing);

} // namespace tincan::server
