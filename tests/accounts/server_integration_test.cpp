// The real tincan-server with the accounts extension on an ephemeral port: management socket,
// bot JWTs at the WebSocket upgrade, /conns authentication, name squatting, anonymous refusal,
// restart persistence, and the GitHub login over real HTTP against the loopback GitHub.

#include "auth/accounts_extension.hpp"
#include "auth/crypto.hpp"
#include "auth/http_client.hpp"
#include "fake_github.hpp"
#include "test_client.hpp"
#include "test_support.hpp"

#include <boost/asio/local/stream_protocol.hpp>
#include <boost/json.hpp>
#include <boost/url.hpp>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>

namespace tincan::test {
namespace {

namespace http = boost::beast::http;
namespace json = boost::json;

WsClient::Options with_header(const std::string& name, const std::string& value) {
    WsClient::Options o;
    o.headers[name] = value;
    return o;
}

// Registers with an empty name (the server substitutes the account's username); the reply.
std::optional<json::object> register_empty(WsClient& client) {
    client.send(R"({"register":{"node_name":""}})");
    return client.next_with("register");
}
using server::HttpClient;
using server::HttpClientOptions;

class AccountsServer {
public:
    AccountsServer(const TempDir& dir, const std::function<void(server::Config&)>& configure = {}) {
        server::Config cfg;
        cfg.listen_addr = "127.0.0.1:0";
        cfg.web_root = "/nonexistent";
        cfg.data_dir = (dir.path() / "data").string();
        cfg.management_listen = (dir.path() / "run" / "management.sock").string();
        if (configure) {
            configure(cfg);
        }
        socket_ = cfg.management_listen;
        server_ = std::make_unique<server::Server>(cfg);
        auto accounts = server::make_accounts_extension(cfg);
        if (!accounts) {
            throw std::runtime_error(accounts.error().message);
        }
        server_->add_extension(std::move(*accounts));
        if (!server_->start()) {
            throw std::runtime_error("server did not start");
        }
        thread_ = std::thread([this] { server_->run(); });
    }
    ~AccountsServer() {
        boost::asio::post(server_->io(), [this] { server_->shutdown(); });
        thread_.join();
    }
    unsigned short port() const { return server_->port(); }
    std::string url(const std::string& path) const {
        return "http://127.0.0.1:" + std::to_string(port()) + path;
    }
    const std::string& socket() const { return socket_; }

    // One request over the management Unix socket.
    HttpResult manage(http::verb method, const std::string& target, const std::string& body = {}) {
        boost::asio::io_context ioc;
        boost::asio::local::stream_protocol::socket s(ioc);
        s.connect(boost::asio::local::stream_protocol::endpoint(socket_));
        http::request<http::string_body> req{method, target, 11};
        req.set(http::field::host, "localhost");
        if (!body.empty()) {
            req.set(http::field::content_type, "application/json");
        }
        req.body() = body;
        req.prepare_payload();
        http::write(s, req);
        boost::beast::flat_buffer buf;
        http::response<http::string_body> res;
        http::read(s, buf, res);
        HttpResult out{res.result_int(), res.body(), {}};
        for (const auto& field : res) {
            out.headers[std::string(field.name_string())] = std::string(field.value());
        }
        return out;
    }

    std::string add_bot(const std::string& name) {
        auto r = manage(http::verb::post, "/bots/add", R"({"username":")" + name + R"("})");
        EXPECT_EQ(r.status, 200u) << r.body;
        return r.status == 200 ? std::string(json::parse(r.body).at("token").as_string()) : "";
    }

private:
    std::string socket_;
    std::unique_ptr<server::Server> server_;
    std::thread thread_;
};

HttpClient& local_http() {
    static HttpClient client([] {
        HttpClientOptions o;
        o.allow_http = true;
        o.timeout = std::chrono::seconds(5);
        return o;
    }());
    return client;
}

json::object conns(const AccountsServer& s) {
    auto r = local_http().fetch({http::verb::get, s.url("/api/conns"), {}, ""});
    return json::parse(r->body).as_object();
}

// GitHub login against a loopback GitHub: the app's credentials in the environment (where the
// original reads them) for the test's lifetime, and the server's GitHub endpoints pointed at it.
class GithubLogin {
public:
    explicit GithubLogin(const FakeGithub& github) : github_(github) {
        ::setenv("GH_LOGIN_CLIENT_ID", "cid", 1);
        ::setenv("GH_LOGIN_CLIENT_SECRET", "csecret", 1);
    }
    ~GithubLogin() {
        ::unsetenv("GH_LOGIN_CLIENT_ID");
        ::unsetenv("GH_LOGIN_CLIENT_SECRET");
    }
    GithubLogin(const GithubLogin&) = delete;
    GithubLogin& operator=(const GithubLogin&) = delete;

