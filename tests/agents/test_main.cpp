#include <gst/gst.h>
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <cstdlib>

int main(int argc, char** argv) {
    ::testing::InitGoogleTest(&argc, argv);
    gst_init(&argc, &argv);
    const char* level = std::getenv("TINCAN_LOG_LEVEL");
    spdlog::set_level(spdlog::level::from_str(level != nullptr ? level : "warn"));
    return RUN_ALL_TESTS();
}
