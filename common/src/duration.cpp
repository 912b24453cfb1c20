#include "tincan/common/duration.hpp"

#include <algorithm>
#include <cstdlib>
#include <string_view>

namespace tincan::common {

namespace {

/// Milliseconds per unit of a Go duration ("ns", "us", "µs", "ms", "s", "m", "h").
std::optional<double> unit_ms(std::string_view unit) {
    if (unit == "ns") {
        return 1e-6;
    }
    if (unit == "us" || unit == "µs" || unit == "μs") {
        return 1e-3;
    }
    if (unit == "ms") {
        return 1;
    }
    if (unit == "s") {
        return 1e3;
    }
    if (unit == "m") {
        return 6e4;
    }
    if (unit == "h") {
        return 3.6e6;
    }
    return std::nullopt;
}

bool is_number_char(char c) {
    return (c >= '0' && c <= '9') || c == '.';
}

} // namespace

std::optional<std::chrono::milliseconds> parse_duration(const std::string& text) {
    std::string_view rest = text;
    if (!rest.empty() && rest.front() == '+') {
        rest.remove_prefix(1);
    }
    if (rest.empty()) {
        return std::nullopt;
    }
    // A plain number is seconds (lenient; Go wants a unit except for "0").
    char* end = nullptr;
    const std::string digits(rest);
    if (std::all_of(digits.begin(), digits.end(), is_number_char)) {
        const double value = std::strtod(digits.c_str(), &end);
        if (*end != '\0') {
            return std::nullopt;
        }
        return std::chrono::milliseconds(static_cast<long long>(value * 1000));
    }
    // Go's time.ParseDuration, as the original's flags: "1m30s", "1.5h", "500ms", "250us".
    double total = 0;
    while (!rest.empty()) {
        std::size_t n = 0;
        while (n < rest.size() && is_number_char(rest[n])) {
            ++n;
        }
        const std::string number(rest.substr(0, n));
        rest.remove_prefix(n);
        std::size_t u = 0;
        while (u < rest.size() && !is_number_char(rest[u])) {
            ++u;
        }
        const auto factor = unit_ms(rest.substr(0, u));
        rest.remove_prefix(u);
        if (number.empty() || number == "." || !factor) {
            return std::nullopt;
        }
        const double value = std::strtod(number.c_str(), &end);
        if (*end != '\0') {
            return std::nullopt; // two dots
        }
        total += value * *factor;
    }
    if (total > 1e12) {
        return std::nullopt;
    }
    return std::chrono::milliseconds(static_cast<long long>(total));
}

} // namespace tincan::common
