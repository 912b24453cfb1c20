#include "store/store.hpp"

#include "auth/crypto.hpp"

#include <sqlite3.h>
#include <sys/stat.h>

#include <system_error>
#include <utility>

namespace tincan::server {

namespace {

constexpr int schema_version = 2;

constexpr const char* schema_sql = R"sql(
CREATE TABLE IF NOT EXISTS users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE COLLATE NOCASE,
    display_name TEXT NOT NULL DEFAULT '',
    avatar_url TEXT NOT NULL DEFAULT '',
    github_id TEXT UNIQUE,
    dn42_asn TEXT UNIQUE,
    is_bot INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
    id_hash TEXT PRIMARY KEY,
    user_id TEXT REFERENCES users(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    counter INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS sessions_expiry ON sessions(expires_at);
CREATE TABLE IF NOT EXISTS login_nonces (
    nonce_hash TEXT PRIMARY KEY,
    session_hash TEXT NOT NULL,
    provider TEXT NOT NULL,
    pkce_verifier TEXT NOT NULL,
    redirect_target TEXT NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS nonces_expiry ON login_nonces(expires_at);
)sql";

// RAII prepared statement with typed binds and column reads.
class Stmt {
public:
    Stmt(sqlite3* db, const char* sql) : db_(db) {
        if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) {
            stmt_ = nullptr;
        }
    }
    ~Stmt() { sqlite3_finalize(stmt_); }
    Stmt(const Stmt&) = delete;
    Stmt& operator=(const Stmt&) = delete;

    bool ok() const { return stmt_ != nullptr; }
    Stmt& bind(int i, const std::string& s) {
        sqlite3_bind_text(stmt_, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
        return *this;
    }
    Stmt& bind(int i, std::int64_t v) {
        sqlite3_bind_int64(stmt_, i, v);
        return *this;
    }
    Stmt& bind_null(int i) {
        sqlite3_bind_null(stmt_, i);
        return *this;
    }
    Stmt& bind_opt(int i, const std::string& s) { return s.empty() ? bind_null(i) : bind(i, s); }
    // SQLITE_ROW, SQLITE_DONE or an error code.
    int step() { return stmt_ ? sqlite3_step(stmt_) : SQLITE_ERROR; }
    std::string text(int col) const {
        auto* p = sqlite3_column_text(stmt_, col);
        return p ? std::string(reinterpret_cast<const char*>(p),
                               static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)))
                 : std::string();
    }
    bool is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
    std::int64_t int64(int col) const { return sqlite3_column_int64(stmt_, col); }
    std::string error() const { return sqlite3_errmsg(db_); }

private:
    sqlite3* db_;
    sqlite3_stmt* stmt_ = nullptr;
};

constexpr const char* user_columns =
    "id, username, display_name, avatar_url, COALESCE(github_id, ''), COALESCE(dn42_asn, ''), "
    "is_bot, created_at, token_generation";

User read_user(const Stmt& s) {
    User u;
    u.id = s.text(0);
    u.username = s.text(1);
    u.display_name = s.text(2);
    u.avatar_url = s.text(3);
    u.github_id = s.text(4);
    u.dn42_asn = s.text(5);
    u.is_bot = s.int64(6) != 0;
    u.created_at = s.int64(7);
    u.token_generation = s.int64(8);
    return u;
}

std::string hash_id(const std::string& id) {
    return crypto::sha256_hex(id);
}

AuthError storage_error(const std::string& what) {
    return auth_error(AuthErrc::storage, "storage: " + what);
}

} // namespace

AuthResult<std::unique_ptr<Store>> Store::open(const std::filesystem::path& data_dir) {
    std::error_code ec;
    if (!std::filesystem::exists(data_dir, ec)) {
        std::filesystem::create_directories(data_dir, ec);
        if (ec) {
            return storage_error("cannot create data dir " + data_dir.string() + ": " +
                                 ec.message());
        }
        ::chmod(data_dir.c_str(), 0700);
    }
    auto path = data_dir / "accounts.db";
    sqlite3* db = nullptr;
    int rc = sqlite3_open_v2(path.c_str(), &db,
                             SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                             nullptr);
    if (rc != SQLITE_OK) {
        std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
        sqlite3_close(db);
        return storage_error("cannot open " + path.string() + ": " + msg);
    }
    ::chmod(path.c_str(), 0600);
    sqlite3_busy_timeout(db, 2000);
    std::unique_ptr<Store> store(new Store(db));
    for (const char* sql : {"PRAGMA journal_mode=WAL;", "PRAGMA foreign_keys=ON;", schema_sql}) {
        if (auto r = store->exec(sql); !r) {
            return r.error();
        }
    }
    // Version 2: users.token_generation (bot tokens carry it; bumping it revokes older ones).
    {
        Stmt has(db, "SELECT count(*) FROM pragma_table_info('users') "
                     "WHERE name = 'token_generation'");
        if (has.step() == SQLITE_ROW && has.int64(0) == 0) {
            if (auto r = store->exec("ALTER TABLE users ADD COLUMN token_generation INTEGER NOT "
                                     "NULL DEFAULT 0;");
                !r) {
                return r.error();
            }
        }
    }
    auto v = store->exec(("PRAGMA user_version=" + std::to_string(schema_version) + ";").c_str());
    if (!v) {
        return v.error();
    }
    return store;
}

