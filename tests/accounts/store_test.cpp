// Store (issue 5 item 1): users, sessions, nonces in SQLite; survive reopening.

#include "store/store.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

namespace tincan::server {
namespace {

using tincan::test::TempDir;

constexpr std::int64_t t0 = 1'760'000'000;

std::unique_ptr<Store> open_store(const TempDir& dir) {
    auto s = Store::open(dir.path() / "data");
    EXPECT_TRUE(s) << (s ? "" : s.error().message);
    return s ? std::move(*s) : nullptr;
}

User named(std::string name) {
    User u;
    u.username = std::move(name);
    return u;
}

TEST(Store, DataDirAndDatabaseArePrivate) {
    TempDir dir;
    auto store = open_store(dir);
    struct stat st {};
    ASSERT_EQ(::stat((dir.path() / "data").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0700);
    ASSERT_EQ(::stat((dir.path() / "data" / "accounts.db").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600);
}

TEST(Store, UsersAreUniqueCaseInsensitivelyAndFoundByEveryKey) {
    TempDir dir;
    auto store = open_store(dir);
    User u = named("Alice");
    u.display_name = "Alice A.";
    u.github_id = "42";
    auto alice = store->create_user(u, t0);
    ASSERT_TRUE(alice);
    EXPECT_EQ(alice->id.size(), 36u);
    EXPECT_EQ(store->create_user(named("alice"), t0).error().code, AuthErrc::conflict);
    EXPECT_EQ(store->user_by_username("ALICE")->id, alice->id);
    EXPECT_EQ(store->user_by_github_id("42")->username, "Alice");
    EXPECT_FALSE(store->user_by_github_id(""));
    User k = named("FOO-MNT");
    k.dn42_asn = "4242420000";
    ASSERT_TRUE(store->create_user(k, t0));
    EXPECT_EQ(store->user_by_asn("4242420000")->username, "FOO-MNT");
    // Two users without GitHub id / ASN do not collide on the empty value.
    EXPECT_TRUE(store->create_user(named("bob"), t0));
    EXPECT_TRUE(store->create_user(named("carol"), t0));
}

TEST(Store, UniqueUsernameRetriesWithSuffix) {
    TempDir dir;
    auto store = open_store(dir);
    ASSERT_TRUE(store->create_user(named("dave"), t0));
    auto second = store->create_user_unique(named("dave"), t0);
    ASSERT_TRUE(second);
    EXPECT_EQ(second->username.rfind("dave-", 0), 0u);
    EXPECT_EQ(second->username.size(), 9u);
}

TEST(Store, BotsListedAndDeleted) {
    TempDir dir;
    auto store = open_store(dir);
    User bot = named("echo_bot");
    bot.is_bot = true;
    auto created = store->create_user(bot, t0);
    ASSERT_TRUE(created);
    ASSERT_TRUE(store->create_user(named("human"), t0));
    auto bots = store->list_bots();
    ASSERT_EQ(bots.size(), 1u);
    EXPECT_TRUE(bots[0].is_bot);
    EXPECT_TRUE(store->delete_user(created->id));
    EXPECT_FALSE(store->user_by_id(created->id));
    EXPECT_EQ(store->delete_user(created->id).error().code, AuthErrc::not_found);
}

TEST(Store, SessionsExpireRotateAndAreStoredHashed) {
    TempDir dir;
    auto store = open_store(dir);
    auto user = store->create_user(named("erin"), t0);
    auto s = store->create_session(t0, 100);
    ASSERT_TRUE(s);
    EXPECT_GE(s->id.size(), 43u);
    EXPECT_TRUE(store->find_session(s->id, t0 + 99));
    EXPECT_FALSE(store->find_session(s->id, t0 + 100));
    EXPECT_FALSE(store->find_session("unknown", t0));

    auto rotated = store->rotate_session(s->id, user->id, t0 + 1, 100);
    ASSERT_TRUE(rotated);
    EXPECT_NE(rotated->id, s->id);
    EXPECT_FALSE(store->find_session(s->id, t0 + 1)) << "old id must die at login";
    EXPECT_EQ(store->find_session(rotated->id, t0 + 1)->user_id, user->id);

    // The raw id is not in the database file.
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir.path() / "data" / "accounts.db").c_str(), &db), SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db, "SELECT count(*) FROM sessions WHERE id_hash = ?1", -1, &st, nullptr);
    sqlite3_bind_text(st, 1, rotated->id.c_str(), -1, SQLITE_TRANSIENT);
    ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
    EXPECT_EQ(sqlite3_column_int(st, 0), 0);
    sqlite3_finalize(st);
    sqlite3_close(db);

