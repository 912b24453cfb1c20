#include "tincan/common/protocol_error.hpp"

#include <string>

namespace tincan::common {

std::string_view error_name(ProtocolError e) noexcept {
    switch (e) {
    case ProtocolError::malformed_json:
        return "malformed_json";
    case ProtocolError::not_an_object:
        return "not_an_object";
    case ProtocolError::wrong_type:
        return "wrong_type";
    case ProtocolError::invalid_value:
        return "invalid_value";
    case ProtocolError::too_large:
        return "too_large";
    case ProtocolError::missing_field:
        return "missing_field";
    case ProtocolError::not_registered:
        return "not_registered";
    case ProtocolError::unknown_peer:
        return "unknown_peer";
    case ProtocolError::rate_limited:
        return "rate_limited";
    case ProtocolError::name_taken:
        return "name_taken";
    }
    return "unknown";
}

namespace {
class ProtocolCategory final : public boost::system::error_category {
public:
    const char* name() const noexcept override { return "tincan.protocol"; }
    std::string message(int ev) const override {
        return std::string(error_name(static_cast<ProtocolError>(ev)));
    }
};
} // namespace

const boost::system::error_category& protocol_category() noexcept {
    static const ProtocolCategory category;
    return category;
}

} // namespace tincan::common
