#pragma once
// The account routes of the main listener (PROTOCOL.md 2.2, 3.3, 3.4) as a pure function of the
// request: `/profile`, `/profile/status`, `/profile/avatar`, `/logout`, `/counter`,
// `/github/login/{start,auth}`, `/kioubit/login/{start,auth,delete}`. Paths are given without
// the API prefix. No sockets: the server calls `handle` (on a worker thread for `may_block`
// routes) and writes the response.

#include "auth/accounts_service.hpp"
#include "auth/avatar_cache.hpp"
#include "auth/http_util.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace tincan::server {

struct AccountsContext {
    std::string path; // request path with the API prefix removed, decoded as Go's r.URL.Path
    std::optional<std::string> session_id; // value of the session_id cookie, if sent

    static AccountsContext from(const HttpRequest& req, std::string_view path);
};

class AccountsApi {
public:
    explicit AccountsApi(AccountsService& service) : service_(service) {}

    // True for the paths this handler owns (given without the API prefix).
    static bool handles(std::string_view path);
    // True for the routes that call remote services (GitHub callback, avatar proxy).
    static bool may_block(std::string_view path);

    HttpResponse handle(const HttpRequest& req, const AccountsContext& ctx) const;

private:
    struct SessionState {
        std::optional<Session> session;
        std::optional<User> user;
    };
    SessionState current(const AccountsContext& ctx) const;
    // Returns the live session, creating one (and setting its cookie on `res`) when missing.
    AuthResult<Session> ensure_session(const AccountsContext& ctx, HttpResponse& res) const;
    void set_session_cookie(HttpResponse& res, const Session& session) const;

    // The user a profile route is about: `?username=` (a non-empty value, as the original's
    // `Query().Get(...) != ""`), else the signed-in user; the error response otherwise.
    std::variant<User, HttpResponse> profile_user(const HttpRequest& req,
                                                  const AccountsContext& ctx) const;
    HttpResponse profile(const HttpRequest& req, const AccountsContext& ctx) const;
    HttpResponse profile_status(const HttpRequest& req, const AccountsContext& ctx) const;
    HttpResponse avatar(const HttpRequest& req, const AccountsContext& ctx) const;
    CachedAvatar fetch_avatar(const std::string& url, const std::string& username) const;
    HttpResponse logout(const HttpRequest& req, const AccountsContext& ctx) const;
    HttpResponse counter(const HttpRequest& req, const AccountsContext& ctx) const;
    HttpResponse login_start(const HttpRequest& req, const AccountsContext& ctx,
                             const std::string& provider) const;
    HttpResponse github_auth(const HttpRequest& req, const AccountsContext& ctx) const;
    HttpResponse kioubit_auth(const HttpRequest& req, const AccountsContext& ctx) const;
    // Rotates the session to one bound to `user` and redirects to the nonce's target.
    HttpResponse finish_login(const HttpRequest& req, const AccountsContext& ctx, const User& user,
                              const std::string& redirect_target) const;
    // finish_login for `existing`, or for a new account made from `fresh` (a free username is
    // found for it) when the identity provider's user is not known yet.
    HttpResponse login_or_create(const HttpRequest& req, const AccountsContext& ctx,
                                 std::optional<User> existing, User fresh,
                                 const std::string& redirect_target) const;

    AccountsService& service_;
};

// Profile JSON of the original (`username`, `displayName`, `avatarURL`; camelCase), plus
// `isBot` when true.
boost::json::object profile_json(const User& user);

} // namespace tincan::server
