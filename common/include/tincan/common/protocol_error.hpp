#pragma once

#include <boost/system/error_code.hpp>
#include <string_view>
#include <type_traits>

namespace tincan::common {

/// Why a wire message was refused. The names (error_name) appear in error replies, logs and
/// metrics, and in the shared fixtures under tests/fixtures/protocol.
enum class ProtocolError {
    malformed_json = 1, ///< not parseable as JSON (or nested too deeply)
    not_an_object,      ///< valid JSON, but not an object where one is required
    wrong_type,         ///< a known field has the wrong JSON type (e.g. negative seq_id)
    invalid_value,      ///< right type, value refused (e.g. colour index 12, control characters)
    too_large,          ///< a field or the whole message exceeds its size limit
    missing_field,      ///< a required field is absent
    not_registered,     ///< the message needs a registered connection
    unknown_peer,       ///< the target node id is not connected
    rate_limited,       ///< too many messages per second
    name_taken,         ///< the name belongs to a signed-in account
};

const boost::system::error_category& protocol_category() noexcept;

inline boost::system::error_code make_error_code(ProtocolError e) noexcept {
    return {static_cast<int>(e), protocol_category()};
}

/// Stable snake_case name of an error, e.g. "wrong_type".
std::string_view error_name(ProtocolError e) noexcept;

} // namespace tincan::common

template <>
struct boost::system::is_error_code_enum<tincan::common::ProtocolError> : std::true_type {};
