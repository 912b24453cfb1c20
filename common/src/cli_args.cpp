#include "tincan/common/cli_args.hpp"

namespace tincan::common {

std::vector<std::string> split_empty_values(int argc, const char* const* argv) {
    std::vector<std::string> args;
    bool options = true;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg == "--") {
            options = false;
        }
        if (options && arg.size() > 3 && arg.starts_with("--") && arg.find('=') == arg.size() - 1) {
            arg.pop_back();
            args.push_back(std::move(arg));
            args.emplace_back();
            continue;
        }
        args.push_back(std::move(arg));
    }
    return args;
}

} // namespace tincan::common
