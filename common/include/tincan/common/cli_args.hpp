#pragma once

#include <string>
#include <vector>

namespace tincan::common {

/// The command line (without the program name) with every `--flag=` split into `--flag` and an
/// empty argument: the original's parser (kong) reads `--flag=` as an empty value (PROTOCOL.md
/// 6.1: "pass an empty value to skip"; 8.1: `--management-listen=` to disable the socket), CLI11
/// as a missing one, taking the next argument as the value instead. Arguments after `--` are
/// left alone.
std::vector<std::string> split_empty_values(int argc, const char* const* argv);

} // namespace tincan::common