    std::function<void(server::Config&)>
    configure(std::function<void(server::Config&)> more = {}) const {
        return [this, more = std::move(more)](server::Config& c) {
            c.github_oauth_base_url = github_.base_url();
            c.github_api_base_url = github_.base_url();
            c.github_login_redir_url = "http://127.0.0.1:1/api/github/login/auth";
            if (more) {
                more(c);
            }
        };
    }

private:
    const FakeGithub& github_;
};

std::string cookie_value(const server::HttpReply& r) {
    auto c = r.header("Set-Cookie");
    if (c.rfind("session_id=", 0) != 0) {
        return {};
    }
    return c.substr(11, c.find(';') - 11);
}

TEST(AccountsServer, ManagementSocketIsPrivate) {
    TempDir dir;
    AccountsServer s(dir);
    struct stat st {};
    ASSERT_EQ(::stat(s.socket().c_str(), &st), 0);
    EXPECT_TRUE(S_ISSOCK(st.st_mode));
    EXPECT_EQ(st.st_mode & 0777, 0600);
    EXPECT_EQ(s.manage(http::verb::get, "/bots/list").status, 200u);
    EXPECT_EQ(s.manage(http::verb::get, "/other").status, 404u);
    // The management routes are not on the public listener.
    auto r = local_http().fetch({http::verb::get, s.url("/api/bots/list"), {}, ""});
    EXPECT_NE(r->status, 200u);
    r = local_http().fetch({http::verb::get, s.url("/bots/list"), {}, ""});
    EXPECT_EQ(r->body.find("\"bots\""), std::string::npos);
}

TEST(AccountsServer, BotJwtAtUpgradeGivesUsernameAndJwtAuthentication) {
    TempDir dir;
    AccountsServer s(dir);
    auto token = s.add_bot("echo_bot");
    WsClient bot(s.port(), with_header("Authorization", "bearer " + token));
    ASSERT_TRUE(bot.connected());
    auto reply = register_empty(bot);
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->at("register").at("node_name"), "echo_bot");
    auto id = std::string(reply->at("node_id").as_string());
    auto c = conns(s);
    EXPECT_EQ(c.at(id).at("authentication"), "jwt");
    EXPECT_EQ(c.at(id).at("node_name"), "echo_bot");
    EXPECT_EQ(c.at(id).at("is_bot"), true);
    EXPECT_EQ(c.at(id).at("username"), "echo_bot"); // the account, whatever the node is called

    // A forged token is ignored: anonymous, default name.
    WsClient::Options f;
    f.headers["Authorization"] = "Bearer " + token.substr(0, token.size() - 2) + "xx";
    WsClient forged(s.port(), f);
    ASSERT_TRUE(forged.connected());
    auto r2 = register_empty(forged);
    ASSERT_TRUE(r2);
    EXPECT_EQ(std::string(r2->at("register").at("node_name").as_string()).rfind("user", 0), 0u);
    auto forged_entry = conns(s).at(std::string(r2->at("node_id").as_string())).as_object();
    EXPECT_EQ(forged_entry.at("authentication"), "none");
    EXPECT_FALSE(forged_entry.contains("username"));
}

// A bot answers every peer that connects to it (an answer and its ICE candidates each): its JWT
// connection has its own, larger allowance, so a crowd joining at once does not cut it off.
TEST(AccountsServer, BotsHaveTheirOwnLargerMessageAllowance) {
    TempDir dir;
    AccountsServer s(dir, [](server::Config& c) {
        c.max_msgs_per_sec = 10;
        c.msg_burst = 20;
        c.bot_msgs_per_sec = 10;
        c.bot_msg_burst = 400;
    });
    auto token = s.add_bot("echo_bot");
    WsClient bot(s.port(), with_header("Authorization", "Bearer " + token));
    WsClient visitor(s.port());
    ASSERT_TRUE(register_empty(bot));
    ASSERT_TRUE(register_empty(visitor));
    constexpr int burst = 300;
    for (int i = 0; i < burst; ++i) {
        const auto ping =
            R"({"echo":{"direction":"ping","correlation_id":")" + std::to_string(i) + R"("}})";
        bot.send(ping);
        visitor.send(ping);
    }
    int pongs = 0;
    while (pongs < burst) {
        auto m = bot.next();
        ASSERT_TRUE(m) << "after " << pongs << " pongs";
        ASSERT_FALSE(m->contains("error")) << boost::json::serialize(*m);
        if (m->contains("echo")) {
            EXPECT_EQ(m->at("echo").at("correlation_id").as_string(), std::to_string(pongs));
            ++pongs;
        }
    }
    auto refused = visitor.next_with("error");
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->at("error").at("code"), "rate_limited");
}

