#include "tincan/common/dotenv.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace tincan::common {
namespace {

std::string_view trim(std::string_view s) {
    const auto* ws = " \t\r";
    const auto b = s.find_first_not_of(ws);
    if (b == std::string_view::npos) {
        return {};
    }
    const auto e = s.find_last_not_of(ws);
    return s.substr(b, e - b + 1);
}

std::string unquote_double(std::string_view v) {
    std::string out;
    for (size_t i = 0; i < v.size(); ++i) {
        if (v[i] == '\\' && i + 1 < v.size()) {
            const char n = v[++i];
            switch (n) {
            case 'n':
                out += '\n';
                break;
            case 'r':
                out += '\r';
                break;
            case 't':
                out += '\t';
                break;
            default:
                out += n;
                break;
            }
        } else {
            out += v[i];
        }
    }
    return out;
}

} // namespace

std::map<std::string, std::string> parse_dotenv(std::string_view text) {
    std::map<std::string, std::string> out;
    std::istringstream in{std::string(text)};
    std::string raw;
    while (std::getline(in, raw)) {
        auto line = trim(raw);
        if (line.empty() || line.front() == '#') {
            continue;
        }
        if (line.starts_with("export ")) {
            line = trim(line.substr(7));
        }
        const auto eq = line.find_first_of("=:");
        if (eq == std::string_view::npos) {
            continue;
        }
        const auto key = trim(line.substr(0, eq));
        auto value = trim(line.substr(eq + 1));
        if (key.empty()) {
            continue;
        }
        std::string parsed;
        if (value.size() >= 2 && value.front() == '"') {
            const auto close = value.find_last_of('"');
            parsed = unquote_double(value.substr(1, close > 0 ? close - 1 : 0));
        } else if (value.size() >= 2 && value.front() == '\'') {
            const auto close = value.find_last_of('\'');
            parsed = std::string(value.substr(1, close > 0 ? close - 1 : 0));
        } else {
            const auto hash = value.find(" #");
            parsed = std::string(trim(value.substr(0, hash)));
        }
        out[std::string(key)] = std::move(parsed);
    }
    return out;
}

bool load_dotenv(const std::string& path) {
    std::ifstream f(path);
    if (!f) {
        return false;
    }
    std::stringstream ss;
    ss << f.rdbuf();
    for (const auto& [k, v] : parse_dotenv(ss.str())) {
        ::setenv(k.c_str(), v.c_str(), 0);
    }
    return true;
}

} // namespace tincan::common
