// GitHub OAuth (with state + PKCE) against the loopback GitHub, and Kioubit login, through the
// real handlers: good flows, forged/missing/replayed state, wrong PKCE verifier, open redirect,
// session rotation, token revocation.

#include "auth/accounts_api.hpp"
#include "fake_github.hpp"
#include "kioubit_key.hpp"
#include "test_support.hpp"

#include <boost/json.hpp>
#include <boost/url.hpp>
#include <gtest/gtest.h>

#include <fstream>

namespace tincan::server {
namespace {

namespace http = boost::beast::http;
namespace json = boost::json;
using tincan::test::make_request;
using tincan::test::set_cookie_header;
using tincan::test::set_cookie_session;

std::string param(const std::string& url, std::string_view key) {
    auto u = boost::urls::parse_uri_reference(url);
    auto it = u->params().find(key);
    return it == u->params().end() ? std::string() : std::string((*it).value);
}

std::string path_and_query(const std::string& url) {
    auto u = boost::urls::parse_uri(url);
    return std::string(u->encoded_target());
}

class LoginFlow : public ::testing::Test {
protected:
    void SetUp() override {
        { std::ofstream(dir.path() / "kioubit.pem") << kioubit_key.public_pem(); }
        AccountsConfig config;
        config.data_dir = dir.path() / "data";
        config.login_success_redir_url = "https://chat.example/";
        config.github = {"client-1", "secret-1", "https://chat.example/api/github/login/auth",
                         github.base_url(), github.base_url()};
        config.github_http.allow_http = true;
        config.github_http.timeout = std::chrono::seconds(5);
        config.kioubit_pubkey_path = (dir.path() / "kioubit.pem").string();
        config.kioubit_redir_url = "https://chat.example/api/kioubit/login/auth";
        service = std::move(*AccountsService::create(config, clock.fn()));
        api = std::make_unique<AccountsApi>(*service);
    }

    HttpResponse call(http::verb method, const std::string& target, const std::string& sid) {
        auto req = make_request(method, target, sid.empty() ? "" : "session_id=" + sid);
        return api->handle(req, AccountsContext::from(req, target_path(target)));
    }

    // Runs /github/login/start; returns {session id, authorize URL}.
    std::pair<std::string, std::string> start(const std::string& sid = {},
                                              const std::string& query = {}) {
        auto res = call(http::verb::get, "/github/login/start" + query, sid);
        EXPECT_EQ(res.result(), http::status::temporary_redirect);
        auto new_sid = set_cookie_session(res);
        return {new_sid.empty() ? sid : new_sid, std::string(res[http::field::location])};
    }

