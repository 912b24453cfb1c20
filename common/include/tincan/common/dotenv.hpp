#pragma once

#include <map>
#include <string>
#include <string_view>

namespace tincan::common {

/// Parses the text of a .env file with godotenv semantics: `KEY=VALUE` lines, optional
/// `export ` prefix, `#` comments, single quotes (literal), double quotes (with escapes:
/// newline, quote, backslash), unquoted values trimmed and cut at ` #`.
std::map<std::string, std::string> parse_dotenv(std::string_view text);

/// Loads a .env file into the process environment; variables already set win.
/// Returns false when the file does not exist or cannot be read.
bool load_dotenv(const std::string& path);

} // namespace tincan::common