TEST(AccountsServer, AccountNamesCannotBeSquatted) {
    TempDir dir;
    AccountsServer s(dir);
    s.add_bot("echo_bot");
    WsClient anon(s.port());
    for (std::string name : {"echo_bot", "ECHO_BOT"}) {
        anon.send(json::serialize(json::object{{"register", json::object{{"node_name", name}}}}));
        auto err = anon.next_with("error");
        ASSERT_TRUE(err) << name;
        EXPECT_EQ(err->at("error").at("code"), "name_taken");
    }
    // An account named like a default name: the anonymous default avoids it.
    s.add_bot("user0001");
    WsClient second(s.port()); // the server's second connection: default name user0001
    auto dflt = register_empty(second);
    ASSERT_TRUE(dflt);
    EXPECT_EQ(dflt->at("register").at("node_name"), "user0001-guest");

    auto id = anon.register_as("visitor");
    ASSERT_FALSE(id.empty());
    anon.send(R"({"rename":{"new_preference":{"name":"echo_bot","indexOfPreferColor":1}}})");
    auto err = anon.next_with("error");
    ASSERT_TRUE(err);
    EXPECT_EQ(err->at("error").at("code"), "name_taken");
    EXPECT_EQ(conns(s).at(id).at("node_name"), "visitor");
}

TEST(AccountsServer, AnonymousRefusedWhenDisabled) {
    TempDir dir;
    AccountsServer s(dir, [](server::Config& c) { c.allow_anonymous = false; });
    WsClient anon(s.port());
    EXPECT_FALSE(anon.connected());
    EXPECT_EQ(anon.refused_status(), 401u);
    auto token = s.add_bot("clock_bot");
    WsClient bot(s.port(), with_header("Authorization", "Bearer " + token));
    EXPECT_TRUE(bot.connected());
}

TEST(AccountsServer, LoginRoutesOfAnUnconfiguredProviderAreUnknownPaths) {
    // PROTOCOL.md 2.2: /github/login/... is mounted only with GitHub configured; an unknown path
    // gets Go's plain `404 page not found`, the callback below the prefix and at the root alike.
    TempDir dir;
    AccountsServer s(dir);
    for (const char* path : {"/api/github/login/auth?state=s&code=c", "/github/login/auth",
                             "/api/github/login/start", "/github/login", "/api/github/login"}) {
        auto r = local_http().fetch({http::verb::get, s.url(path), {}, ""});
        ASSERT_TRUE(r) << path;
        EXPECT_EQ(r->status, 404u) << path;
        EXPECT_EQ(r->content_type, "text/plain; charset=utf-8") << path;
        EXPECT_EQ(r->body, "404 page not found\n") << path;
    }
}

TEST(AccountsServer, SubtreeRoutesWithoutTheirSlashAreRedirectedAsByGosServeMux) {
    // The original mounts "/github/login/" (and "/bots/" on the management socket) as subtree
    // patterns: Go's ServeMux answers the path without the slash with 301 to it, query kept.
    TempDir dir;
    FakeGithub github("cid", "csecret", {"octocat", 583231, "The Octocat", ""});
    GithubLogin github_login(github);
    AccountsServer s(dir, github_login.configure());
    for (const std::string prefix : {"", "/api"}) {
        auto get =
            local_http().fetch({http::verb::get, s.url(prefix + "/github/login?x=1"), {}, ""});
        ASSERT_TRUE(get) << prefix;
        EXPECT_EQ(get->status, 301u) << prefix;
        EXPECT_EQ(get->header("Location"), prefix + "/github/login/?x=1");
        EXPECT_EQ(get->content_type, "text/html; charset=utf-8");
        EXPECT_EQ(get->body,
                  "<a href=\"" + prefix + "/github/login/?x=1\">Moved Permanently</a>.\n\n");
        auto post = local_http().fetch({http::verb::post, s.url(prefix + "/github/login"), {}, ""});
        ASSERT_TRUE(post) << prefix;
        EXPECT_EQ(post->status, 301u) << prefix;
        EXPECT_EQ(post->header("Location"), prefix + "/github/login/");
        EXPECT_EQ(post->body, "");
    }
    // The start route below the slash is unchanged.
    auto start = local_http().fetch({http::verb::get, s.url("/api/github/login/start"), {}, ""});
    ASSERT_TRUE(start);
    EXPECT_EQ(start->status, 307u);
    auto bots = s.manage(http::verb::post, "/bots");
    EXPECT_EQ(bots.status, 301u);
    EXPECT_EQ(bots.headers["Location"], "/bots/");
}