    tincan::test::TempDir dir;
    tincan::test::TestClock clock{std::make_shared<std::atomic<std::int64_t>>(
        std::chrono::duration_cast<std::chrono::seconds>(
            std::chrono::system_clock::now().time_since_epoch())
            .count())};
    tincan::test::FakeGithub github{
        "client-1",
        "secret-1",
        {"octocat", 583231, "The Octocat", "https://avatars.githubusercontent.com/u/583231?v=4"}};
    tincan::test::KioubitKey kioubit_key;
    std::unique_ptr<AccountsService> service;
    std::unique_ptr<AccountsApi> api;
};

TEST_F(LoginFlow, GithubHappyPathRotatesSessionAndRevokesToken) {
    auto [sid, authorize] = start();
    ASSERT_FALSE(sid.empty());
    EXPECT_EQ(authorize.rfind(github.base_url() + "/login/oauth/authorize?", 0), 0u);
    EXPECT_EQ(param(authorize, "client_id"), "client-1");
    EXPECT_EQ(param(authorize, "redirect_uri"), "https://chat.example/api/github/login/auth");
    EXPECT_EQ(param(authorize, "scope"), "read:user");
    // Encoded as the original's url.Values.Encode: keys sorted, ':' and '/' escaped.
    EXPECT_NE(authorize.find("?client_id=client-1&code_challenge="), std::string::npos);
    EXPECT_NE(
        authorize.find("&redirect_uri=https%3A%2F%2Fchat.example%2Fapi%2Fgithub%2Flogin%2Fauth"
                       "&scope=read%3Auser&state="),
        std::string::npos);
    EXPECT_EQ(param(authorize, "code_challenge_method"), "S256");
    EXPECT_GE(param(authorize, "state").size(), 43u);

    auto callback = github.consent(authorize);
    ASSERT_FALSE(callback.empty());
    auto res = call(http::verb::get, path_and_query(callback).substr(4), sid); // strip "/api"
    ASSERT_EQ(res.result(), http::status::temporary_redirect) << res.body();
    EXPECT_EQ(res[http::field::location], "https://chat.example/");
    auto new_sid = set_cookie_session(res);
    ASSERT_FALSE(new_sid.empty());
    EXPECT_NE(new_sid, sid) << "session id must be rotated at login";
    EXPECT_NE(set_cookie_header(res).find("HttpOnly"), std::string::npos);

    auto profile = call(http::verb::get, "/profile", new_sid);
    EXPECT_EQ(json::parse(profile.body()),
              json::parse(R"({"username":"octocat","displayName":"The Octocat",
                    "avatarURL":"https://avatars.githubusercontent.com/u/583231?v=4"})"));
    EXPECT_EQ(call(http::verb::get, "/profile", sid).result(), http::status::unauthorized)
        << "pre-login session id is dead (fixation)";

    // Token exchange exactly as PROTOCOL.md 3.3, plus the PKCE verifier.
    auto q = github.last_exchange_query();
    for (auto key : {"client_id=", "client_secret=", "code=", "redirect_uri=", "code_verifier="}) {
        EXPECT_NE(q.find(key), std::string::npos) << key;
    }
    EXPECT_EQ(github.revocations(), 1);

    // A second login of the same GitHub id finds the same account.
    auto [sid2, authorize2] = start();
    auto res2 = call(http::verb::get, path_and_query(github.consent(authorize2)).substr(4), sid2);
    ASSERT_EQ(res2.result(), http::status::temporary_redirect);
    EXPECT_EQ(service->store().list_bots().size(), 0u);
    EXPECT_TRUE(service->store().user_by_username("octocat"));
    EXPECT_FALSE(service->store().user_by_username("octocat-0000"));
}

TEST_F(LoginFlow, GithubUsernameCollisionGetsSuffix) {
    User squatter;
    squatter.username = "octocat";
    service->store().create_user(squatter, 0);
    auto [sid, authorize] = start();
    auto res = call(http::verb::get, path_and_query(github.consent(authorize)).substr(4), sid);
    ASSERT_EQ(res.result(), http::status::temporary_redirect);
    auto profile = json::parse(call(http::verb::get, "/profile", set_cookie_session(res)).body());
    EXPECT_EQ(std::string(profile.at("username").as_string()).rfind("octocat-", 0), 0u);
}

TEST_F(LoginFlow, MissingStateRejected) {
    auto [sid, authorize] = start();
    auto callback = github.consent(authorize);
    auto code = param(callback, "code");
    auto res = call(http::verb::get, "/github/login/auth?code=" + code, sid);
    EXPECT_EQ(res.result(), http::status::bad_request);
    EXPECT_EQ(json::parse(res.body()).at("err"), "No nonce is found in the request");
    EXPECT_EQ(github.exchanges(), 0);
}

TEST_F(LoginFlow, MissingCodeIsUnauthorized) {
    auto [sid, authorize] = start();
    auto res = call(http::verb::get, "/github/login/auth?state=" + param(authorize, "state"), sid);
    EXPECT_EQ(res.result(), http::status::unauthorized);
    EXPECT_EQ(json::parse(res.body()).at("err"), "No authorization code is found in the request");
    EXPECT_EQ(github.exchanges(), 0);
}

TEST_F(LoginFlow, ForgedStateRejected) {
    auto [sid, authorize] = start();
    auto code = param(github.consent(authorize), "code");
    auto res = call(http::verb::get, "/github/login/auth?code=" + code + "&state=forged", sid);
    EXPECT_EQ(res.result(), http::status::bad_request);
    EXPECT_EQ(json::parse(res.body()).at("err"), "Invalid nonce forged, no session is bound");
    EXPECT_EQ(github.exchanges(), 0);
}

TEST_F(LoginFlow, ReplayedStateRejected) {
    auto [sid, authorize] = start();
    auto callback = path_and_query(github.consent(authorize)).substr(4);
    auto first = call(http::verb::get, callback, sid);
    ASSERT_EQ(first.result(), http::status::temporary_redirect);
    auto new_sid = set_cookie_session(first);
    auto replay = call(http::verb::get, callback, new_sid);
    EXPECT_EQ(replay.result(), http::status::bad_request);
    auto replay_old = call(http::verb::get, callback, sid);
    EXPECT_EQ(replay_old.result(), http::status::bad_request);
    EXPECT_EQ(github.exchanges(), 1);
}

TEST_F(LoginFlow, StateFromAnotherSessionRejected) {
    // Login CSRF: the attacker starts a login in their browser and feeds the callback URL to the
    // victim, whose session did not start it.
    auto [attacker_sid, authorize] = start();
    auto callback = path_and_query(github.consent(authorize)).substr(4);
    auto victim = set_cookie_session(call(http::verb::get, "/counter", ""));
    auto res = call(http::verb::get, callback, victim);
    EXPECT_EQ(res.result(), http::status::bad_request);
    EXPECT_EQ(call(http::verb::get, callback, "").result(), http::status::bad_request);
    EXPECT_EQ(github.exchanges(), 0);
}

TEST_F(LoginFlow, ExpiredStateRejected) {
    auto [sid, authorize] = start();
    auto callback = path_and_query(github.consent(authorize)).substr(4);
    clock.advance(301);
    EXPECT_EQ(call(http::verb::get, callback, sid).result(), http::status::bad_request);
}

TEST_F(LoginFlow, WrongPkceVerifierRejected) {
    // A code obtained with another PKCE challenge (e.g. stolen from another flow) cannot be
    // redeemed with this session's state: GitHub checks the verifier and refuses.
    auto [sid, authorize] = start();
    boost::urls::url other(authorize);
    other.params().set("code_challenge", pkce_challenge("attacker-verifier-attacker-verifier-xx"));
    auto stolen_code = param(github.consent(std::string(other.buffer())), "code");
    auto state = param(authorize, "state");
    auto res =
        call(http::verb::get, "/github/login/auth?code=" + stolen_code + "&state=" + state, sid);
    EXPECT_EQ(res.result(), http::status::unauthorized);
    EXPECT_EQ(call(http::verb::get, "/profile/status", sid).body(), "{\"logged_in\":false}\n");
}

TEST_F(LoginFlow, ProviderErrorReported) {
    auto [sid, authorize] = start();
    auto res = call(http::verb::get,
                    "/github/login/auth?error=access_denied&error_description=denied&state=" +
                        param(authorize, "state"),
                    sid);
    EXPECT_EQ(res.result(), http::status::bad_request);
    EXPECT_EQ(json::parse(res.body()).at("err"), "access_denied: denied");
}

TEST_F(LoginFlow, OpenRedirectAttemptsRejected) {
    for (std::string target :
         {"https%3A%2F%2Fevil.example%2F", "%2F%2Fevil.example",
          "https%3A%2F%2Fchat.example.evil.example%2F", "javascript%3Aalert(1)"}) {
        auto res = call(http::verb::get, "/github/login/start?current_page=" + target, "");
        EXPECT_EQ(res.result(), http::status::bad_request) << target;
        res = call(http::verb::get, "/kioubit/login/start?current_page=" + target, "");
        EXPECT_EQ(res.result(), http::status::bad_request) << target;
    }
    // A page on the site is fine and is where the browser lands.
    auto [sid, authorize] = start("", "?current_page=%2Frooms%2F7");
    auto res = call(http::verb::get, path_and_query(github.consent(authorize)).substr(4), sid);
    EXPECT_EQ(res[http::field::location], "https://chat.example/rooms/7");
}

TEST_F(LoginFlow, UnknownGithubSubpathAndSuffixDispatch) {
    auto other = call(http::verb::get, "/github/login/other", "");
    EXPECT_EQ(other.result(), http::status::not_found);
    EXPECT_EQ(json::parse(other.body()).at("err"),
              "Path /github/login/other has no handler attached");
    // The original dispatches on the path's ending below the prefix (PROTOCOL.md 3.3).
    EXPECT_EQ(call(http::verb::get, "/github/login/x/login/start", "").result(),
              http::status::temporary_redirect);
    // ... of r.URL.Path, the decoded path, which its 404 names too.
    EXPECT_EQ(call(http::verb::get, "/github/login/%73tart", "").result(),
              http::status::temporary_redirect);
    auto encoded = call(http::verb::get, "/github/login/a%20b%3Cc%3E?x=%41", "");
    EXPECT_EQ(encoded.result(), http::status::not_found);
    EXPECT_EQ(json::parse(encoded.body()).at("err"),
              "Path /github/login/a b<c> has no handler attached");
}

TEST_F(LoginFlow, RedirectsAreGosHttpRedirectWith307) {
    // The original answers with http.Redirect(w, r, url, 307): for GET an HTML link to the target
    // (text/html), for other methods the Location alone.
    auto res = call(http::verb::get, "/github/login/start", "");
    ASSERT_EQ(res.result(), http::status::temporary_redirect);
    std::string href(res[http::field::location]);
    for (auto at = href.find('&'); at != std::string::npos; at = href.find('&', at + 1)) {
        href.replace(at, 1, "&amp;");
    }
    EXPECT_EQ(res[http::field::content_type], "text/html; charset=utf-8");
    EXPECT_EQ(res.body(), "<a href=\"" + href + "\">Temporary Redirect</a>.\n\n");
    auto post = call(http::verb::post, "/kioubit/login/start", "");
    ASSERT_EQ(post.result(), http::status::temporary_redirect);
    EXPECT_EQ(post.body(), "");
    EXPECT_EQ(post.count(http::field::content_type), 0u);
    EXPECT_FALSE(post[http::field::location].empty());
}

class KioubitFlow : public LoginFlow {
protected:
    // Runs /kioubit/login/start and returns {session, token}.
    std::pair<std::string, std::string> kstart() {
        auto res = call(http::verb::get, "/kioubit/login/start", "");
        EXPECT_EQ(res.result(), http::status::temporary_redirect);
        std::string location(res[http::field::location]);
        EXPECT_EQ(location.rfind("https://dn42.g-load.eu/auth/?", 0), 0u);
        EXPECT_EQ(param(location, "return"), "https://chat.example/api/kioubit/login/auth");
        EXPECT_NE(location.find("?return=https%3A%2F%2Fchat.example%2Fapi%2Fkioubit%2Flogin%2Fauth"
                                "&token="),
                  std::string::npos);
        return {set_cookie_session(res), param(location, "token")};
    }
    HttpResponse callback(const std::string& sid, const std::string& params,
                          const std::string& sig) {
        boost::urls::url u("/kioubit/login/auth");
        u.params().append({"params", params});
        u.params().append({"signature", sig});
        return call(http::verb::get, std::string(u.buffer()), sid);
    }
    std::int64_t now() const { return clock.now->load(); }
    // A whole good login as AS4242421234; returns the signed-in session (a fresh id).
    std::string login() {
        auto [sid, token] = kstart();
        auto params = tincan::test::kioubit_params("4242421234", now(), "chat.example", token);
        auto res = callback(sid, params, kioubit_key.sign(params));
        EXPECT_EQ(res.result(), http::status::temporary_redirect) << res.body();
        auto new_sid = set_cookie_session(res);
        EXPECT_NE(new_sid, sid);
        return new_sid;
    }
};

TEST_F(KioubitFlow, GoodSignatureLogsIn) {
    auto new_sid = login();
    auto profile = json::parse(call(http::verb::get, "/profile", new_sid).body());
    EXPECT_EQ(profile, json::parse(R"({"username":"FOO-MNT","displayName":"FOO-MNT"})"));
    EXPECT_EQ(service->store().user_by_asn("4242421234")->username, "FOO-MNT");
}

TEST_F(KioubitFlow, DeleteIsSuffixDispatchedLikeStartAndAuth) {
    // PROTOCOL.md 3.4: the Kioubit routes are dispatched on the path's ending below
    // /kioubit/login/, `.../login/delete` (logout) included.
    auto signed_in = login();
    ASSERT_EQ(call(http::verb::get, "/profile", signed_in).result(), http::status::ok);
    auto res = call(http::verb::post, "/kioubit/login/x/login/delete", signed_in);
    EXPECT_EQ(res.result(), http::status::ok) << res.body();
    EXPECT_TRUE(res.body().empty());
    EXPECT_EQ(call(http::verb::get, "/profile", signed_in).result(), http::status::unauthorized);
    EXPECT_EQ(call(http::verb::get, "/kioubit/login/x/login/delete", "").result(),
              http::status::method_not_allowed)
        << "as /logout: POST only";
}

TEST_F(KioubitFlow, BadSignatureRejectedWithOneBody) {
    auto [sid, token] = kstart();
    auto params = tincan::test::kioubit_params("4242421234", now(), "chat.example", token);
    auto res = callback(sid, params, kioubit_key.sign(params + "x"));
    EXPECT_EQ(res.result(), http::status::bad_request);
    EXPECT_NO_THROW(json::parse(res.body())) << "exactly one JSON body";
}

TEST_F(KioubitFlow, StaleTimeRejected) {
    auto [sid, token] = kstart();
    auto params = tincan::test::kioubit_params("4242421234", now() - 120, "chat.example", token);
    EXPECT_EQ(callback(sid, params, kioubit_key.sign(params)).result(), http::status::bad_request);
}

TEST_F(KioubitFlow, WrongOrMissingDomainRejected) {
    auto [sid, token] = kstart();
    auto params = tincan::test::kioubit_params("4242421234", now(), "other.example", token);
    EXPECT_EQ(callback(sid, params, kioubit_key.sign(params)).result(), http::status::bad_request);
    auto [sid2, token2] = kstart();
    auto no_domain = tincan::test::kioubit_params("4242421234", now(), "", token2);
    EXPECT_EQ(callback(sid2, no_domain, kioubit_key.sign(no_domain)).result(),
              http::status::bad_request);
}

TEST_F(KioubitFlow, TokenBoundToSessionAndSingleUse) {
    auto [sid, token] = kstart();
    auto params = tincan::test::kioubit_params("4242421234", now(), "chat.example", token);
    auto sig = kioubit_key.sign(params);
    auto other = set_cookie_session(call(http::verb::get, "/counter", ""));
    EXPECT_EQ(callback(other, params, sig).result(), http::status::bad_request);
    // The failed attempt consumed the token: even the right session cannot use it now.
    EXPECT_EQ(callback(sid, params, sig).result(), http::status::bad_request);
    auto [sid2, token2] = kstart();
    auto params2 = tincan::test::kioubit_params("4242421234", now(), "chat.example", token2);
    auto sig2 = kioubit_key.sign(params2);
    auto ok = callback(sid2, params2, sig2);
    ASSERT_EQ(ok.result(), http::status::temporary_redirect);
    EXPECT_EQ(callback(set_cookie_session(ok), params2, sig2).result(), http::status::bad_request)
        << "replay";
}

} // namespace
} // namespace tincan::server
