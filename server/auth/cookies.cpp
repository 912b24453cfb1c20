#include "auth/cookies.hpp"

#include "auth/http_util.hpp"
#include <boost/url/parse.hpp>

#include <algorithm>
#include <cctype>

namespace tincan::server {

namespace {

std::string attributes(const CookieConfig& config) {
    std::string out = "; Path=/; HttpOnly";
    if (!config.domain.empty()) {
        out += "; Domain=" + config.domain;
    }
    bool secure = config.secure;
    if (config.samesite == "None" || config.samesite == "Lax" || config.samesite == "Strict") {
        out += "; SameSite=" + config.samesite;
        secure = secure || config.samesite == "None";
    }
    if (secure) {
        out += "; Secure";
    }
    return out;
}

std::optional<std::string> origin_of(std::string_view url) {
    auto u = boost::urls::parse_absolute_uri(url);
    if (!u || u->has_userinfo() || !u->has_authority()) {
        return std::nullopt;
    }
    auto scheme = ascii_lower(u->scheme());
    if (scheme != "http" && scheme != "https") {
        return std::nullopt;
    }
    std::string port(u->port());
    if ((scheme == "http" && port == "80") || (scheme == "https" && port == "443")) {
        port.clear();
    }
    return scheme + "://" + ascii_lower(u->encoded_host()) + (port.empty() ? "" : ":" + port);
}

} // namespace

std::string build_session_cookie(const CookieConfig& config, std::string_view session_id,
                                 std::int64_t max_age_seconds) {
    return std::string(session_cookie_name) + "=" + std::string(session_id) +
           "; Max-Age=" + std::to_string(max_age_seconds) + attributes(config);
}

std::string build_clearing_cookie(const CookieConfig& config) {
    return std::string(session_cookie_name) + "=; Max-Age=0" + attributes(config);
}

std::optional<std::string> find_cookie(std::string_view header, std::string_view name) {
    while (!header.empty()) {
        auto semi = header.find(';');
        auto part = header.substr(0, semi);
        header = semi == std::string_view::npos ? std::string_view{} : header.substr(semi + 1);
        auto start = part.find_first_not_of(' ');
        if (start == std::string_view::npos) {
            continue;
        }
        part = part.substr(start);
        auto eq = part.find('=');
        if (eq == std::string_view::npos) {
            continue;
        }
        auto key = part.substr(0, eq);
        while (!key.empty() && key.back() == ' ') {
            key.remove_suffix(1);
        }
        if (key == name) {
            auto value = part.substr(eq + 1);
            while (!value.empty() && value.back() == ' ') {
                value.remove_suffix(1);
            }
            if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
                value = value.substr(1, value.size() - 2);
            }
            return std::string(value);
        }
    }
    return std::nullopt;
}

bool is_root_relative_path(std::string_view url) {
    if (url.empty() || url.front() != '/' || (url.size() > 1 && url[1] == '/')) {
        return false;
    }
    for (char c : url) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f || c == '\\') {
            return false;
        }
    }
    return static_cast<bool>(boost::urls::parse_origin_form(url));
}

RedirectPolicy::RedirectPolicy(std::string success_url) : success_url_(std::move(success_url)) {
    same_origin_paths_ = is_root_relative_path(success_url_);
    origin_ = origin_of(success_url_).value_or("");
}

std::optional<std::string> RedirectPolicy::resolve(std::string_view candidate) const {
    if (candidate.empty()) {
        return success_url_;
    }
    if (same_origin_paths_) {
        // Our own origin, whatever the browser calls it: only paths on it.
        if (candidate.size() > 2048 || !is_root_relative_path(candidate)) {
            return std::nullopt;
        }
        return std::string(candidate);
    }
    if (origin_.empty() || candidate.size() > 2048) {
        return std::nullopt;
    }
    for (char c : candidate) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f || c == '\\') {
            return std::nullopt;
        }
    }
    if (candidate.front() == '/') {
        if (candidate.size() > 1 && candidate[1] == '/') {
            return std::nullopt; // protocol-relative: another host
        }
        if (!boost::urls::parse_origin_form(candidate)) {
            return std::nullopt;
        }
        return origin_ + std::string(candidate);
    }
    auto origin = origin_of(candidate);
    if (!origin || *origin != origin_) {
        return std::nullopt;
    }
    return std::string(candidate);
}

} // namespace tincan::server
