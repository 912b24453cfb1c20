#include "tincan/common/duration.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <limits>

namespace tincan::common {

namespace {

/// Nanoseconds per unit of a Go duration.
std::optional<std::uint64_t> unit_ns(std::string_view unit) {
    if (unit == "ns") {
        return 1;
    }
    if (unit == "us" || unit == "µs" || unit == "μs") {
        return 1'000;
    }
    if (unit == "ms") {
        return 1'000'000;
    }
    if (unit == "s") {
        return 1'000'000'000;
    }
    if (unit == "m") {
        return 60'000'000'000;
    }
    if (unit == "h") {
        return 3'600'000'000'000;
    }
    return std::nullopt;
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

/// Go's time.quote: the text in double quotes, with quotes and backslashes escaped.
std::string quote(std::string_view s) {
    std::string out = "\"";
    for (const char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
        }
        out += c;
    }
    return out + '"';
}

constexpr std::uint64_t max_ns =
    static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());

} // namespace

std::optional<std::chrono::nanoseconds> parse_go_duration(std::string_view text,
                                                          std::string* error) {
    const auto fail = [&](std::string message) -> std::optional<std::chrono::nanoseconds> {
        if (error != nullptr) {
            *error = std::move(message);
        }
        return std::nullopt;
    };
    const auto invalid = [&] { return fail("time: invalid duration " + quote(text)); };
    std::string_view s = text;
    bool negative = false;
    if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
        negative = s.front() == '-';
        s.remove_prefix(1);
    }
    if (s == "0") {
        return std::chrono::nanoseconds(0);
    }
    if (s.empty()) {
        return invalid();
    }
    std::uint64_t total = 0;
    while (!s.empty()) {
        if (s.front() != '.' && !is_digit(s.front())) {
            return invalid();
        }
        // [0-9]* then an optional fraction .[0-9]*; one of them must have digits.
        std::uint64_t whole = 0;
        std::size_t n = 0;
        for (; n < s.size() && is_digit(s[n]); ++n) {
            if (whole > (max_ns - static_cast<std::uint64_t>(s[n] - '0')) / 10) {
                return invalid(); // overflow
            }
            whole = whole * 10 + static_cast<std::uint64_t>(s[n] - '0');
        }
        const bool pre = n > 0;
        s.remove_prefix(n);
        std::uint64_t fraction = 0;
        double scale = 1;
        bool post = false;
        if (!s.empty() && s.front() == '.') {
            s.remove_prefix(1);
            std::size_t f = 0;
            for (; f < s.size() && is_digit(s[f]); ++f) {
                if (fraction < max_ns / 10) { // further digits are below any unit's resolution
                    fraction = fraction * 10 + static_cast<std::uint64_t>(s[f] - '0');
                    scale *= 10;
                }
            }
            post = f > 0;
            s.remove_prefix(f);
        }
        if (!pre && !post) {
            return invalid();
        }
        std::size_t u = 0;
        while (u < s.size() && s[u] != '.' && !is_digit(s[u])) {
            ++u;
        }
        if (u == 0) {
            return fail("time: missing unit in duration " + quote(text));
        }
        const auto unit = s.substr(0, u);
        s.remove_prefix(u);
        const auto factor = unit_ns(unit);
        if (!factor) {
            return fail("time: unknown unit " + quote(unit) + " in duration " + quote(text));
        }
        if (whole > max_ns / *factor) {
            return invalid();
        }
        std::uint64_t value = whole * *factor;
        value += static_cast<std::uint64_t>(static_cast<double>(fraction) *
                                            (static_cast<double>(*factor) / scale));
        total += value;
        if (value > max_ns || total > max_ns) {
            return invalid();
        }
    }
    const auto signed_total = static_cast<std::int64_t>(total);
    return std::chrono::nanoseconds(negative ? -signed_total : signed_total);
}

std::optional<std::chrono::milliseconds> parse_duration(const std::string& text) {
    std::string_view rest = text;
    if (!rest.empty() && rest.front() == '+') {
        rest.remove_prefix(1);
    }
    // A plain number is seconds (lenient; Go wants a unit except for "0").
    if (!rest.empty() &&
        std::all_of(rest.begin(), rest.end(), [](char c) { return is_digit(c) || c == '.'; })) {
        const std::string digits(rest);
        char* end = nullptr;
        const double value = std::strtod(digits.c_str(), &end);
        if (*end != '\0') {
            return std::nullopt;
        }
        return std::chrono::milliseconds(static_cast<long long>(value * 1000));
    }
    const auto d = parse_go_duration(text);
    if (!d || d->count() < 0) {
        return std::nullopt;
    }
    return std::chrono::duration_cast<std::chrono::milliseconds>(*d);
}

} // namespace tincan::common
