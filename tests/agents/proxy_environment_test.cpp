// Which proxy the signalling dial uses: Go's http.ProxyFromEnvironment, as the original's
// gorilla/websocket dialer (PROTOCOL.md 1.7, 8.2), with ws read as http and wss as https.

#include "signalling/proxy_environment.hpp"

#include <gtest/gtest.h>

namespace tincan::agents::test {
namespace {

ProxyEnvironment env(std::string no_proxy = {}) {
    ProxyEnvironment e;
    e.http_proxy = "http://proxy.example:3128";
    e.https_proxy = "proxy.example:8443"; // no scheme: http://
    e.no_proxy = std::move(no_proxy);
    return e;
}

TEST(ProxyEnvironment, WsUsesHttpProxyAndWssHttpsProxy) {
    EXPECT_EQ(proxy_for_url(env(), "ws://chat.example/ws"), "http://proxy.example:3128");
    EXPECT_EQ(proxy_for_url(env(), "wss://chat.example/ws"), "http://proxy.example:8443");
    EXPECT_EQ(proxy_for_url(env(), "https://chat.example/api/ice-servers"),
              "http://proxy.example:8443");
    ProxyEnvironment only_https = env();
    only_https.http_proxy.clear();
    EXPECT_EQ(proxy_for_url(only_https, "ws://chat.example/ws"), "");
}

TEST(ProxyEnvironment, LoopbackIsAlwaysDirect) {
    for (const auto* url : {"ws://localhost:3001/ws", "ws://127.0.0.1/ws", "ws://127.8.9.1/ws",
                            "wss://[::1]:3001/ws", "ws://LOCALHOST/ws"}) {
        EXPECT_EQ(proxy_for_url(env(), url), "") << url;
    }
}

TEST(ProxyEnvironment, NoProxyFollowsGosRules) {
    // A name matches itself and its subdomains; a leading dot or `*.` only subdomains.
    EXPECT_EQ(proxy_for_url(env("example.org, chat.example"), "ws://chat.example/ws"), "");
    EXPECT_EQ(proxy_for_url(env("chat.example"), "ws://a.chat.example/ws"), "");
    EXPECT_NE(proxy_for_url(env("chat.example"), "ws://notchat.example/ws"), "");
    EXPECT_NE(proxy_for_url(env(".chat.example"), "ws://chat.example/ws"), "");
    EXPECT_EQ(proxy_for_url(env(".chat.example"), "ws://a.chat.example/ws"), "");
    EXPECT_EQ(proxy_for_url(env("*.chat.example"), "ws://a.chat.example/ws"), "");
    EXPECT_EQ(proxy_for_url(env("CHAT.Example"), "ws://chat.EXAMPLE/ws"), "");
    // A port must match too (the URL's default port counts).
    EXPECT_EQ(proxy_for_url(env("chat.example:80"), "ws://chat.example/ws"), "");
    EXPECT_NE(proxy_for_url(env("chat.example:80"), "wss://chat.example/ws"), "");
    EXPECT_EQ(proxy_for_url(env("chat.example:3001"), "ws://chat.example:3001/ws"), "");
    // Addresses and ranges.
    EXPECT_EQ(proxy_for_url(env("10.1.2.3"), "ws://10.1.2.3:3001/ws"), "");
    EXPECT_EQ(proxy_for_url(env("10.0.0.0/8"), "ws://10.1.2.3/ws"), "");
    EXPECT_NE(proxy_for_url(env("10.0.0.0/8"), "ws://11.1.2.3/ws"), "");
    EXPECT_EQ(proxy_for_url(env("fd00::/8"), "ws://[fd00::5]/ws"), "");
    EXPECT_EQ(proxy_for_url(env("[fd00::5]:80"), "ws://[fd00::5]/ws"), "");
    // Everything.
    EXPECT_EQ(proxy_for_url(env("*"), "wss://chat.example/ws"), "");
}

TEST(ProxyEnvironment, HttpProxyIsIgnoredUnderCgi) {
    ProxyEnvironment e = env();
    e.cgi = true; // REQUEST_METHOD set: HTTP_PROXY may come from a request header (httpoxy)
    EXPECT_EQ(proxy_for_url(e, "ws://chat.example/ws"), "");
    EXPECT_EQ(proxy_for_url(e, "wss://chat.example/ws"), "http://proxy.example:8443");
}

} // namespace
} // namespace tincan::agents::test
