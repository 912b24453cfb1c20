#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace tincan::common {

/// A Go duration as the original's flags take (time.ParseDuration: "3s", "500ms", "1m30s",
/// "1.5h", "250us"), or a plain number of seconds; nullopt for anything else, negative values
/// included. Used by the server's and the agents' duration flags.
std::optional<std::chrono::milliseconds> parse_duration(const std::string& text);

} // namespace tincan::common
