// Account routes without login providers: /profile, /profile/status, /profile/avatar, /logout,
// /counter (PROTOCOL.md 2.2 with the fixes of issue 5).

#include "auth/accounts_api.hpp"
#include "loopback_server.hpp"
#include "test_support.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace tincan::server {
namespace {

namespace http = boost::beast::http;
namespace json = boost::json;
using tincan::test::make_request;
using tincan::test::set_cookie_header;
using tincan::test::set_cookie_session;

class AccountsApiTest : public ::testing::Test {
protected:
    void SetUp() override {
        AccountsConfig config;
        config.data_dir = dir.path() / "data";
        config.cookie = {"", "Lax", true};
        config.avatar_http.allow_http = true; // loopback avatar host in tests
        config.avatar_http.block_private_addresses = false;
        config.avatar_http.timeout = std::chrono::milliseconds(500);
        config.avatar_http.max_body_bytes = 1024;
        service = std::move(*AccountsService::create(config, clock.fn()));
        api = std::make_unique<AccountsApi>(*service);
    }

    HttpResponse call(http::verb method, const std::string& target, const std::string& sid = {}) {
        auto req = make_request(method, target, sid.empty() ? "" : "session_id=" + sid);
        std::string path(target_path(target));
        return api->handle(req, AccountsContext::from(req, path));
    }

    // A new user `name` whose avatar URL is `url` (none if empty): the answer of
    // /profile/avatar for them.
    HttpResponse avatar(const std::string& name, const std::string& url) {
        User u;
        u.username = name;
        u.avatar_url = url;
        service->store().create_user(u, 0);
        return call(http::verb::get, "/profile/avatar?username=" + name);
    }

    // A logged-in session for a new user.
    std::string login(User u) {
        auto user = service->store().create_user(std::move(u), clock.now->load());
        return service->store().create_session(clock.now->load(), 3600, user->id)->id;
    }

    json::value body(const HttpResponse& res) { return json::parse(res.body()); }

