#pragma once
// Request targets as Go's net/url reads them (the original's r.URL and r.URL.Query()).

#include <optional>
#include <string>
#include <string_view>

namespace tincan::server {

/// Go's url.unescape: every `%` starts two hex digits, and with `plus_is_space` (a query) `+` is
/// a space. Nullopt for a bad escape, which Go refuses ("invalid URL escape").
std::optional<std::string> go_unescape(std::string_view text, bool plus_is_space);

/// The first value of `key` in a raw query, as Go's `r.URL.Query().Get(key)` finds it (pairs split
/// on `&`, `+` as a space, a pair with `;` or a bad escape dropped); nullopt when there is none.
std::optional<std::string> go_query_get(std::string_view query, std::string_view key);

} // namespace tincan::server
