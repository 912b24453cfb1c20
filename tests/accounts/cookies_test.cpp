// Session cookie flags (issue 5 item 5) and the post-login redirect policy (no open redirect).

#include "auth/cookies.hpp"

#include <gtest/gtest.h>

namespace tincan::server {
namespace {

TEST(Cookie, HttpOnlyAlwaysAndOptionalFlags) {
    EXPECT_EQ(build_session_cookie({}, "abc", 60), "session_id=abc; Max-Age=60; Path=/; HttpOnly");
    EXPECT_EQ(build_session_cookie({"chat.example", "Lax", true}, "abc", 60),
              "session_id=abc; Max-Age=60; Path=/; HttpOnly; Domain=chat.example; SameSite=Lax; "
              "Secure");
    EXPECT_EQ(build_session_cookie({"", "Strict", false}, "abc", 60),
              "session_id=abc; Max-Age=60; Path=/; HttpOnly; SameSite=Strict");
}

TEST(Cookie, SameSiteNoneForcesSecureAndUnknownValuesIgnored) {
    EXPECT_EQ(build_session_cookie({"", "None", false}, "abc", 60),
              "session_id=abc; Max-Age=60; Path=/; HttpOnly; SameSite=None; Secure");
    EXPECT_EQ(build_session_cookie({"", "lax; Domain=evil", false}, "abc", 60),
              "session_id=abc; Max-Age=60; Path=/; HttpOnly");
}

TEST(Cookie, ClearingCookieExpiresImmediately) {
    EXPECT_EQ(build_clearing_cookie({}), "session_id=; Max-Age=0; Path=/; HttpOnly");
}

TEST(Cookie, FindCookie) {
    EXPECT_EQ(find_cookie("a=1; session_id=xyz; b=2", "session_id"), "xyz");
    EXPECT_EQ(find_cookie("session_id=\"q\"", "session_id"), "q");
    EXPECT_EQ(find_cookie("xsession_id=1", "session_id"), std::nullopt);
    EXPECT_EQ(find_cookie("", "session_id"), std::nullopt);
    EXPECT_EQ(find_cookie("garbage;;=;", "session_id"), std::nullopt);
}

TEST(Redirect, OnlyTheConfiguredSite) {
    RedirectPolicy p("https://chat.example/app/");
    EXPECT_EQ(p.resolve(""), "https://chat.example/app/");
    EXPECT_EQ(p.resolve("/rooms?x=1"), "https://chat.example/rooms?x=1");
    EXPECT_EQ(p.resolve("https://chat.example/other"), "https://chat.example/other");
    EXPECT_EQ(p.resolve("https://CHAT.example:443/x"), "https://CHAT.example:443/x");
    for (std::string bad :
         {"https://evil.example/", "//evil.example/", "/\\evil.example", "\\\\evil.example",
          "http://chat.example/", "https://chat.example.evil.example/",
          "https://chat.example@evil.example/", "https://evil.example@chat.example/",
          "javascript:alert(1)", "data:text/html,hi", "https://chat.example:8443/",
          "/x\r\nSet-Cookie: a=b", "chat.example/x", "https:evil.example", "/%0d%0aX"}) {
        auto r = p.resolve(bad);
        if (bad == "/%0d%0aX") {
            // Percent-encoded CRLF stays encoded in a path on our own origin: harmless.
            EXPECT_EQ(r, "https://chat.example/%0d%0aX");
            continue;
        }
        EXPECT_FALSE(r) << bad;
    }
}

TEST(Redirect, ASuccessPathMeansPathsOnThisServer) {
    RedirectPolicy p("/");
    EXPECT_EQ(p.resolve(""), "/");
    EXPECT_EQ(p.resolve("/rooms?x=1"), "/rooms?x=1");
    for (std::string bad : {"https://evil.example/", "//evil.example/", "/\\evil.example",
                            "http://127.0.0.1/", "/x\r\nSet-Cookie: a=b", "javascript:alert(1)"}) {
        EXPECT_FALSE(p.resolve(bad)) << bad;
    }
}

TEST(Redirect, NothingAllowedWithoutConfiguredSite) {
    RedirectPolicy p("");
    EXPECT_EQ(p.resolve(""), "");
    EXPECT_FALSE(p.resolve("/x"));
}

} // namespace
} // namespace tincan::server