TEST(AccountsServer, ManagementPathsOutsideBotsGetGosPlain404) {
    // The original's management mux mounts only "/bots/": another path is Go's ServeMux 404, in
    // plain text; below /bots/ the handler's JSON 404 (PROTOCOL.md 3.6).
    TempDir dir;
    AccountsServer s(dir);
    for (const char* path : {"/", "/other", "/bot/add", "/api/bots/list"}) {
        auto r = s.manage(http::verb::get, path);
        EXPECT_EQ(r.status, 404u) << path;
        EXPECT_EQ(r.body, "404 page not found\n") << path;
        EXPECT_EQ(r.headers["Content-Type"], "text/plain; charset=utf-8") << path;
    }
    auto below = s.manage(http::verb::get, "/bots/nothing");
    EXPECT_EQ(below.status, 404u);
    EXPECT_EQ(json::parse(below.body).at("err"), "no handlers matched the request.");
}

TEST(AccountsServer, KioubitLogoutOnlyWithKioubitConfigured) {
    // PROTOCOL.md 2.2, 3.4: /kioubit/login/... (its logout .../login/delete included) is mounted
    // only with --kioubit-login-pubkey; without it, an unknown path (plain 404).
    TempDir dir;
    AccountsServer s(dir);
    for (const char* path : {"/api/kioubit/login/delete", "/kioubit/login/delete"}) {
        auto r = local_http().fetch({http::verb::post, s.url(path), {}, ""});
        ASSERT_TRUE(r) << path;
        EXPECT_EQ(r->status, 404u) << path;
        EXPECT_EQ(r->body, "404 page not found\n") << path;
    }
}

TEST(AccountsServer, TurnCredentialsOnlyForWhoMayConnect) {
    TempDir dir;
    AccountsServer s(dir, [](server::Config& c) {
        c.allow_anonymous = false;
        c.turn_urls = {"turn:127.0.0.1:3478"};
        c.turn_secret = "secret";
    });
    auto anon = local_http().fetch({http::verb::get, s.url("/api/ice-servers"), {}, ""});
    ASSERT_TRUE(anon);
    EXPECT_EQ(anon->status, 401u);
    EXPECT_EQ(anon->body.find("credential"), std::string::npos);
    auto token = s.add_bot("relay_bot");
    auto bot = local_http().fetch(
        {http::verb::get, s.url("/api/ice-servers"), {{"Authorization", "Bearer " + token}}, ""});
    ASSERT_TRUE(bot);
    EXPECT_EQ(bot->status, 200u);
    EXPECT_TRUE(json::parse(bot->body).at("iceServers").at(0).as_object().contains("credential"));
}

TEST(AccountsServer, BotTokensSurviveServerRestart) {
    TempDir dir;
    std::string token;
    {
        AccountsServer s(dir);
        token = s.add_bot("music_bot");
    }
    AccountsServer s(dir);
    WsClient bot(s.port(), with_header("Authorization", "bearer " + token));
    ASSERT_TRUE(bot.connected());
    auto reply = register_empty(bot);
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->at("register").at("node_name"), "music_bot");
    EXPECT_EQ(s.manage(http::verb::post, "/bots/add", R"({"username":"music_bot"})").status, 409u);
}