    tincan::test::TempDir dir;
    tincan::test::TestClock clock;
    std::unique_ptr<AccountsService> service;
    std::unique_ptr<AccountsApi> api;
};

TEST_F(AccountsApiTest, Routing) {
    EXPECT_TRUE(AccountsApi::handles("/profile"));
    EXPECT_TRUE(AccountsApi::handles("/github/login/start"));
    EXPECT_FALSE(AccountsApi::handles("/conns"));
    EXPECT_TRUE(AccountsApi::may_block("/github/login/auth"));
    EXPECT_FALSE(AccountsApi::may_block("/profile"));
    // Providers not configured: their routes are absent.
    EXPECT_EQ(call(http::verb::get, "/github/login/start").result(), http::status::not_found);
    EXPECT_EQ(call(http::verb::get, "/kioubit/login/start").result(), http::status::not_found);
}

TEST_F(AccountsApiTest, ProfileAnonymousAndSignedIn) {
    auto res = call(http::verb::get, "/profile");
    EXPECT_EQ(res.result(), http::status::unauthorized);
    EXPECT_EQ(body(res).at("err"), "Unauthorized");
    EXPECT_EQ(res[http::field::content_type], "application/json");
    EXPECT_EQ(body(call(http::verb::get, "/profile/status")),
              json::parse(R"({"logged_in":false})"));

    User u;
    u.username = "octocat";
    u.display_name = "The Octocat";
    u.avatar_url = "https://avatars.example/u/1";
    auto sid = login(u);
    res = call(http::verb::get, "/profile", sid);
    EXPECT_EQ(res.result(), http::status::ok);
    EXPECT_EQ(body(res), json::parse(R"({"username":"octocat","displayName":"The Octocat",
                                          "avatarURL":"https://avatars.example/u/1"})"));
    EXPECT_EQ(body(call(http::verb::get, "/profile/status", sid)),
              json::parse(R"({"logged_in":true})"));
    // A forged session id is just anonymous.
    EXPECT_EQ(call(http::verb::get, "/profile", "forged").result(), http::status::unauthorized);
}

TEST_F(AccountsApiTest, ProfileByUsername) {
    User bot;
    bot.username = "echo_bot";
    bot.is_bot = true;
    service->store().create_user(bot, 0);
    auto res = call(http::verb::get, "/profile?username=echo_bot");
    EXPECT_EQ(res.result(), http::status::ok);
    EXPECT_EQ(body(res), json::parse(R"({"username":"echo_bot","isBot":true})"));
    res = call(http::verb::get, "/profile?username=nobody");
    EXPECT_EQ(res.result(), http::status::not_found);
    EXPECT_EQ(body(res).at("err"), "User is not found");
}

TEST_F(AccountsApiTest, BodiesAreHtmlSafeAsGosJsonEncoderWritesThem) {
    // Go's encoding/json writes <, >, & (and U+2028, U+2029) in strings as \u escapes.
    User u;
    u.username = "tom";
    u.display_name = "Tom & Jerry <3>";
    service->store().create_user(u, 0);
    auto res = call(http::verb::get, "/profile?username=tom");
    EXPECT_EQ(res.body(), R"({"username":"tom","displayName":"Tom \u0026 Jerry \u003c3\u003e"})"
                          "\n");
}

TEST_F(AccountsApiTest, AnEmptyUsernameQueryMeansTheSignedInUser) {
    // `?username=` names nobody: as without it, the session decides (401 when anonymous).
    for (const char* target : {"/profile?username=", "/profile/avatar?username="}) {
        auto res = call(http::verb::get, target);
        EXPECT_EQ(res.result(), http::status::unauthorized) << target;
        EXPECT_EQ(body(res).at("err"), "Unauthorized") << target;
    }
    User u;
    u.username = "octocat";
    u.avatar_url = "data:image/png;base64,iVBORw0KGgo=";
    auto sid = login(u);
    auto res = call(http::verb::get, "/profile?username=", sid);
    EXPECT_EQ(res.result(), http::status::ok);
    EXPECT_EQ(body(res).at("username"), "octocat");
    res = call(http::verb::get, "/profile/avatar?username=", sid);
    EXPECT_EQ(res.result(), http::status::ok);
    EXPECT_EQ(res[http::field::content_type], "image/png");
}

TEST_F(AccountsApiTest, SessionsExpire) {
    User u;
    u.username = "ivy";
    auto sid = login(u); // 3600 s
    EXPECT_EQ(call(http::verb::get, "/profile", sid).result(), http::status::ok);
    clock.advance(3601);
    EXPECT_EQ(call(http::verb::get, "/profile", sid).result(), http::status::unauthorized);
}

TEST_F(AccountsApiTest, LogoutOnlyByPostAndClearsCookie) {
    User u;
    u.username = "jack";
    auto sid = login(u);
    auto get = call(http::verb::get, "/logout", sid);
    EXPECT_EQ(get.result(), http::status::method_not_allowed);
    EXPECT_EQ(get[http::field::allow], "POST");
    EXPECT_EQ(call(http::verb::get, "/profile", sid).result(), http::status::ok)
        << "GET must not log out (cross-site logout)";

    auto post = call(http::verb::post, "/logout", sid);
    EXPECT_EQ(post.result(), http::status::ok);
    EXPECT_TRUE(post.body().empty());
    EXPECT_NE(set_cookie_header(post).find("Max-Age=0"), std::string::npos);
    EXPECT_EQ(call(http::verb::get, "/profile", sid).result(), http::status::unauthorized);
    // The Kioubit alias behaves the same.
    EXPECT_EQ(call(http::verb::get, "/kioubit/login/delete", sid).result(),
              http::status::method_not_allowed);
}

TEST_F(AccountsApiTest, APreflightForLogoutGetsTheOriginals200AndLogsNobodyOut) {
    // The original answers OPTIONS /logout as any method, 200 with no body, so a browser's CORS
    // preflight (from another origin, with --inject-allow-all-cors-headers) lets its POST follow.
    User u;
    u.username = "joan";
    auto sid = login(u);
    for (const char* path : {"/logout", "/kioubit/login/delete"}) {
        auto req = make_request(http::verb::options, path, "session_id=" + sid);
        req.set(http::field::host, "chat.example.org");
        req.set(http::field::origin, "https://elsewhere.example");
        auto res = api->handle(req, AccountsContext::from(req, path));
        EXPECT_EQ(res.result(), http::status::ok) << path;
        EXPECT_TRUE(res.body().empty()) << path;
        EXPECT_EQ(res.count(http::field::set_cookie), 0U) << path;
    }
    EXPECT_EQ(call(http::verb::get, "/profile", sid).result(), http::status::ok);
}

TEST_F(AccountsApiTest, CrossSiteLogoutIsRefused) {
    User u;
    u.username = "jill";
    auto sid = login(u);
    auto with_origin = [&](const std::string& origin) {
        auto req = make_request(http::verb::post, "/logout", "session_id=" + sid);
        req.set(http::field::host, "chat.example.org");
        req.set(http::field::origin, origin);
        return api->handle(req, AccountsContext::from(req, "/logout"));
    };
    EXPECT_EQ(with_origin("https://evil.example.com").result(), http::status::forbidden);
    EXPECT_EQ(with_origin("https://chat.example.org.evil.com").result(), http::status::forbidden);
    EXPECT_EQ(with_origin("null").result(), http::status::forbidden);
    EXPECT_EQ(call(http::verb::get, "/profile", sid).result(), http::status::ok)
        << "a refused cross-site logout must leave the session signed in";
    EXPECT_EQ(with_origin("https://chat.example.org").result(), http::status::ok);
    EXPECT_EQ(call(http::verb::get, "/profile", sid).result(), http::status::unauthorized);
}

TEST_F(AccountsApiTest, CounterDoesNotDiscloseSessionId) {
    auto first = call(http::verb::get, "/counter");
    EXPECT_EQ(first.result(), http::status::ok);
    auto sid = set_cookie_session(first);
    ASSERT_FALSE(sid.empty());
    EXPECT_EQ(body(first), json::parse(R"({"count":0})"));
    EXPECT_EQ(first.body().find(sid), std::string::npos);
    auto cookie = set_cookie_header(first);
    EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
    EXPECT_NE(cookie.find("SameSite=Lax"), std::string::npos);
    EXPECT_NE(cookie.find("Secure"), std::string::npos);

    EXPECT_NE(cookie.find("Max-Age=86400"), std::string::npos) << "anonymous sessions are short";
    auto second = call(http::verb::get, "/counter", sid);
    EXPECT_EQ(body(second), json::parse(R"({"count":1})"));
    EXPECT_TRUE(set_cookie_session(second).empty()) << "existing session kept";
}

TEST_F(AccountsApiTest, AvatarFromDataUrl) {
    auto res = avatar("pic", " data:image/png;base64,iVBORw0K\nGgo= ");
    EXPECT_EQ(res.result(), http::status::ok);
    EXPECT_EQ(res[http::field::content_type], "image/png");
    EXPECT_EQ(res.body(), std::string("\x89PNG\r\n\x1a\n"));
    EXPECT_EQ(res["X-Content-Type-Options"], "nosniff");
    EXPECT_NE(std::string(res["Content-Security-Policy"]).find("sandbox"), std::string::npos);

    res = avatar("html", "data:text/html;base64,PHNjcmlwdD4=");
    EXPECT_EQ(res.result(), http::status::bad_request);
    EXPECT_EQ(body(res).at("err"), "unsupported MIME type");

    EXPECT_EQ(body(avatar("plain", "data:image/svg+xml,<svg/>")).at("err"), "not base64 encoded");

    EXPECT_EQ(avatar("noavatar", "").result(), http::status::not_found);
    EXPECT_EQ(call(http::verb::get, "/profile/avatar").result(), http::status::unauthorized);
}

TEST_F(AccountsApiTest, AvatarDataUrlErrorsAreTheOriginalsGoDecoderMessages) {
    // PROTOCOL.md 2.2: bad base64 is a 400 with the decoder's message; the original decodes with
    // Go's base64.StdEncoding, which skips CR/LF, requires padding and names the failing offset
    // (counted in the data after the trimmed "base64,").
    const std::pair<const char*, const char*> cases[] = {
        {"data:image/png;base64,@@@@", "illegal base64 data at input byte 0"},
        {"data:image/png;base64,iVBO Rw0K", "illegal base64 data at input byte 4"},
        {"data:image/png;base64,iVBORw0KGgo", "illegal base64 data at input byte 8"},
        {"data:image/png;base64,iVBORw0KG===", "illegal base64 data at input byte 9"},
        {"data:image/png;base64,iVBORw0KGg=x", "illegal base64 data at input byte 10"},
        {"data:image/png;base64,iVBORw0KGg==iVBO", "illegal base64 data at input byte 12"},
        {"data:image/png;base64,iVBORw0KGg=", "illegal base64 data at input byte 11"},
        {"data:image/png", "not base64 encoded"},
        {"data:image/png;charset=x;base64,iVBORw0KGgo=", "not base64 encoded"},
        {"data:image/gif;base64,R0lGODlh", "unsupported MIME type"},
        {"data:,", "unsupported MIME type"},
    };
    int i = 0;
    for (const auto& [url, err] : cases) {
        auto res = avatar("bad" + std::to_string(i++), url);
        EXPECT_EQ(res.result(), http::status::bad_request) << url;
        EXPECT_EQ(body(res).at("err"), err) << url;
    }
    // CR/LF anywhere are skipped, as Go's decoder does.
    auto res = avatar("wrapped", "data:image/png;base64,iVBO\r\nRw0K\nGgo\n=");
    EXPECT_EQ(res.result(), http::status::ok);
    EXPECT_EQ(res.body(), std::string("\x89PNG\r\n\x1a\n"));
}

TEST_F(AccountsApiTest, AvatarProxyTimeoutSizeAndTypeLimits) {
    using tincan::test::Reply;
    auto hits = std::make_shared<std::atomic<int>>(0);
    tincan::test::LoopbackServer upstream([hits](const tincan::test::Request& req) -> Reply {
        ++*hits;
        std::string t(req.target());
        if (t == "/slow.png") {
            return {tincan::test::make_response(req, http::status::ok, "image/png", "x"),
                    std::chrono::milliseconds(2000)};
        }
        if (t == "/huge.png") {
            return {tincan::test::make_response(req, http::status::ok, "image/png",
                                                std::string(5000, 'x'))};
        }
        if (t == "/page.html") {
            return {tincan::test::make_response(req, http::status::ok, "text/html", "<script>")};
        }
        if (t == "/missing.png") {
            return {tincan::test::make_response(req, http::status::not_found, "text/plain", "")};
        }
        return {tincan::test::make_response(req, http::status::ok, "image/png", "PNGDATA")};
    });
    auto add = [&](const std::string& name, const std::string& path) {
        User u;
        u.username = name;
        u.avatar_url = upstream.base_url() + path;
        service->store().create_user(u, 0);
    };
    add("ok", "/ok.png");
    add("slow", "/slow.png");
    add("huge", "/huge.png");
    add("html", "/page.html");
    add("gone", "/missing.png");
    auto res = call(http::verb::get, "/profile/avatar?username=ok");
    EXPECT_EQ(res.result(), http::status::ok);
    EXPECT_EQ(res.body(), "PNGDATA");
    EXPECT_EQ(call(http::verb::get, "/profile/avatar?username=slow").result(),
              http::status::internal_server_error);
    EXPECT_EQ(call(http::verb::get, "/profile/avatar?username=huge").result(),
              http::status::internal_server_error);
    EXPECT_EQ(call(http::verb::get, "/profile/avatar?username=html").result(),
              http::status::bad_gateway);
    EXPECT_EQ(call(http::verb::get, "/profile/avatar?username=gone").result(),
              http::status::not_found);

    // Cached: repeated requests (and errors, briefly) do not hit the upstream again.
    int before = hits->load();
    EXPECT_EQ(call(http::verb::get, "/profile/avatar?username=ok").body(), "PNGDATA");
    EXPECT_EQ(call(http::verb::get, "/profile/avatar?username=gone").result(),
              http::status::not_found);
    EXPECT_EQ(hits->load(), before);
    clock.advance(601);
    EXPECT_EQ(call(http::verb::get, "/profile/avatar?username=ok").body(), "PNGDATA");
    EXPECT_EQ(hits->load(), before + 1);
}

TEST(AvatarProductionConfig, OnlyHttpsAndNoPrivateAddresses) {
    AccountsConfig config;
    EXPECT_FALSE(config.avatar_http.allow_http);
    EXPECT_TRUE(config.avatar_http.block_private_addresses);
    EXPECT_LE(config.avatar_http.timeout, std::chrono::seconds(10));
    EXPECT_LE(config.avatar_http.max_body_bytes, 4u * 1024 * 1024);
}

} // namespace
} // namespace tincan::server

namespace tincan::server {
namespace {

TEST(AvatarCacheTest, BoundedByEntriesAndBytesAndExpires) {
    AvatarCache cache(2, 100);
    cache.put("a", {200, "image/png", "aaaa"}, 10);
    cache.put("b", {200, "image/png", "bbbb"}, 10);
    ASSERT_TRUE(cache.get("a", 0)); // a is now most recent
    cache.put("c", {200, "image/png", "cccc"}, 10);
    EXPECT_FALSE(cache.get("b", 0)) << "least recently used evicted";
    EXPECT_TRUE(cache.get("a", 0));
    EXPECT_FALSE(cache.get("a", 10)) << "expired";
    cache.put("big", {200, "image/png", std::string(60, 'x')}, 10);
    EXPECT_FALSE(cache.get("big", 0)) << "over a quarter of the byte budget: not cached";
}

} // namespace
} // namespace tincan::server
