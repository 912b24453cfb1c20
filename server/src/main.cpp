#include "config.hpp"
#include "server.hpp"
#include "tincan/common/dotenv.hpp"
#ifdef TINCAN_WITH_ACCOUNTS
#include "auth/accounts_extension.hpp"
#endif

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

#ifdef TINCAN_WITH_ACCOUNTS
    auto accounts = tincan::server::make_accounts_extension(parsed.config);
    if (!accounts) {
        spdlog::error("{}", accounts.error().message);
        return 2;
    }
#endif
    tincan::server::Server server(std::move(parsed.config));
#ifdef TINCAN_WITH_ACCOUNTS
    server.add_extension(std::move(*accounts));
#endif
    if (!server.start()) {
        return 1;
    }
    server.run();
    spdlog::info("stopped");
    return 0;
}
