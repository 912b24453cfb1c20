#include "tincan/common/dotenv.hpp"

#include <gtest/gtest.h>

using tincan::common::parse_dotenv;

TEST(Dotenv, ParsesGodotenvSyntax) {
    const auto env = parse_dotenv("# comment\n"
                                  "PLAIN=value\n"
                                  "export EXPORTED=yes\n"
                                  "SPACED = padded   \n"
                                  "DOUBLE=\"line\\nbreak \\\"q\\\"\"\n"
                                  "SINGLE='lit\\n'\n"
                                  "INLINE=abc # trailing comment\n"
                                  "EMPTY=\n"
                                  "garbage line without equals\n");
    EXPECT_EQ(env.at("PLAIN"), "value");
    EXPECT_EQ(env.at("EXPORTED"), "yes");
    EXPECT_EQ(env.at("SPACED"), "padded");
    EXPECT_EQ(env.at("DOUBLE"), "line\nbreak \"q\"");
    EXPECT_EQ(env.at("SINGLE"), "lit\\n");
    EXPECT_EQ(env.at("INLINE"), "abc");
    EXPECT_EQ(env.at("EMPTY"), "");
    EXPECT_EQ(env.size(), 7U);
}

TEST(Dotenv, ExistingEnvironmentWins) {
    const std::string path = ::testing::TempDir() + "/tincan-dotenv-test.env";
    {
        FILE* f = std::fopen(path.c_str(), "w");
        ASSERT_NE(f, nullptr);
        std::fputs("TINCAN_DOTENV_A=from-file\nTINCAN_DOTENV_B=from-file\n", f);
        std::fclose(f);
    }
    ::setenv("TINCAN_DOTENV_A", "from-env", 1);
    ::unsetenv("TINCAN_DOTENV_B");
    ASSERT_TRUE(tincan::common::load_dotenv(path));
    EXPECT_STREQ(std::getenv("TINCAN_DOTENV_A"), "from-env");
    EXPECT_STREQ(std::getenv("TINCAN_DOTENV_B"), "from-file");
    EXPECT_FALSE(tincan::common::load_dotenv(path + ".missing"));
}