Store::Store(sqlite3* db) : db_(db) {}

Store::~Store() {
    sqlite3_close(db_);
}

AuthResult<void> Store::exec(const char* sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
        std::string msg = err ? err : "unknown error";
        sqlite3_free(err);
        return storage_error(msg);
    }
    return {};
}

AuthResult<User> Store::create_user(User user, std::int64_t now) {
    std::lock_guard lock(mutex_);
    user.id = crypto::uuid_v4();
    user.created_at = now;
    Stmt s(db_, "INSERT INTO users (id, username, display_name, avatar_url, github_id, dn42_asn, "
                "is_bot, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
    s.bind(1, user.id)
        .bind(2, user.username)
        .bind(3, user.display_name)
        .bind(4, user.avatar_url)
        .bind_opt(5, user.github_id)
        .bind_opt(6, user.dn42_asn)
        .bind(7, std::int64_t{user.is_bot ? 1 : 0})
        .bind(8, now);
    int rc = s.step();
    if (rc == SQLITE_CONSTRAINT) {
        return auth_error(AuthErrc::conflict, "username already exists");
    }
    if (rc != SQLITE_DONE) {
        return storage_error(s.error());
    }
    return user;
}

AuthResult<User> Store::create_user_unique(User user, std::int64_t now) {
    const std::string wanted = user.username;
    for (int attempt = 0; attempt <= 5; ++attempt) {
        if (attempt > 0) {
            user.username = wanted + "-" + crypto::sha256_hex(crypto::random_bytes(8)).substr(0, 4);
        }
        auto r = create_user(user, now);
        if (r || r.error().code != AuthErrc::conflict) {
            return r;
        }
    }
    return auth_error(AuthErrc::invalid_input,
                      "Failed to create user with unique username after maximum retries");
}

namespace {

std::optional<User> one_user(sqlite3* db, const std::string& where, const std::string& value) {
    std::string sql = std::string("SELECT ") + user_columns + " FROM users WHERE " + where;
    Stmt s(db, sql.c_str());
    s.bind(1, value);
    if (s.step() == SQLITE_ROW) {
        return read_user(s);
    }
    return std::nullopt;
}

} // namespace

std::optional<User> Store::user_by_id(const std::string& id) {
    std::lock_guard lock(mutex_);
    return one_user(db_, "id = ?1", id);
}

std::optional<User> Store::user_by_username(const std::string& username) {
    std::lock_guard lock(mutex_);
    return one_user(db_, "username = ?1", username);
}

std::optional<User> Store::user_by_github_id(const std::string& github_id) {
    std::lock_guard lock(mutex_);
    if (github_id.empty()) {
        return std::nullopt;
    }
    return one_user(db_, "github_id = ?1", github_id);
}

std::optional<User> Store::user_by_asn(const std::string& asn) {
    std::lock_guard lock(mutex_);
    if (asn.empty()) {
        return std::nullopt;
    }
    return one_user(db_, "dn42_asn = ?1", asn);
}

std::vector<User> Store::list_bots() {
    std::lock_guard lock(mutex_);
    std::string sql =
        std::string("SELECT ") + user_columns + " FROM users WHERE is_bot = 1 ORDER BY username";
    Stmt s(db_, sql.c_str());
    std::vector<User> out;
    while (s.step() == SQLITE_ROW) {
        out.push_back(read_user(s));
    }
    return out;
}

AuthResult<std::int64_t> Store::bump_token_generation(const std::string& user_id) {
    std::lock_guard lock(mutex_);
    Stmt s(db_, "UPDATE users SET token_generation = token_generation + 1 WHERE id = ?1 "
                "RETURNING token_generation");
    s.bind(1, user_id);
    if (s.step() != SQLITE_ROW) {
        return auth_error(AuthErrc::not_found, "user not found");
    }
    return s.int64(0);
}

AuthResult<void> Store::delete_user(const std::string& id) {
    std::lock_guard lock(mutex_);
    Stmt s(db_, "DELETE FROM users WHERE id = ?1");
    s.bind(1, id);
    if (s.step() != SQLITE_DONE) {
        return storage_error(s.error());
    }
    if (sqlite3_changes(db_) == 0) {
        return auth_error(AuthErrc::not_found, "user not found");
    }
    return {};
}

AuthResult<Session> Store::create_session(std::int64_t now, std::int64_t ttl_seconds,
                                          std::optional<std::string> user_id) {
    maybe_prune(now);
    std::lock_guard lock(mutex_);
    Session session{crypto::random_token(), std::move(user_id), now, now + ttl_seconds};
    Stmt s(db_, "INSERT INTO sessions (id_hash, user_id, created_at, expires_at) "
                "VALUES (?1, ?2, ?3, ?4)");
    s.bind(1, hash_id(session.id)).bind(3, now).bind(4, session.expires_at);
    if (session.user_id) {
        s.bind(2, *session.user_id);
    } else {
        s.bind_null(2);
    }
    if (s.step() != SQLITE_DONE) {
        return storage_error(s.error());
    }
    return session;
}

std::optional<Session> Store::find_session(const std::string& id, std::int64_t now) {
    if (id.empty() || id.size() > 256) {
        return std::nullopt;
    }
    std::lock_guard lock(mutex_);
    Stmt s(db_, "SELECT user_id, created_at, expires_at FROM sessions WHERE id_hash = ?1 AND "
                "expires_at > ?2");
    s.bind(1, hash_id(id)).bind(2, now);
    if (s.step() != SQLITE_ROW) {
        return std::nullopt;
    }
    Session out;
    out.id = id;
    if (!s.is_null(0)) {
        out.user_id = s.text(0);
    }
    out.created_at = s.int64(1);
    out.expires_at = s.int64(2);
    return out;
}

AuthResult<Session> Store::rotate_session(const std::string& old_id, const std::string& user_id,
                                          std::int64_t now, std::int64_t ttl_seconds) {
    if (!old_id.empty()) {
        if (auto r = delete_session(old_id); !r) {
            return r.error();
        }
    }
    return create_session(now, ttl_seconds, user_id);
}

AuthResult<void> Store::delete_session(const std::string& id) {
    std::lock_guard lock(mutex_);
    Stmt s(db_, "DELETE FROM sessions WHERE id_hash = ?1");
    s.bind(1, hash_id(id));
    if (s.step() != SQLITE_DONE) {
        return storage_error(s.error());
    }
    Stmt n(db_, "DELETE FROM login_nonces WHERE session_hash = ?1");
    n.bind(1, hash_id(id));
    n.step();
    return {};
}

AuthResult<std::int64_t> Store::bump_counter(const std::string& session_id) {
    std::lock_guard lock(mutex_);
    Stmt s(db_, "UPDATE sessions SET counter = counter + 1 WHERE id_hash = ?1 "
                "RETURNING counter - 1");
    s.bind(1, hash_id(session_id));
    if (s.step() != SQLITE_ROW) {
        return auth_error(AuthErrc::not_found, "no session");
    }
    return s.int64(0);
}

AuthResult<void> Store::put_nonce(const std::string& nonce, const std::string& session_id,
                                  const LoginNonce& data, std::int64_t now) {
    maybe_prune(now);
    std::lock_guard lock(mutex_);
    // Bound the nonces one session can hold (each login start adds one).
    Stmt trim(db_, "DELETE FROM login_nonces WHERE session_hash = ?1 AND nonce_hash NOT IN "
                   "(SELECT nonce_hash FROM login_nonces WHERE session_hash = ?1 "
                   "ORDER BY expires_at DESC LIMIT 7)");
    trim.bind(1, hash_id(session_id));
    trim.step();
    Stmt s(db_, "INSERT INTO login_nonces (nonce_hash, session_hash, provider, pkce_verifier, "
                "redirect_target, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    s.bind(1, hash_id(nonce))
        .bind(2, hash_id(session_id))
        .bind(3, data.provider)
        .bind(4, data.pkce_verifier)
        .bind(5, data.redirect_target)
        .bind(6, data.expires_at);
    if (s.step() != SQLITE_DONE) {
        return storage_error(s.error());
    }
    return {};
}

AuthResult<LoginNonce> Store::take_nonce(const std::string& nonce, const std::string& session_id,
                                         const std::string& provider, std::int64_t now) {
    std::lock_guard lock(mutex_);
    Stmt s(db_, "DELETE FROM login_nonces WHERE nonce_hash = ?1 RETURNING session_hash, "
                "provider, pkce_verifier, redirect_target, expires_at");
    s.bind(1, hash_id(nonce));
    if (s.step() != SQLITE_ROW) {
        return auth_error(AuthErrc::not_found, "unknown nonce");
    }
    LoginNonce out{s.text(1), s.text(2), s.text(3), s.int64(4)};
    std::string session_hash = s.text(0);
    while (s.step() == SQLITE_ROW) {
    }
    if (out.expires_at <= now) {
        return auth_error(AuthErrc::expired, "nonce expired");
    }
    if (session_id.empty() || !crypto::constant_time_equal(session_hash, hash_id(session_id))) {
        return auth_error(AuthErrc::unauthorized, "nonce bound to another session");
    }
    if (out.provider != provider) {
        return auth_error(AuthErrc::unauthorized, "nonce issued for another provider");
    }
    return out;
}

void Store::prune(std::int64_t now) {
    std::lock_guard lock(mutex_);
    Stmt a(db_, "DELETE FROM sessions WHERE expires_at <= ?1");
    a.bind(1, now);
    a.step();
    Stmt b(db_, "DELETE FROM login_nonces WHERE expires_at <= ?1");
    b.bind(1, now);
    b.step();
    last_prune_ = now;
}

void Store::maybe_prune(std::int64_t now) {
    {
        std::lock_guard lock(mutex_);
        if (now - last_prune_ < 60) {
            return;
        }
    }
    prune(now);
}

} // namespace tincan::server