TEST(AccountsServer, GithubLoginOverHttpThenSignedInWebSocket) {
    TempDir dir;
    FakeGithub github("cid", "csecret", {"octocat", 583231, "The Octocat", ""});
    github.set_user({"octocat", 583231, "The Octocat", github.base_url() + "/avatars/octocat.png"});
    GithubLogin github_login(github);
    AccountsServer s(dir, github_login.configure([](server::Config& c) {
        c.login_success_redir_url = "http://127.0.0.1/";
        c.cookie_samesite = "Lax";
    }));

    auto servers = local_http().fetch({http::verb::get, s.url("/servers.json"), {}, ""});
    auto idp = json::parse(servers->body).as_array()[0].at("idp").as_array();
    ASSERT_EQ(idp.size(), 1u);
    EXPECT_EQ(idp[0].at("kind"), "github");
    EXPECT_EQ(idp[0].at("loginUrl"), "/api/github/login/start");

    auto start = local_http().fetch({http::verb::get, s.url("/api/github/login/start"), {}, ""});
    ASSERT_EQ(start->status, 307u);
    auto sid = cookie_value(*start);
    ASSERT_FALSE(sid.empty());
    EXPECT_NE(start->header("Set-Cookie").find("HttpOnly"), std::string::npos);
    EXPECT_NE(start->header("Set-Cookie").find("SameSite=Lax"), std::string::npos);
    auto callback = boost::urls::url(github.consent(start->header("Location")));
    ASSERT_FALSE(callback.empty());
    auto target = std::string(callback.encoded_target());

    // Without the session cookie of the browser that started the login: refused.
    auto csrf = local_http().fetch({http::verb::get, s.url(target), {}, ""});
    EXPECT_EQ(csrf->status, 400u);
    // The state was consumed by that attempt; a fresh login is needed.
    start = local_http().fetch(
        {http::verb::get, s.url("/api/github/login/start"), {{"Cookie", "session_id=" + sid}}, ""});
    ASSERT_EQ(start->status, 307u);
    callback = boost::urls::url(github.consent(start->header("Location")));
    target = std::string(callback.encoded_target());
    auto done =
        local_http().fetch({http::verb::get, s.url(target), {{"Cookie", "session_id=" + sid}}, ""});
    ASSERT_EQ(done->status, 307u) << done->body;
    EXPECT_EQ(done->header("Location"), "http://127.0.0.1/");
    auto new_sid = cookie_value(*done);
    ASSERT_FALSE(new_sid.empty());
    EXPECT_NE(new_sid, sid);
    EXPECT_EQ(github.revocations(), 1);

    // Signed in below the prefix and at the original's root paths alike (PROTOCOL.md 9.1).
    for (const char* prefix : {"/api", ""}) {
        SCOPED_TRACE(prefix);
        const std::vector<std::pair<std::string, std::string>> cookie{
            {"Cookie", "session_id=" + new_sid}};
        auto profile = local_http().fetch(
            {http::verb::get, s.url(std::string(prefix) + "/profile"), cookie, ""});
        EXPECT_EQ(json::parse(profile->body).at("username"), "octocat");
        auto status = local_http().fetch(
            {http::verb::get, s.url(std::string(prefix) + "/profile/status"), cookie, ""});
        EXPECT_EQ(json::parse(status->body).at("logged_in"), true);
        auto named = local_http().fetch(
            {http::verb::get, s.url(std::string(prefix) + "/profile?username=octocat"), {}, ""});
        EXPECT_EQ(named->status, 200u);
    }
    // The avatar GitHub named (here on the stand-in) comes through the server's avatar proxy,
    // below the prefix and at the original's root path alike.
    for (const char* path :
         {"/api/profile/avatar?username=octocat", "/profile/avatar?username=octocat"}) {
        auto avatar = local_http().fetch({http::verb::get, s.url(path), {}, ""});
        ASSERT_EQ(avatar->status, 200u) << path << " " << avatar->body;
        EXPECT_EQ(avatar->header("Content-Type"), "image/png") << path;
        EXPECT_EQ(avatar->body, fake_avatar_png) << path;
    }

    WsClient user(s.port(), with_header("Cookie", "session_id=" + new_sid));
    ASSERT_TRUE(user.connected());
    auto reply = register_empty(user);
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->at("register").at("node_name"), "octocat");
    auto id = std::string(reply->at("node_id").as_string());
    EXPECT_EQ(conns(s).at(id).at("authentication"), "session");
    EXPECT_FALSE(conns(s).at(id).as_object().contains("is_bot"));

    // Another peer cannot take the signed-in user's name.
    WsClient other(s.port());
    other.send(R"({"register":{"node_name":"octocat"}})");
    auto err = other.next_with("error");
    ASSERT_TRUE(err);
    EXPECT_EQ(err->at("error").at("code"), "name_taken");

    // Logout by POST (at the root, as the original client's server has it) ends the session
    // for HTTP and for new WebSockets.
    auto out = local_http().fetch(
        {http::verb::post, s.url("/logout"), {{"Cookie", "session_id=" + new_sid}}, ""});
    EXPECT_EQ(out->status, 200u);
    auto status = local_http().fetch(
        {http::verb::get, s.url("/api/profile/status"), {{"Cookie", "session_id=" + new_sid}}, ""});
    EXPECT_EQ(json::parse(status->body).at("logged_in"), false);
    WsClient after(s.port(), with_header("Cookie", "session_id=" + new_sid));
    auto r2 = register_empty(after);
    ASSERT_TRUE(r2);
    EXPECT_EQ(conns(s).at(std::string(r2->at("node_id").as_string())).at("authentication"), "none");
}

