#pragma once

// msgpatch orders (spec/PROTOCOL.md 4.9): binary messages on the `msgpatch` data channel that
// append to or replace the text of a chat message already sent.
//
//   offset 0      1 byte   kind (0 append, 1 replace)
//   offset 1      2 bytes  id length L, big-endian
//   offset 3      L bytes  target messageId, UTF-8
//   offset 3+L    2 bytes  value length V, big-endian
//   offset 5+L    V bytes  value, UTF-8

#include "tincan/common/protocol_error.hpp"

#include <boost/system/result.hpp>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tincan::common {

enum class PatchKind : std::uint8_t { append = 0, replace = 1 };

struct PatchOrder {
    PatchKind kind = PatchKind::append; ///< other values decode as-is (receivers ignore them)
    std::string message_id;
    std::string value;

    bool operator==(const PatchOrder&) const = default;
};

/// Largest encoded order (one data-channel message).
inline constexpr std::size_t max_patch_size = 64 * 1024;

/// Encodes one order; too_large if the id or value exceeds 65535 bytes or the whole order
/// exceeds max_patch_size (never truncates, unlike the original).
boost::system::result<std::vector<std::uint8_t>> encode_patch(const PatchOrder& order);

/// Decodes one order; missing_field for a truncated buffer, too_large for trailing bytes.
boost::system::result<PatchOrder> decode_patch(std::span<const std::uint8_t> data);

/// Splits `text` into pieces of at most `max_bytes` bytes without cutting a UTF-8 sequence.
std::vector<std::string> split_utf8(std::string_view text, std::size_t max_bytes);

} // namespace tincan::common
