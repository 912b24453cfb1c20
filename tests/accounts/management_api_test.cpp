// Management API (issue 5 item 8) and WebSocket identity resolution (item 6): bot accounts,
// token re-issue, delete (revokes), list, name reservation, restart persistence.

#include "auth/management_api.hpp"
#include "test_support.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace tincan::server {
namespace {

namespace http = boost::beast::http;
namespace json = boost::json;
using tincan::test::make_request;

class ManagementTest : public ::testing::Test {
protected:
    void SetUp() override { open(); }
    void open() {
        api.reset();
        service.reset();
        AccountsConfig config;
        config.data_dir = dir.path() / "data";
        service = std::move(*AccountsService::create(config, clock.fn()));
        api = std::make_unique<ManagementApi>(*service);
    }

    HttpResponse call(http::verb method, const std::string& target, const std::string& body = {},
                      const std::string& content_type = {}) {
        auto req = make_request(method, target);
        if (!content_type.empty()) {
            req.set(http::field::content_type, content_type);
        }
        req.body() = body;
        req.prepare_payload();
        return api->handle(req);
    }

    std::string add_bot(const std::string& name) {
        auto res =
            call(http::verb::post, "/bots/add",
                 R"({"username":")" + name + R"(","display_name":"Bot"})", "application/json");
        EXPECT_EQ(res.result(), http::status::ok) << res.body();
        return std::string(json::parse(res.body()).at("token").as_string());
    }

