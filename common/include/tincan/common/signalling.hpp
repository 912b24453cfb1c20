#pragma once

// The signalling WebSocket envelope of spec/PROTOCOL.md section 1, shared by the server (which
// decodes client frames and encodes replies/broadcasts) and the agents (the reverse).

#include "tincan/common/protocol_error.hpp"

#include <boost/system/result.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tincan::common {

struct RegisterPayload {
    std::string node_name;
    std::optional<std::string> token; ///< echoed back, never interpreted
};

struct EchoPayload {
    std::string direction; ///< "ping" or "pong"
    std::string correlation_id;
    std::uint64_t server_timestamp = 0; ///< milliseconds, filled by the server in pongs
    std::uint64_t timestamp = 0;        ///< client clock, milliseconds
    std::uint64_t seq_id = 0;
};

struct Preference {
    std::optional<std::string> name;
    std::optional<std::int64_t> index_of_prefer_color; ///< wire name `indexOfPreferColor`
};

struct RenamePayload {
    Preference new_preference;
    std::optional<std::string> origin_node_name; ///< set by the server in broadcasts
};

struct NodeRef {
    std::string node_id;
};

struct SdpOfferPayload {
    std::string type;       ///< "offer" or "answer"
    std::string offer_json; ///< JSON text of an RTCSessionDescriptionInit
    std::string from_node_id;
    std::string to_node_id;
};

struct IceOfferPayload {
    std::string offer_json; ///< JSON text of an RTCIceCandidateInit
    std::string from_node_id;
    std::string to_node_id;
};

struct AttributesAnnouncement {
    std::map<std::string, std::string> attributes;
    std::vector<std::string> withdrawals;
};

/// Additive extension: why the server refused a frame. Original clients ignore the key.
struct ErrorPayload {
    std::string code; ///< error_name() of a ProtocolError
    std::string message;
};

/// One frame. Every key is optional; a frame may carry several.
struct Envelope {
    std::optional<std::string> node_id;
    std::optional<RegisterPayload> register_;
    std::optional<EchoPayload> echo;
    std::optional<AttributesAnnouncement> attributes_announcement;
    std::optional<RenamePayload> rename;
    std::optional<NodeRef> online;
    std::optional<NodeRef> offline; ///< extension: a registered node disconnected
    std::optional<SdpOfferPayload> sdp_offer;
    std::optional<IceOfferPayload> ice_offer;
    std::optional<ErrorPayload> error; ///< extension

    bool empty() const noexcept;
};

struct DecodeLimits {
    std::size_t max_depth = 16;
    /// Decode `offline` and `error`, which only our server sends. A server decoding a client's
    /// frame sets this to false: for it they are unknown keys, ignored whatever their type.
    bool server_extensions = true;
};

/// Decodes one text frame. Unknown keys are ignored; JSON null counts as absent (a frame that is
/// just `null` is an empty envelope); a known key with the wrong JSON type fails the whole frame
/// (as the original server does).
boost::system::result<Envelope> decode_envelope(std::string_view text,
                                                const DecodeLimits& limits = {});

/// Encodes a frame; keys in the order of the struct, absent ones omitted.
std::string encode_envelope(const Envelope& envelope);

/// Serialised JSON as Go's encoding/json writes it (HTML-safe): `<`, `>`, `&`, U+2028 and U+2029
/// as `\u003c`, `\u003e`, `\u0026`, `\u2028`, `\u2029`. They can only occur inside strings, so
/// the text keeps its meaning; the original server writes every JSON body and frame this way.
std::string go_json_escape_html(std::string_view json_text);

} // namespace tincan::common
