#include "config.hpp"
#include <cstdlib>

#include <gtest/gtest.h>

using namespace tincan::server;
using namespace std::chrono_literals;

TEST(Config, ListenAddresses) {
    EXPECT_EQ(parse_listen_addr(":3001")->port, 3001);
    EXPECT_EQ(parse_listen_addr(":3001")->host, "");
    EXPECT_EQ(parse_listen_addr("127.0.0.1:0")->host, "127.0.0.1");
    EXPECT_EQ(parse_listen_addr("[::1]:80")->host, "::1");
    // An empty port is an ephemeral one, as Go's net.Listen takes it.
    EXPECT_EQ(parse_listen_addr("127.0.0.1:")->port, 0);
    EXPECT_EQ(parse_listen_addr("127.0.0.1:")->host, "127.0.0.1");
    EXPECT_EQ(parse_listen_addr(":")->port, 0);
    EXPECT_FALSE(parse_listen_addr("3001"));
    EXPECT_FALSE(parse_listen_addr(":99999"));
}

namespace {
ParsedConfig parse(std::vector<std::string> args) {
    std::vector<char*> argv{const_cast<char*>("tincan-server")};
    for (auto& a : args) {
        argv.push_back(a.data());
    }
    return parse_config(static_cast<int>(argv.size()), argv.data());
}
} // namespace

TEST(Config, FlagsAndBadConfiguration) {
    auto ok = parse({"--listen-addr", "127.0.0.1:0", "--ws-timeout", "5s", "--allowed-origin",
                     "https://a.example,https://b.example", "--api-prefix", "api/"});
    ASSERT_FALSE(ok.exit_code);
    EXPECT_EQ(ok.config.ws_timeout, 5s);
    EXPECT_EQ(ok.config.allowed_origins.size(), 2U);
    EXPECT_EQ(ok.config.api_prefix, "/api");
    EXPECT_EQ(parse({"--ws-timeout", "0"}).exit_code, 2);
    EXPECT_EQ(parse({"--listen-addr", "nonsense"}).exit_code, 2);
    EXPECT_EQ(parse({"--no-such-flag"}).exit_code, 2);
    EXPECT_EQ(parse({"--api-prefix", ""}).config.api_prefix, "");
    // --ws-path is a Go ServeMux pattern in the original: a trailing slash (a subtree) is kept.
    EXPECT_EQ(parse({"--ws-path", "/ws/"}).config.ws_path, "/ws/");
    EXPECT_EQ(parse({"--ws-path", "signal"}).config.ws_path, "/signal");
}

TEST(Config, AnEmptyValueAfterTheEqualsSignAsTheOriginalsCli) {
    // `--management-listen=` disables the socket (kong reads an empty value); CLI11 alone refused
    // it when last ("1 required TEXT missing") or took the next flag as its value.
    auto last = parse({"--management-listen="});
    ASSERT_FALSE(last.exit_code);
    EXPECT_EQ(last.config.management_listen, "");
    auto first = parse({"--management-listen=", "--api-prefix", "/x"});
    ASSERT_FALSE(first.exit_code);
    EXPECT_EQ(first.config.management_listen, "");
    EXPECT_EQ(first.config.api_prefix, "/x");
    EXPECT_EQ(parse({"--api-prefix="}).config.api_prefix, "");
}

TEST(Config, BooleanFlagsAsTheOriginalsCli) {
    // Bare means true, `=false` turns a default-on flag off (PROTOCOL.md 8.1, a kong CLI).
    auto bare = parse({"--debug", "--inject-allow-all-cors-headers", "--cookie-secure"});
    ASSERT_FALSE(bare.exit_code);
    EXPECT_TRUE(bare.config.debug);
    EXPECT_EQ(bare.config.log_level, "debug");
    EXPECT_TRUE(bare.config.inject_allow_all_cors_headers);
    EXPECT_TRUE(bare.config.cookie_secure);
    EXPECT_TRUE(bare.config.default_cors_allowed);
    auto off = parse({"--default-cors-allowed=false", "--allow-anonymous=false", "--debug=false"});
    ASSERT_FALSE(off.exit_code);
    EXPECT_FALSE(off.config.default_cors_allowed);
    EXPECT_FALSE(off.config.allow_anonymous);
    EXPECT_FALSE(off.config.debug);
    ::setenv("TINCAN_ALLOW_ANONYMOUS", "false", 1);
    EXPECT_FALSE(parse({}).config.allow_anonymous);
    ::unsetenv("TINCAN_ALLOW_ANONYMOUS");
    // An unknown SameSite value is ignored with a warning, as the original does, not fatal.
    auto samesite = parse({"--cookie-samesite", "bogus"});
    ASSERT_FALSE(samesite.exit_code);
    EXPECT_EQ(samesite.config.cookie_samesite, "");
    EXPECT_EQ(parse({"--cookie-samesite", "Lax"}).config.cookie_samesite, "Lax");
}

