#include "origin.hpp"

#include <algorithm>
#include <cctype>

namespace tincan::server {

namespace {

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

} // namespace

bool origin_allowed(std::string_view origin, bool has_origin, std::string_view host,
                    const std::vector<std::string>& allowed, bool allow_missing) {
    if (!has_origin || origin.empty()) {
        // An empty Origin header counts as none, as the original's `Header.Get("Origin") != ""`.
        return allow_missing;
    }
    if (std::find(allowed.begin(), allowed.end(), origin) != allowed.end()) {
        return true;
    }
    // Same origin: scheme://<Host header>, for http and https (TLS may end at a proxy).
    for (std::string_view scheme : {"http://", "https://"}) {
        if (origin.size() > scheme.size() && iequals(origin.substr(0, scheme.size()), scheme)) {
            const auto authority = origin.substr(scheme.size());
            return !host.empty() && authority.find('/') == std::string_view::npos &&
                   iequals(authority, host);
        }
    }
    return false;
}

} // namespace tincan::server
