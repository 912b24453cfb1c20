// Black-box checks of the server against the original's behaviour (PROTOCOL.md sections 1, 2
// and 9) where a client of the original could tell the difference.
#include "test_client.hpp"

#include <gtest/gtest.h>

using namespace tincan::test;

TEST(Conformance, NonCanonicalPathsAreRedirectedToTheirCleanFormAsGosServeMux) {
    // Go's ServeMux answers a path with `.`, `..` or empty segments with 301 to its clean form,
    // query kept, before any route sees it.
    TestServer server;
    const std::pair<const char*, const char*> cases[] = {
        {"/api//conns", "/api/conns"}, {"/api/./profile/status?x=1", "/api/profile/status?x=1"},
        {"/conns/../conns", "/conns"}, {"/api/conns/.", "/api/conns"},
        {"/api/x/../", "/api/"},
    };
    for (const auto& [path, location] : cases) {
        const auto res = http_get(server.port(), path);
        EXPECT_EQ(res.status, 301U) << path;
        EXPECT_EQ(res.headers.count("Location") ? res.headers.at("Location") : "", location)
            << path;
    }
    EXPECT_EQ(http_get(server.port(), "/api/conns").status, 200U);
}
