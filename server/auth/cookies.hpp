#pragma once
// The `session_id` cookie (PROTOCOL.md 2.1) and the post-login redirect policy.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tincan::server {

inline constexpr std::string_view session_cookie_name = "session_id";

struct CookieConfig {
    std::string domain;   // --cookie-domain
    std::string samesite; // --cookie-samesite: None, Lax, Strict (others ignored)
    bool secure = false;  // --cookie-secure
};

// `session_id=<id>; Path=/; Max-Age=<n>; HttpOnly[; Domain=..][; SameSite=..][; Secure]`.
// HttpOnly is always set. SameSite=None without Secure is invalid in browsers, so Secure is
// added whenever SameSite=None.
std::string build_session_cookie(const CookieConfig& config, std::string_view session_id,
                                 std::int64_t max_age_seconds);
// The same cookie with an empty value and Max-Age=0 (logout).
std::string build_clearing_cookie(const CookieConfig& config);

// True for a path on this server ("/", "/app?x=1"): one "/" first, no "//host" or backslash.
bool is_root_relative_path(std::string_view url);

// Value of cookie `name` in a Cookie request header, if present.
std::optional<std::string> find_cookie(std::string_view cookie_header, std::string_view name);

// Post-login redirect targets: only URLs on the configured site's origin (the origin of
// --login-success-redir-url), or absolute paths starting with a single "/" (resolved against
// that origin). Everything else (other hosts, schemes, "//host", backslashes, userinfo, control
// characters) is refused: no open redirect. A success URL that is itself a path ("/", as the
// original's http.Redirect takes it) means this server's own origin: targets are then paths only.
class RedirectPolicy {
public:
    explicit RedirectPolicy(std::string success_url);
    // The URL to redirect to, or nullopt when `candidate` is not acceptable. An empty candidate
    // yields the configured success URL.
    std::optional<std::string> resolve(std::string_view candidate) const;
    const std::string& success_url() const { return success_url_; }

private:
    std::string success_url_;
    std::string origin_; // scheme://host[:port], lowercase; empty when success_url is empty
    bool same_origin_paths_ = false; // success_url is a path on this server
};

} // namespace tincan::server