TEST(AccountsServer, ASuccessUrlThatIsAPathRedirectsOnThisSite) {
    // `--login-success-redir-url /`: the original's http.Redirect takes a path; the server started
    // with it (it refused to start: "not an absolute http(s) URL") and redirects there.
    TempDir dir;
    FakeGithub github("cid", "csecret", {"octocat", 583231, "The Octocat", ""});
    GithubLogin github_login(github);
    AccountsServer s(
        dir, github_login.configure([](server::Config& c) { c.login_success_redir_url = "/"; }));
    const auto login = [&](const std::string& start_target) {
        auto start = local_http().fetch({http::verb::get, s.url(start_target), {}, ""});
        EXPECT_EQ(start->status, 307u) << start->body;
        const auto sid = cookie_value(*start);
        const auto callback = boost::urls::url(github.consent(start->header("Location")));
        return local_http().fetch({http::verb::get,
                                   s.url(std::string(callback.encoded_target())),
                                   {{"Cookie", "session_id=" + sid}},
                                   ""});
    };
    auto done = login("/api/github/login/start");
    ASSERT_EQ(done->status, 307u) << done->body;
    EXPECT_EQ(done->header("Location"), "/");
    done = login("/api/github/login/start?current_page=%2Fchat%3Fpeer%3D1");
    ASSERT_EQ(done->status, 307u) << done->body;
    EXPECT_EQ(done->header("Location"), "/chat?peer=1");
    // Other sites stay refused.
    for (const char* bad : {"https%3A%2F%2Fevil.example%2F", "%2F%2Fevil.example%2F"}) {
        auto start =
            local_http().fetch({http::verb::get,
                                s.url(std::string("/api/github/login/start?current_page=") + bad),
                                {},
                                ""});
        EXPECT_EQ(start->status, 400u) << bad;
    }
}

TEST(AccountsServer, SlowGithubDoesNotStallSignalling) {
    TempDir dir;
    FakeGithub github("cid", "csecret", {"slowcat", 7, "", ""});
    github.set_token_delay(std::chrono::milliseconds(2500));
    GithubLogin github_login(github);
    AccountsServer s(dir, github_login.configure());
    WsClient peer(s.port());
    ASSERT_FALSE(peer.register_as("bystander").empty());

    auto start = local_http().fetch({http::verb::get, s.url("/api/github/login/start"), {}, ""});
    auto sid = cookie_value(*start);
    auto target =
        std::string(boost::urls::url(github.consent(start->header("Location"))).encoded_target());
    std::optional<server::AuthResult<server::HttpReply>> login;
    std::thread slow([&] {
        login = local_http().fetch(
            {http::verb::get, s.url(target), {{"Cookie", "session_id=" + sid}}, ""});
    });
    // Wait until the callback has reached GitHub (the exchange is being answered slowly).
    for (int i = 0; i < 100 && github.exchanges() == 0; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ASSERT_EQ(github.exchanges(), 1);
    auto t0 = std::chrono::steady_clock::now();
    EXPECT_TRUE(peer.round_trip());
    auto status = local_http().fetch({http::verb::get, s.url("/api/profile/status"), {}, ""});
    EXPECT_EQ(status->status, 200u);
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(1500))
        << "signalling and other routes answer while the GitHub call is pending";
    slow.join();
    ASSERT_TRUE(login && *login);
    EXPECT_EQ((*login)->status, 307u);
}

} // namespace
} // namespace tincan::test
