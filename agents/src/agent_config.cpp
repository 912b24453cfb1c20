#include "agent_config.hpp"

#include <cstdlib>

namespace tincan::agents {

std::optional<std::chrono::milliseconds> parse_duration(const std::string& text) {
    if (text.empty()) {
        return std::nullopt;
    }
    char* end = nullptr;
    const double value = std::strtod(text.c_str(), &end);
    if (end == text.c_str() || value < 0) {
        return std::nullopt;
    }
    const std::string unit(end);
    double ms = 0;
    if (unit.empty() || unit == "s") {
        ms = value * 1000;
    } else if (unit == "ms") {
        ms = value;
    } else if (unit == "m") {
        ms = value * 60000;
    } else if (unit == "h") {
        ms = value * 3600000;
    } else {
        return std::nullopt;
    }
    return std::chrono::milliseconds(static_cast<long long>(ms));
}

} // namespace tincan::agents