    tincan::test::TempDir dir;
    tincan::test::TestClock clock;
    std::unique_ptr<AccountsService> service;
    std::unique_ptr<ManagementApi> api;
};

TEST_F(ManagementTest, AddWithJsonReturnsWorkingToken) {
    auto token = add_bot("echo_bot");
    auto id = service->resolve_ws_identity("bearer " + token, "");
    EXPECT_EQ(id.kind, AccountAuth::jwt);
    ASSERT_TRUE(id.user);
    EXPECT_EQ(id.user->username, "echo_bot");
    EXPECT_TRUE(id.user->is_bot);
    EXPECT_EQ(service->resolve_ws_identity("Bearer " + token, "").kind, AccountAuth::jwt);
    EXPECT_EQ(service->resolve_ws_identity("BEARER " + token, "").kind, AccountAuth::jwt);
}

TEST_F(ManagementTest, AddWithMultipartAndWithoutContentType) {
    std::string body = "--XyZ\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\n"
                       "music_bot\r\n--XyZ\r\nContent-Disposition: form-data; "
                       "name=\"display_name\"\r\n\r\nMusicBot\r\n--XyZ\r\nContent-Disposition: "
                       "form-data; name=\"avatar_url\"\r\n\r\ndata:image/png;base64,iVBORw0K\n"
                       "\r\n--XyZ--\r\n";
    auto res = call(http::verb::post, "/bots/add", body, "multipart/form-data; boundary=XyZ");
    ASSERT_EQ(res.result(), http::status::ok) << res.body();
    auto user = service->store().user_by_username("music_bot");
    ASSERT_TRUE(user);
    EXPECT_EQ(user->display_name, "MusicBot");
    EXPECT_EQ(user->avatar_url, "data:image/png;base64,iVBORw0K");

    res = call(http::verb::post, "/bots/add", R"({"username":"clock_bot"})");
    EXPECT_EQ(res.result(), http::status::ok) << "no Content-Type is parsed as JSON";
    // The media type as Go's mime.ParseMediaType reads it: any case, a tab before the ";".
    res = call(http::verb::post, "/bots/add", R"({"username":"chat_bot"})",
               "Application/JSON\t; charset=utf-8");
    EXPECT_EQ(res.result(), http::status::ok) << res.body();
}

TEST_F(ManagementTest, MultipartFieldsAreReadAsGosFormValue) {
    // The original reads them with r.FormValue: the URL's query first, then the body; a body it
    // cannot parse gives nothing, so the username is missing.
    const std::string body = "--XyZ\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\n"
                             "body_bot\r\n--XyZ--\r\n";
    auto res = call(http::verb::post, "/bots/add?username=query_bot", body,
                    "multipart/form-data; boundary=XyZ");
    ASSERT_EQ(res.result(), http::status::ok) << res.body();
    EXPECT_TRUE(service->store().user_by_username("query_bot"));
    EXPECT_FALSE(service->store().user_by_username("body_bot"));
    // A name given twice: the first value; a file part (with a filename) is no value.
    const std::string twice =
        "--XyZ\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\nfirst_bot\r\n"
        "--XyZ\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\nsecond_bot\r\n"
        "--XyZ\r\nContent-Disposition: form-data; name=\"avatar_url\"; filename=\"a.url\"\r\n\r\n"
        "data:image/png;base64,iVBORw0K\r\n--XyZ--\r\n";
    res = call(http::verb::post, "/bots/add", twice, "multipart/form-data; boundary=XyZ");
    ASSERT_EQ(res.result(), http::status::ok) << res.body();
    const auto first = service->store().user_by_username("first_bot");
    ASSERT_TRUE(first);
    EXPECT_EQ(first->avatar_url, "");
    EXPECT_FALSE(service->store().user_by_username("second_bot"));
    for (const char* content_type :
         {"multipart/form-data", "multipart/form-data; boundary=Other"}) {
        res = call(http::verb::post, "/bots/add", body, content_type);
        EXPECT_EQ(res.result(), http::status::bad_request) << content_type;
        EXPECT_EQ(json::parse(res.body()).at("err"), "username is required") << content_type;
    }
}

TEST_F(ManagementTest, AvatarUrlWhitespaceAtBothEndsIsTrimmedAsTheOriginalServesIt) {
    auto res =
        call(http::verb::post, "/bots/add",
             R"({"username":"lead_bot","avatar_url":"\n  data:image/png;base64,iVBORw0K \n"})",
             "application/json");
    ASSERT_EQ(res.result(), http::status::ok) << res.body();
    auto user = service->store().user_by_username("lead_bot");
    ASSERT_TRUE(user);
    EXPECT_EQ(user->avatar_url, "data:image/png;base64,iVBORw0K");
}

TEST_F(ManagementTest, AddErrors) {
    add_bot("echo_bot");
    auto res =
        call(http::verb::post, "/bots/add", R"({"username":"echo_bot"})", "application/json");
    EXPECT_EQ(res.result(), http::status::conflict);
    EXPECT_EQ(json::parse(res.body()).at("err"), "username already exists");
    res = call(http::verb::post, "/bots/add", R"({"username":"ECHO_BOT"})", "application/json");
    EXPECT_EQ(res.result(), http::status::conflict) << "case-insensitive";
    res = call(http::verb::post, "/bots/add", R"({"display_name":"x"})", "application/json");
    EXPECT_EQ(res.result(), http::status::bad_request);
    EXPECT_EQ(json::parse(res.body()).at("err"), "username is required");
    res = call(http::verb::post, "/bots/add", "{nope", "application/json");
    EXPECT_EQ(res.result(), http::status::bad_request);
    res = call(http::verb::post, "/bots/add", "username=x", "application/x-www-form-urlencoded");
    EXPECT_EQ(res.result(), http::status::bad_request);
    EXPECT_EQ(json::parse(res.body()).at("err"),
              "unsupported content type: application/x-www-form-urlencoded");
    for (std::string bad : {std::string("has space"), std::string("semi;colon"),
                            std::string("<script>"), std::string(65, 'a')}) {
        res = call(http::verb::post, "/bots/add", json::serialize(json::object{{"username", bad}}),
                   "application/json");
        EXPECT_EQ(res.result(), http::status::bad_request) << bad;
    }
    res =
        call(http::verb::post, "/bots/add",
             R"({"username":"x_bot","avatar_url":"http://169.254.169.254/"})", "application/json");
    EXPECT_EQ(res.result(), http::status::bad_request) << "avatar must be data: or https:";
    for (const char* path : {"/nothing", "/bots/add"}) { // GET /bots/add: no such route either
        res = call(http::verb::get, path);
        EXPECT_EQ(res.result(), http::status::not_found) << path;
        EXPECT_EQ(json::parse(res.body()).at("err"), "no handlers matched the request.") << path;
    }
}

TEST_F(ManagementTest, AddDecodesItsJsonBodyAsTheOriginalsGoDecoder) {
    // The original: json.NewDecoder(r.Body).Decode(&payload), a UserCreationPayload of strings.
    const auto err = [](const HttpResponse& res) {
        return std::string(json::parse(res.body()).at("err").as_string());
    };
    auto res = call(http::verb::post, "/bots/add", R"({"username":"x_bot","display_name":5})",
                    "application/json");
    EXPECT_EQ(res.result(), http::status::bad_request);
    EXPECT_EQ(err(res), "invalid JSON body: json: cannot unmarshal number into Go struct field "
                        "UserCreationPayload.display_name of type string");
    EXPECT_FALSE(service->store().user_by_username("x_bot"));
    res = call(http::verb::post, "/bots/add", R"(["x_bot"])", "application/json");
    EXPECT_EQ(err(res), "invalid JSON body: json: cannot unmarshal array into Go value of type "
                        "user.UserCreationPayload");
    EXPECT_EQ(err(call(http::verb::post, "/bots/add", "", "application/json")),
              "invalid JSON body: EOF");
    EXPECT_EQ(err(call(http::verb::post, "/bots/add", " \n")), "invalid JSON body: EOF");
    EXPECT_EQ(err(call(http::verb::post, "/bots/add", R"({"username":)")),
              "invalid JSON body: unexpected EOF");
    EXPECT_EQ(err(call(http::verb::post, "/bots/add", "null", "application/json")),
              "username is required");
    // Field names in any case, null as nothing, and what follows the first value is never read.
    res = call(http::verb::post, "/bots/add",
               R"({"Username":"y_bot","DISPLAY_NAME":"Y","avatar_url":null,"other":1} trailing)",
               "application/json");
    ASSERT_EQ(res.result(), http::status::ok) << res.body();
    const auto user = service->store().user_by_username("y_bot");
    ASSERT_TRUE(user);
    EXPECT_EQ(user->display_name, "Y");
    EXPECT_EQ(user->avatar_url, "");
}

TEST_F(ManagementTest, TokenReissueListAndDelete) {
    auto first = add_bot("echo_bot");
    add_bot("clock_bot");
    clock.advance(5);
    auto res =
        call(http::verb::post, "/bots/token", R"({"username":"echo_bot"})", "application/json");
    ASSERT_EQ(res.result(), http::status::ok);
    auto second = std::string(json::parse(res.body()).at("token").as_string());
    EXPECT_NE(first, second);
    EXPECT_EQ(service->resolve_ws_identity("Bearer " + second, "").kind, AccountAuth::jwt);
    EXPECT_EQ(call(http::verb::post, "/bots/token?username=nobody").result(),
              http::status::not_found);

    auto list = json::parse(call(http::verb::get, "/bots/list").body());
    ASSERT_EQ(list.at("bots").as_array().size(), 2u);
    EXPECT_EQ(list.at("bots").as_array()[0].at("username"), "clock_bot");
    EXPECT_EQ(list.at("bots").as_array()[0].as_object().count("token"), 0u);

    res = call(http::verb::delete_, "/bots/delete?username=echo_bot");
    EXPECT_EQ(res.result(), http::status::ok);
    EXPECT_EQ(service->resolve_ws_identity("Bearer " + second, "").kind, AccountAuth::none)
        << "tokens of a deleted bot stop working";
    EXPECT_EQ(
        call(http::verb::delete_, "/bots/delete", R"({"username":"echo_bot"})", "application/json")
            .result(),
        http::status::not_found);
    EXPECT_EQ(
        call(http::verb::delete_, "/bots/delete", R"({"username":"clock_bot"})", "application/json")
            .result(),
        http::status::ok);
}

TEST_F(ManagementTest, TheOriginalsRequestsGetTheOriginalsReplies) {
    // `add` and `delete` anywhere below /bots/ (the original dispatches on the path's ending).
    auto res =
        call(http::verb::post, "/bots/v1/add", R"({"username":"echo_bot"})", "application/json");
    ASSERT_EQ(res.result(), http::status::ok);
    EXPECT_TRUE(json::parse(res.body()).as_object().contains("token"));
    // A delete naming no bot: the original's stub reply, nothing deleted.
    res = call(http::verb::delete_, "/bots/delete");
    EXPECT_EQ(res.result(), http::status::ok);
    EXPECT_EQ(json::parse(res.body()), json::parse(R"({"err":"not implemented yet"})"));
    EXPECT_TRUE(service->store().user_by_username("echo_bot").has_value());
    EXPECT_EQ(call(http::verb::delete_, "/bots/v1/delete?username=echo_bot").result(),
              http::status::ok);
    EXPECT_FALSE(service->store().user_by_username("echo_bot").has_value());
    res = call(http::verb::get, "/bots/add");
    EXPECT_EQ(res.result(), http::status::not_found);
    EXPECT_EQ(json::parse(res.body()).at("err"), "no handlers matched the request.");
    EXPECT_EQ(call(http::verb::post, "/other/add").result(), http::status::not_found);
}

TEST_F(ManagementTest, TokenReissueCanRevokeEarlierTokens) {
    auto first = add_bot("echo_bot");
    auto res =
        call(http::verb::post, "/bots/token", R"({"username":"echo_bot"})", "application/json");
    auto second = std::string(json::parse(res.body()).at("token").as_string());
    EXPECT_EQ(service->resolve_ws_identity("Bearer " + first, "").kind, AccountAuth::jwt)
        << "plain re-issue keeps earlier tokens";
    res = call(http::verb::post, "/bots/token", R"({"username":"echo_bot","revoke_previous":true})",
               "application/json");
    ASSERT_EQ(res.result(), http::status::ok);
    auto third = std::string(json::parse(res.body()).at("token").as_string());
    EXPECT_EQ(service->resolve_ws_identity("Bearer " + first, "").kind, AccountAuth::none);
    EXPECT_EQ(service->resolve_ws_identity("Bearer " + second, "").kind, AccountAuth::none);
    EXPECT_EQ(service->resolve_ws_identity("Bearer " + third, "").kind, AccountAuth::jwt);
    res = call(http::verb::post, "/bots/token?username=echo_bot&revoke=true");
    auto fourth = std::string(json::parse(res.body()).at("token").as_string());
    EXPECT_EQ(service->resolve_ws_identity("Bearer " + third, "").kind, AccountAuth::none);
    open(); // the generation survives a restart
    EXPECT_EQ(service->resolve_ws_identity("Bearer " + third, "").kind, AccountAuth::none);
    EXPECT_EQ(service->resolve_ws_identity("Bearer " + fourth, "").kind, AccountAuth::jwt);
}

TEST_F(ManagementTest, HumanAccountsCannotBeManaged) {
    User human;
    human.username = "alice";
    service->store().create_user(human, 0);
    EXPECT_EQ(call(http::verb::post, "/bots/token?username=alice").result(),
              http::status::not_found);
    EXPECT_EQ(call(http::verb::delete_, "/bots/delete?username=alice").result(),
              http::status::not_found);
}

TEST_F(ManagementTest, TokensAndAccountsSurviveRestart) {
    auto token = add_bot("echo_bot");
    open(); // same data dir, new service: the "server restart"
    auto id = service->resolve_ws_identity("Bearer " + token, "");
    EXPECT_EQ(id.kind, AccountAuth::jwt);
    ASSERT_TRUE(id.user);
    EXPECT_EQ(id.user->username, "echo_bot");
}

TEST_F(ManagementTest, WsIdentityOrderAndFallbacks) {
    auto token = add_bot("echo_bot");
    User human;
    human.username = "alice";
    auto alice = service->store().create_user(human, clock.now->load());
    auto session = service->store().create_session(clock.now->load(), 3600, alice->id);
    std::string cookie = "session_id=" + session->id;

    EXPECT_EQ(service->resolve_ws_identity("", "").kind, AccountAuth::none);
    auto s = service->resolve_ws_identity("", cookie);
    EXPECT_EQ(s.kind, AccountAuth::session);
    EXPECT_EQ(s.user->username, "alice");
    // JWT wins over the cookie.
    EXPECT_EQ(service->resolve_ws_identity("Bearer " + token, cookie).user->username, "echo_bot");
    // An invalid token falls through to the cookie, then to anonymous.
    EXPECT_EQ(service->resolve_ws_identity("Bearer garbage", cookie).kind, AccountAuth::session);
    EXPECT_EQ(service->resolve_ws_identity("Bearer garbage", "").kind, AccountAuth::none);
    EXPECT_EQ(service->resolve_ws_identity("Basic " + token, "").kind, AccountAuth::none);
    // Expired token.
    clock.advance(service->config().bot_token_ttl_seconds + 1);
    EXPECT_EQ(service->resolve_ws_identity("Bearer " + token, "").kind, AccountAuth::none);
    // Anonymous sessions (no user) are anonymous.
    auto anon = service->store().create_session(clock.now->load(), 3600);
    EXPECT_EQ(service->resolve_ws_identity("", "session_id=" + anon->id).kind, AccountAuth::none);
}

TEST_F(ManagementTest, NameReservation) {
    add_bot("echo_bot");
    auto bot = service->store().user_by_username("echo_bot");
    EXPECT_TRUE(service->name_reserved("echo_bot", std::nullopt));
    EXPECT_TRUE(service->name_reserved("Echo_Bot", std::nullopt)) << "case variants too";
    EXPECT_FALSE(service->name_reserved("echo_bot", bot)) << "the owner may use it";
    User other;
    other.id = "someone-else";
    EXPECT_TRUE(service->name_reserved("echo_bot", other));
    EXPECT_FALSE(service->name_reserved("free_name", std::nullopt));
    EXPECT_FALSE(service->name_reserved("", std::nullopt));
}

TEST(AccountsStartup, BadUrlFlagsAreStartupErrors) {
    tincan::test::TempDir dir;
    for (std::string bad : {"not a url", "ftp://x/", "/relative", "http://"}) {
        AccountsConfig config;
        config.data_dir = dir.path() / "data";
        config.kioubit_auth_url = bad;
        auto r = AccountsService::create(config);
        ASSERT_FALSE(r) << bad;
        EXPECT_NE(r.error().message.find("--kioubit-auth-url"), std::string::npos);
    }
    AccountsConfig config;
    config.data_dir = dir.path() / "data";
    config.github.oauth_base = "https//github.com";
    EXPECT_FALSE(AccountsService::create(config));
    config.github.oauth_base = "https://github.com";
    for (std::string bad : {"relative", "//evil.example/", "ftp://x/"}) {
        config.login_success_redir_url = bad;
        EXPECT_FALSE(AccountsService::create(config)) << bad;
    }
    config.login_success_redir_url = "/"; // a path on this server, as the original redirects
    EXPECT_TRUE(AccountsService::create(config));
    config.kioubit_pubkey_path = (dir.path() / "missing.pem").string();
    EXPECT_FALSE(AccountsService::create(config)) << "unreadable Kioubit key is fatal";
}

} // namespace
} // namespace tincan::server
