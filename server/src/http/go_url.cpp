#include "go_url.hpp"

namespace tincan::server {

namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

} // namespace

std::optional<std::string> go_unescape(std::string_view text, bool plus_is_space) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%') {
            if (i + 2 >= text.size()) {
                return std::nullopt;
            }
            const int hi = hex_value(text[i + 1]);
            const int lo = hex_value(text[i + 2]);
            if (hi < 0 || lo < 0) {
                return std::nullopt;
            }
            out += static_cast<char>(hi * 16 + lo);
            i += 2;
        } else {
            out += plus_is_space && text[i] == '+' ? ' ' : text[i];
        }
    }
    return out;
}

std::optional<std::string> go_query_get(std::string_view query, std::string_view key) {
    // url.ParseQuery then Values.Get: pairs split on '&'; a pair with ';' or a bad escape is
    // dropped; the first value of the key.
    while (!query.empty()) {
        const auto amp = query.find('&');
        const auto pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
        if (pair.empty() || pair.find(';') != std::string_view::npos) {
            continue;
        }
        const auto eq = pair.find('=');
        auto k = go_unescape(pair.substr(0, eq), true);
        auto v = go_unescape(eq == std::string_view::npos ? "" : pair.substr(eq + 1), true);
        if (k && v && *k == key) {
            return v;
        }
    }
    return std::nullopt;
}

} // namespace tincan::server
