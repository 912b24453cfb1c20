#include "http/origin.hpp"

#include <gtest/gtest.h>

using tincan::server::origin_allowed;

TEST(Origin, Rules) {
    const std::vector<std::string> allowed{"https://chat.example.org"};
    EXPECT_TRUE(origin_allowed("", false, "h:1", allowed, true));
    EXPECT_FALSE(origin_allowed("", false, "h:1", allowed, false));
    EXPECT_TRUE(origin_allowed("", true, "h:1", allowed, true)); // `Origin:` empty = absent
    EXPECT_FALSE(origin_allowed("", true, "h:1", allowed, false));
    EXPECT_TRUE(origin_allowed("https://chat.example.org", true, "other", allowed, true));
    EXPECT_FALSE(origin_allowed("https://chat.example.org/", true, "other", allowed, true));
    EXPECT_TRUE(origin_allowed("http://127.0.0.1:3001", true, "127.0.0.1:3001", allowed, true));
    EXPECT_TRUE(origin_allowed("https://Chat.Host", true, "chat.host", allowed, true));
    EXPECT_FALSE(origin_allowed("http://127.0.0.1:3002", true, "127.0.0.1:3001", allowed, true));
    EXPECT_FALSE(origin_allowed("null", true, "127.0.0.1:3001", allowed, true));
    EXPECT_FALSE(origin_allowed("ftp://127.0.0.1:3001", true, "127.0.0.1:3001", allowed, true));
    EXPECT_FALSE(origin_allowed("http://127.0.0.1:3001", true, "", allowed, true));
}
