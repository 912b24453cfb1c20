#include "config.hpp"
#include "server.hpp"
#include "tincan/common/dotenv.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

int main(int argc, char** argv) {
    tincan::common::load_dotenv(".env");
    auto parsed = tincan::server::parse_config(argc, argv);
    if (parsed.exit_code) {
        return *parsed.exit_code;
    }
    auto logger = spdlog::stderr_color_mt("server");
    spdlog::set_default_logger(logger);
    spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e%z %^%l%$ [%n] %v");
    spdlog::set_level(spdlog::level::from_str(parsed.config.log_level));

    tincan::server::Server server(std::move(parsed.config));
    if (!server.start()) {
        return 1;
    }
    server.run();
    spdlog::info("stopped");
    return 0;
}
