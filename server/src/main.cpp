#include "config.hpp"
#include "server.hpp"
#include "tincan/common/dotenv.hpp"
#ifdef TINCAN_WITH_ACCOUNTS
#include "auth/accounts_extension.hpp"
#endif

#include <fstream>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>

namespace {

// Go programs, the original server among them, raise their soft open-file limit to the hard limit
// at start. Under the usual soft limit of 1024 the server would otherwise stop accepting at about
// a thousand connections, far below --max-connections.
void raise_open_file_limit() {
    rlimit lim{};
    if (::getrlimit(RLIMIT_NOFILE, &lim) != 0 || lim.rlim_cur == lim.rlim_max) {
        return;
    }
    const auto before = lim.rlim_cur;
    lim.rlim_cur = lim.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &lim) != 0) {
        // An unlimited hard limit: the kernel's ceiling is fs.nr_open.
        rlim_t nr_open = 0;
        std::ifstream("/proc/sys/fs/nr_open") >> nr_open;
        lim.rlim_cur = nr_open;
        if (nr_open <= before || ::setrlimit(RLIMIT_NOFILE, &lim) != 0) {
            spdlog::warn("open file limit stays at {}", before);
            return;
        }
    }
    spdlog::debug("open file limit raised from {} to {}", before, lim.rlim_cur);
}

} // namespace

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
    raise_open_file_limit();

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
