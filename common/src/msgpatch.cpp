#include "tincan/common/msgpatch.hpp"

namespace tincan::common {
namespace {

void put_u16(std::vector<std::uint8_t>& out, std::size_t v) {
    out.push_back(static_cast<std::uint8_t>((v >> 8) & 0xff));
    out.push_back(static_cast<std::uint8_t>(v & 0xff));
}

} // namespace

boost::system::result<std::vector<std::uint8_t>> encode_patch(const PatchOrder& order) {
    const auto& id = order.message_id;
    const auto& value = order.value;
    if (id.size() > 0xffff || value.size() > 0xffff ||
        5 + id.size() + value.size() > max_patch_size) {
        return ProtocolError::too_large;
    }
    std::vector<std::uint8_t> out;
    out.reserve(5 + id.size() + value.size());
    out.push_back(static_cast<std::uint8_t>(order.kind));
    put_u16(out, id.size());
    out.insert(out.end(), id.begin(), id.end());
    put_u16(out, value.size());
    out.insert(out.end(), value.begin(), value.end());
    return out;
}

boost::system::result<PatchOrder> decode_patch(std::span<const std::uint8_t> data) {
    auto u16 = [&](std::size_t at) { return (std::size_t{data[at]} << 8) | data[at + 1]; };
    if (data.size() < 5) {
        return ProtocolError::missing_field;
    }
    PatchOrder order;
    order.kind = static_cast<PatchKind>(data[0]);
    const std::size_t id_len = u16(1);
    if (data.size() < 5 + id_len) {
        return ProtocolError::missing_field;
    }
    order.message_id.assign(reinterpret_cast<const char*>(data.data() + 3), id_len);
    const std::size_t value_len = u16(3 + id_len);
    const std::size_t end = 5 + id_len + value_len;
    if (data.size() < end) {
        return ProtocolError::missing_field;
    }
    if (data.size() > end) {
        return ProtocolError::too_large;
    }
    order.value.assign(reinterpret_cast<const char*>(data.data() + 5 + id_len), value_len);
    return order;
}

std::vector<std::string> split_utf8(std::string_view text, std::size_t max_bytes) {
    std::vector<std::string> parts;
    while (!text.empty()) {
        std::size_t n = std::min(text.size(), max_bytes);
        if (n < text.size()) {
            // Step back over continuation bytes (10xxxxxx) to a sequence start.
            while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xc0) == 0x80) {
                --n;
            }
            if (n == 0) {
                n = std::min(text.size(), max_bytes); // max_bytes smaller than one sequence
            }
        }
        parts.emplace_back(text.substr(0, n));
        text.remove_prefix(n);
    }
    return parts;
}

} // namespace tincan::common
