// Every parser of untrusted input in the accounts code, fed random bytes and mutations of valid
// inputs (deterministic seed): no crash, no exception, sane results. Run under the ASan/UBSan
// build (-DTINCAN_SANITIZE=ON) this doubles as a memory-safety check.

#include "auth/accounts_api.hpp"
#include "auth/cookies.hpp"
#include "auth/crypto.hpp"
#include "auth/jwt.hpp"
#include "auth/management_api.hpp"
#include "auth/multipart.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <random>

namespace tincan::server {
namespace {

namespace http = boost::beast::http;

class Mutator {
public:
    explicit Mutator(std::uint32_t seed) : rng_(seed) {}

    std::string random(std::size_t max_len) {
        std::string s(pick(max_len + 1), '\0');
        for (auto& c : s) {
            c = static_cast<char>(pick(256));
        }
        return s;
    }

    // Flips, inserts, deletes or duplicates a few bytes of `s`, sometimes with "interesting"
    // characters for these grammars.
    std::string mutate(std::string s) {
        static constexpr char interesting[] = "=;\"\r\n-.:/\\%?&@#{}[],\0";
        int n = 1 + static_cast<int>(pick(4));
        for (int i = 0; i < n; ++i) {
            std::size_t pos = s.empty() ? 0 : pick(s.size());
            switch (pick(4)) {
            case 0:
                if (!s.empty()) {
                    s[pos] = static_cast<char>(pick(256));
                }
                break;
            case 1:
                s.insert(pos, 1, interesting[pick(sizeof interesting - 1)]);
                break;
            case 2:
                if (!s.empty()) {
                    s.erase(pos, 1 + pick(8));
                }
                break;
            default:
                s.insert(pos, s.substr(pos, pick(16)));
            }
        }
        return s;
    }

    std::size_t pick(std::size_t n) { return n == 0 ? 0 : rng_() % n; }

private:
    std::mt19937 rng_;
};

constexpr int rounds = 3000;

TEST(ParsersRobustness, JwtVerify) {
    Mutator m(1);
    JwtSigner signer(std::string(32, 'k'));
    const auto valid = signer.sign("user", 1'760'000'000, 3600);
    int accepted = 0;
    for (int i = 0; i < rounds; ++i) {
        auto token = i % 3 == 0 ? m.random(200) : m.mutate(valid);
        accepted += signer.verify(token, 1'760'000'000).has_value() ? 1 : 0;
    }
    EXPECT_LE(accepted, rounds / 100) << "mutations of a token must almost never verify";
}

TEST(ParsersRobustness, Base64AndCookiesAndRedirects) {
    Mutator m(2);
    RedirectPolicy policy("https://chat.example/");
    for (int i = 0; i < rounds; ++i) {
        auto s = i % 2 ? m.random(100) : m.mutate("session_id=abc; a=b; https://chat.example/x");
        (void)crypto::base64_decode(s);
        (void)crypto::base64url_decode(s);
        (void)find_cookie(s, "session_id");
        auto r = policy.resolve(s);
        if (r) {
            EXPECT_EQ(r->rfind("https://chat.example", 0), 0u) << s;
        }
    }
}

TEST(ParsersRobustness, Multipart) {
    Mutator m(3);
    const std::string body =
        "--B\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\nx\r\n"
        "--B\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\ny\r\n--B--\r\n";
    for (int i = 0; i < rounds; ++i) {
        (void)parse_multipart_form(m.mutate("multipart/form-data; boundary=B"),
                                   i % 3 == 0 ? m.random(300) : m.mutate(body));
    }
}

TEST(ParsersRobustness, HandlersWithHostileRequests) {
    tincan::test::TempDir dir;
    AccountsConfig config;
    config.data_dir = dir.path() / "data";
    auto service = std::move(*AccountsService::create(config));
    AccountsApi api(*service);
    ManagementApi management(*service);
    Mutator m(4);
    const std::vector<std::string> targets = {"/profile?username=echo_bot",
                                              "/profile/avatar",
                                              "/counter",
                                              "/logout",
                                              "/profile/status",
                                              "/bots/add",
                                              "/bots/delete?username=a",
                                              "/bots/token",
                                              "/bots/list"};
    for (int i = 0; i < 600; ++i) {
        auto target = m.mutate(targets[m.pick(targets.size())]);
        if (target.empty() || target[0] != '/') {
            target.insert(0, "/");
        }
        auto req = tincan::test::make_request(i % 2 ? http::verb::post : http::verb::get, "/");
        req.target(target);
        req.set(http::field::cookie, m.mutate("session_id=abc"));
        req.set(http::field::content_type,
                i % 3 ? m.mutate("multipart/form-data; boundary=B") : "application/json");
        req.body() = i % 2 ? m.random(200) : m.mutate(R"({"username":"bot_x","display_name":"d"})");
        auto res = api.handle(req, AccountsContext::from(req, target_path(target)));
        EXPECT_GE(res.result_int(), 200u);
        req.method(i % 3 ? http::verb::post : http::verb::delete_);
        res = management.handle(req);
        EXPECT_GE(res.result_int(), 200u);
        EXPECT_LT(res.result_int(), 500u) << target << " " << req.body();
    }
}

} // namespace
} // namespace tincan::server
