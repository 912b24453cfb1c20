#pragma once
// Everything the accounts feature owns at run time: the store, the JWT signer, the outbound
// HTTP clients, the optional GitHub and Kioubit providers. The HTTP handlers (AccountsApi,
// ManagementApi) and the WebSocket upgrade use it. Thread-safe: handlers that call out to GitHub
// or fetch avatars block, so the server runs them on a worker pool.

#include "auth/avatar_cache.hpp"
#include "auth/cookies.hpp"
#include "auth/error.hpp"
#include "auth/github_client.hpp"
#include "auth/http_client.hpp"
#include "auth/jwt.hpp"
#include "auth/kioubit.hpp"
#include "store/store.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tincan::server {

struct AccountsConfig {
    std::filesystem::path data_dir = "data";
    CookieConfig cookie;
    std::string login_success_redir_url = "http://localhost:3000/";
    GithubConfig github;
    HttpClientOptions github_http;
    std::string kioubit_pubkey_path; // empty: Kioubit login disabled
    std::string kioubit_redir_url = "http://localhost:3000/api/kioubit/login/auth";
    std::string kioubit_auth_url = "https://dn42.g-load.eu/auth/";
    HttpClientOptions avatar_http{std::chrono::seconds(5), 2 * 1024 * 1024, false, true, "",
                                  "tincan-server"};
    bool allow_anonymous = true;
    // Browser origins besides the page's own that may call state-changing routes (/logout),
    // i.e. the server's --allowed-origin values.
    std::vector<std::string> allowed_origins;
    std::int64_t session_ttl_seconds = 30 * 24 * 3600; // signed-in sessions
    // Sessions without an account (login in progress, /counter): short-lived, so cookie-less
    // clients cannot pile up rows for a month.
    std::int64_t anonymous_session_ttl_seconds = 24 * 3600;
    std::int64_t nonce_ttl_seconds = 5 * 60;
    std::int64_t bot_token_ttl_seconds = 365 * 24 * 3600;
};

enum class AccountAuth { none, jwt, session };

std::string_view account_auth_name(AccountAuth kind);

// Who is behind a WebSocket upgrade (PROTOCOL.md 1.1): bearer JWT, then session cookie, else
// anonymous. A token or session whose user no longer exists counts as absent.
struct WsIdentity {
    AccountAuth kind = AccountAuth::none;
    std::optional<User> user;
};

class AccountsService {
public:
    using Clock = std::function<std::int64_t()>; // Unix seconds

    // Opens the store and the signing key under config.data_dir, loads the Kioubit key. Errors
    // are startup errors (exit 2).
    static AuthResult<std::unique_ptr<AccountsService>> create(AccountsConfig config,
                                                               Clock clock = {});

    const AccountsConfig& config() const { return config_; }
    Store& store() { return *store_; }
    const JwtSigner& jwt() const { return jwt_; }
    const GithubClient* github() const { return github_.get(); }
    const KioubitVerifier* kioubit() const { return kioubit_ ? &*kioubit_ : nullptr; }
    const HttpClient& avatar_http() const { return *avatar_http_; }
    AvatarCache& avatar_cache() { return avatar_cache_; }
    const RedirectPolicy& redirects() const { return redirects_; }
    std::int64_t now() const { return clock_(); }

    // `authorization`: the Authorization header value; `cookie_header`: the Cookie header.
    WsIdentity resolve_ws_identity(std::string_view authorization, std::string_view cookie_header);
    // True when `name` is an account's username (case-insensitive) and that account is not
    // `self`: other nodes may not register or rename to it.
    bool name_reserved(std::string_view name, const std::optional<User>& self);
    // Issues a bot token for `user` (of its current token generation).
    std::string issue_token(const User& user);

private:
    AccountsService(AccountsConfig config, Clock clock, std::unique_ptr<Store> store,
                    JwtSigner jwt);

    AccountsConfig config_;
    Clock clock_;
    std::unique_ptr<Store> store_;
    JwtSigner jwt_;
    std::unique_ptr<HttpClient> github_http_;
    std::unique_ptr<HttpClient> avatar_http_;
    std::unique_ptr<GithubClient> github_;
    std::optional<KioubitVerifier> kioubit_;
    RedirectPolicy redirects_;
    AvatarCache avatar_cache_{256, 16 * 1024 * 1024};
};

} // namespace tincan::server