    store->prune(t0 + 1000);
    EXPECT_FALSE(store->find_session(rotated->id, t0 + 1));
}

TEST(Store, CounterStartsAtZero) {
    TempDir dir;
    auto store = open_store(dir);
    auto s = store->create_session(t0, 100);
    EXPECT_EQ(*store->bump_counter(s->id), 0);
    EXPECT_EQ(*store->bump_counter(s->id), 1);
    EXPECT_FALSE(store->bump_counter("nope"));
}

TEST(Store, NoncesAreSingleUseSessionBoundAndExpire) {
    TempDir dir;
    auto store = open_store(dir);
    auto a = store->create_session(t0, 1000);
    auto b = store->create_session(t0, 1000);
    LoginNonce n{"github", "verifier", "https://site/x", t0 + 300};
    ASSERT_TRUE(store->put_nonce("n1", a->id, n, t0));
    auto got = store->take_nonce("n1", a->id, "github", t0 + 1);
    ASSERT_TRUE(got);
    EXPECT_EQ(got->pkce_verifier, "verifier");
    EXPECT_EQ(got->redirect_target, "https://site/x");
    EXPECT_EQ(store->take_nonce("n1", a->id, "github", t0 + 1).error().code, AuthErrc::not_found)
        << "replay";

    ASSERT_TRUE(store->put_nonce("n2", a->id, n, t0));
    EXPECT_EQ(store->take_nonce("n2", b->id, "github", t0).error().code, AuthErrc::unauthorized);
    EXPECT_FALSE(store->take_nonce("n2", a->id, "github", t0)) << "consumed by the failed try";

    ASSERT_TRUE(store->put_nonce("n3", a->id, n, t0));
    EXPECT_EQ(store->take_nonce("n3", a->id, "github", t0 + 300).error().code, AuthErrc::expired);

    ASSERT_TRUE(store->put_nonce("n4", a->id, n, t0));
    EXPECT_EQ(store->take_nonce("n4", a->id, "kioubit", t0).error().code, AuthErrc::unauthorized);
}

TEST(Store, NoncesPerSessionAreBounded) {
    TempDir dir;
    auto store = open_store(dir);
    auto a = store->create_session(t0, 1000);
    for (int i = 0; i < 20; ++i) {
        LoginNonce n{"github", "v", "", t0 + 300 + i};
        ASSERT_TRUE(store->put_nonce("n" + std::to_string(i), a->id, n, t0));
    }
    EXPECT_FALSE(store->take_nonce("n0", a->id, "github", t0)) << "oldest evicted";
    EXPECT_TRUE(store->take_nonce("n19", a->id, "github", t0));
}

TEST(Store, SurvivesReopen) {
    TempDir dir;
    std::string user_id, session_id;
    {
        auto store = open_store(dir);
        auto u = store->create_user(named("frank"), t0);
        user_id = u->id;
        session_id = store->create_session(t0, 1000, user_id)->id;
    }
    auto store = open_store(dir);
    EXPECT_EQ(store->user_by_id(user_id)->username, "frank");
    EXPECT_EQ(store->find_session(session_id, t0 + 1)->user_id, user_id);
}

TEST(Store, DeletingAUserEndsItsSessions) {
    TempDir dir;
    auto store = open_store(dir);
    auto u = store->create_user(named("gina"), t0);
    auto s = store->create_session(t0, 1000, u->id);
    ASSERT_TRUE(store->delete_user(u->id));
    EXPECT_FALSE(store->find_session(s->id, t0));
}

} // namespace
} // namespace tincan::server
