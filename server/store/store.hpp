#pragma once
// Persistent accounts store: users, sessions, login nonces. One SQLite file under the data dir.
// Thread-safe (one connection behind a mutex): HTTP handlers may run on a worker pool.
// Session ids and nonces are stored only as SHA-256 digests, so a copy of the database does not
// hand out live sessions.

#include "auth/error.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

struct sqlite3;

namespace tincan::server {

struct User {
    std::string id; // UUIDv4
    std::string username;
    std::string display_name;
    std::string avatar_url;
    std::string github_id;
    std::string dn42_asn;
    bool is_bot = false;
    std::int64_t created_at = 0;
    std::int64_t token_generation = 0; // bot tokens of an older generation are revoked
};

struct Session {
    std::string id; // the cookie value (only known right after creation/lookup)
    std::optional<std::string> user_id;
    std::int64_t created_at = 0;
    std::int64_t expires_at = 0;
};

struct LoginNonce {
    std::string provider; // "github" or "kioubit"
    std::string pkce_verifier;
    std::string redirect_target; // validated post-login target, may be empty
    std::int64_t expires_at = 0;
};

class Store {
public:
    // Opens (creating if needed) `<data_dir>/accounts.db`; the directory is created with mode
    // 0700 when missing.
    static AuthResult<std::unique_ptr<Store>> open(const std::filesystem::path& data_dir);
    ~Store();
    Store(const Store&) = delete;
    Store& operator=(const Store&) = delete;

    // Users. `create_user` fills id/created_at; conflict when the username (case-insensitive),
    // github id or ASN exists.
    AuthResult<User> create_user(User user, std::int64_t now);
    // Creates a user under `wanted`, or `wanted-xxxx` (4 random hex) on collision, up to 5 tries.
    AuthResult<User> create_user_unique(User user, std::int64_t now);
    std::optional<User> user_by_id(const std::string& id);
    std::optional<User> user_by_username(const std::string& username); // case-insensitive
    std::optional<User> user_by_github_id(const std::string& github_id);
    std::optional<User> user_by_asn(const std::string& asn);
    std::vector<User> list_bots();
    AuthResult<void> delete_user(const std::string& id);
    // Revokes every token issued so far for the user; returns the new generation.
    AuthResult<std::int64_t> bump_token_generation(const std::string& user_id);

    // Sessions.
    AuthResult<Session> create_session(std::int64_t now, std::int64_t ttl_seconds,
                                       std::optional<std::string> user_id = std::nullopt);
    // Live (not expired) session by cookie value.
    std::optional<Session> find_session(const std::string& id, std::int64_t now);
    // Replaces `old_id` by a new session bound to `user_id` (session fixation defence).
    AuthResult<Session> rotate_session(const std::string& old_id, const std::string& user_id,
                                       std::int64_t now, std::int64_t ttl_seconds);
    AuthResult<void> delete_session(const std::string& id);
    // Returns the counter value before incrementing (the original's /counter semantics).
    AuthResult<std::int64_t> bump_counter(const std::string& session_id);

    // Login nonces (OAuth `state`, Kioubit `token`): single use, bound to a session.
    AuthResult<void> put_nonce(const std::string& nonce, const std::string& session_id,
                               const LoginNonce& data, std::int64_t now);
    // Deletes the nonce whatever the outcome; returns it only when live, of the provider and bound
    // to `session_id`.
    AuthResult<LoginNonce> take_nonce(const std::string& nonce, const std::string& session_id,
                                      const std::string& provider, std::int64_t now);

    // Drops expired sessions and nonces.
    void prune(std::int64_t now);

private:
    explicit Store(sqlite3* db);
    AuthResult<void> exec(const char* sql);
    void maybe_prune(std::int64_t now);

    std::mutex mutex_;
    sqlite3* db_;
    std::int64_t last_prune_ = 0;
};

} // namespace tincan::server