TEST(Config, CookieSecureTakesItsValueAsTheOriginalsStringFlag) {
    // `--cookie-secure` is a string flag in the original (PROTOCOL.md 8.1: empty, true, false).
    using Args = std::vector<std::string>;
    const std::vector<Args> secure = {
        {"--cookie-secure", "true"}, {"--cookie-secure=true"}, {"--cookie-secure"}};
    for (const auto& args : secure) {
        auto parsed = parse(args);
        ASSERT_FALSE(parsed.exit_code) << args.size();
        EXPECT_TRUE(parsed.config.cookie_secure) << args.size();
    }
    auto spaced = parse({"--cookie-secure", "true", "--debug"});
    ASSERT_FALSE(spaced.exit_code);
    EXPECT_TRUE(spaced.config.cookie_secure);
    EXPECT_TRUE(spaced.config.debug);
    const std::vector<Args> plain = {{"--cookie-secure", "false"}, {"--cookie-secure=false"}, {}};
    for (const auto& args : plain) {
        auto parsed = parse(args);
        ASSERT_FALSE(parsed.exit_code) << args.size();
        EXPECT_FALSE(parsed.config.cookie_secure) << args.size();
    }
}

TEST(Config, TurnUrlsTtlAndTheSecretFromTheEnvironmentOnly) {
    ::setenv("TURN_STATIC_AUTH_SECRET", "s3cret", 1);
    auto ok = parse(
        {"--turn-url", "turn:a.example:3478,turns:a.example:5349", "--turn-credential-ttl", "2h"});
    ::unsetenv("TURN_STATIC_AUTH_SECRET");
    ASSERT_FALSE(ok.exit_code);
    EXPECT_EQ(ok.config.turn_urls.size(), 2U);
    EXPECT_EQ(ok.config.turn_secret, "s3cret");
    EXPECT_EQ(ok.config.turn_credential_ttl, std::chrono::seconds(7200));
    EXPECT_EQ(parse({}).config.turn_secret, "");
    EXPECT_EQ(parse({"--turn-url", "stun:a.example:3478"}).exit_code, 2);
    EXPECT_EQ(parse({"--turn-credential-ttl", "10s"}).exit_code, 2);
    EXPECT_EQ(parse({"--turn-secret", "x"}).exit_code, 2) << "no flag carries the secret";
}

TEST(Config, WsTimeoutIsAGoDurationAsTheOriginalsKongFlag) {
    // time.ParseDuration refuses a number without a unit (PROTOCOL.md 8.1); zero and negative
    // timeouts are refused as well (the timeout must be positive).
    testing::internal::CaptureStderr();
    EXPECT_EQ(parse({"--ws-timeout", "10"}).exit_code, 2);
    const auto message = testing::internal::GetCapturedStderr();
    EXPECT_NE(message.find(R"(time: missing unit in duration "10")"), std::string::npos) << message;
    EXPECT_NE(message.find("--ws-timeout"), std::string::npos) << message;
    for (const char* bad : {"0", "-5s", "10x", "", "1.5", "0s"}) {
        EXPECT_EQ(parse({"--ws-timeout", bad}).exit_code, 2) << bad;
    }
    EXPECT_EQ(parse({"--ws-timeout=90"}).exit_code, 2);
    EXPECT_EQ(parse({"--ws-timeout", "1m30s"}).config.ws_timeout, 90s);
    EXPECT_EQ(parse({"--ws-timeout", "1500ms"}).config.ws_timeout, 1500ms);
    EXPECT_EQ(parse({"--turn-credential-ttl", "3600"}).exit_code, 2);
}

TEST(Config, AScalarFlagGivenTwiceTakesTheLastValueAsKong) {
    auto twice = parse({"--ws-path", "/a", "--ws-timeout", "5s", "--ws-path", "/b",
                        "--ws-timeout=7s", "--cookie-samesite", "Lax", "--cookie-samesite=Strict"});
    ASSERT_FALSE(twice.exit_code);
    EXPECT_EQ(twice.config.ws_path, "/b");
    EXPECT_EQ(twice.config.ws_timeout, 7s);
    EXPECT_EQ(twice.config.cookie_samesite, "Strict");
    auto flags = parse({"--default-cors-allowed=false", "--default-cors-allowed", "--debug",
                        "--debug=false", "--cookie-secure", "--cookie-secure=false"});
    ASSERT_FALSE(flags.exit_code);
    EXPECT_TRUE(flags.config.default_cors_allowed);
    EXPECT_FALSE(flags.config.debug);
    EXPECT_FALSE(flags.config.cookie_secure);
    // List flags keep every value, repeated or comma separated.
    auto lists = parse({"--allowed-origin", "https://a.example", "--allowed-origin",
                        "https://b.example,https://c.example"});
    ASSERT_FALSE(lists.exit_code);
    EXPECT_EQ(
        lists.config.allowed_origins,
        (std::vector<std::string>{"https://a.example", "https://b.example", "https://c.example"}));
}
