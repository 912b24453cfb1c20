#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace tincan::common {

/// Go's time.ParseDuration, which the original's duration flags use (kong): "3s", "500ms",
/// "1m30s", "-1.5h", "250us", or "0"; a number without a unit is refused ("10" is not ten
/// seconds). On failure `error`, when given, receives Go's message, e.g.
/// `time: missing unit in duration "10"`.
std::optional<std::chrono::nanoseconds> parse_go_duration(std::string_view text,
                                                          std::string* error = nullptr);

/// The agents' lenient form: a Go duration that is not negative, or a plain number of seconds
/// ("3" is 3s); nullopt for anything else.
std::optional<std::chrono::milliseconds> parse_duration(const std::string& text);

} // namespace tincan::common
