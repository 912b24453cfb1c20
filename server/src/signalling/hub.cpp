#include "hub.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <boost/uuid/random_generator.hpp>
#include <boost/uuid/uuid_io.hpp>
#include <cstdio>
#include <spdlog/spdlog.h>

namespace tincan::server {

namespace json = boost::json;
using common::Envelope;
using common::ProtocolError;

std::string_view auth_kind_name(AuthKind kind) noexcept {
    switch (kind) {
    case AuthKind::jwt:
        return "jwt";
    case AuthKind::session:
        return "session";
    case AuthKind::none:
        break;
    }
    return "none";
}

namespace {

// Frames are HTML-safe and end with a newline, as the original's JSON encoder writes them
// (PROTOCOL.md 1.1).
std::string server_text(const Envelope& env) {
    return common::go_json_escape_html(common::encode_envelope(env)) + '\n';
}

Frame make_frame(const Envelope& env) {
    return std::make_shared<const std::string>(server_text(env));
}

bool has_control_chars(std::string_view s) {
    for (const unsigned char c : s) {
        if (c < 0x20 || c == 0x7f) {
            return true;
        }
    }
    return false;
}

bool is_json_object_text(std::string_view text) {
    boost::system::error_code ec;
    json::parse_options opts;
    opts.max_depth = 8;
    const auto v = json::parse(text, ec, {}, opts);
    return !ec && v.is_object();
}

std::string decode_failure_message(ProtocolError code) {
    switch (code) {
    case ProtocolError::malformed_json:
        return "frame is not valid JSON";
    case ProtocolError::not_an_object:
        return "frame is not a JSON object";
    case ProtocolError::wrong_type:
        return "a known key has the wrong JSON type";
    default:
        return "frame refused";
    }
}

std::string uuid4() {
    thread_local boost::uuids::random_generator gen;
    return boost::uuids::to_string(gen());
}

} // namespace

Hub::Hub(HubLimits limits, Metrics& metrics, Clock clock)
    : limits_(limits), metrics_(metrics), clock_(std::move(clock)) {
    if (!clock_) {
        clock_ = [] { return std::chrono::system_clock::now(); };
    }
}

std::int64_t Hub::now_seconds() const {
    return std::chrono::duration_cast<std::chrono::seconds>(clock_().time_since_epoch()).count();
}

std::uint64_t Hub::now_millis() const {
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(clock_().time_since_epoch()).count());
}

std::string Hub::connect(std::weak_ptr<PeerSink> sink, Identity identity) {
    std::string id = uuid4();
    Node node;
    node.sink = std::move(sink);
    node.identity = std::move(identity);
    node.seq = next_seq_++;
    node.connected_at = now_seconds();
    nodes_.emplace(id, std::move(node));
    return id;
}

void Hub::disconnect(const std::string& node_id) {
    const auto it = nodes_.find(node_id);
    if (it == nodes_.end() || it->second.leaving) {
        return;
    }
    if (dispatching_ > 0) {
        // Called back from a sink while the hub iterates its nodes or still uses this one:
        // silence it now, remove it when the outermost call ends.
        it->second.leaving = true;
        it->second.sink.reset();
        leaving_.push_back(node_id);
        return;
    }
    const Dispatch dispatch(*this);
    remove(node_id);
}

void Hub::end_dispatch() {
    if (dispatching_ == 1) {
        // Still counted as dispatching: leaves caused by the offline broadcasts queue up behind.
        for (std::size_t i = 0; i < leaving_.size(); ++i) {
            const auto id = leaving_[i];
            remove(id);
        }
        leaving_.clear();
    }
    --dispatching_;
}

void Hub::remove(const std::string& node_id) {
    const auto it = nodes_.find(node_id);
    if (it == nodes_.end()) {
        return;
    }
    const bool was_registered = it->second.registered;
    nodes_.erase(it);
    if (was_registered) {
        --registered_;
        metrics_.set_registered(static_cast<std::int64_t>(registered_));
        Envelope env;
        env.offline = common::NodeRef{node_id};
        broadcast(make_frame(env));
    }
}

std::optional<std::string> Hub::node_name(const std::string& node_id) const {
    const auto it = nodes_.find(node_id);
    if (it == nodes_.end() || !it->second.registered) {
        return std::nullopt;
    }
    return it->second.name;
}

void Hub::send(const Node& node, const Frame& frame) {
    if (auto sink = node.sink.lock()) {
        sink->deliver(frame);
    }
}

void Hub::broadcast(const Frame& frame) {
    // Each sink queues the frame; a failing or slow peer is closed by its own session and can
    // never stop delivery to the others.
    for (const auto& [id, node] : nodes_) {
        if (node.registered && !node.leaving) {
            send(node, frame);
        }
    }
}

void Hub::send_error(const std::string& node_id, std::string_view code, std::string_view message) {
    const Dispatch dispatch(*this);
    const auto it = nodes_.find(node_id);
    if (it == nodes_.end()) {
        return;
    }
    Envelope env;
    env.error = common::ErrorPayload{std::string(code), std::string(message)};
    send(it->second, make_frame(env));
}

boost::system::error_code Hub::handle_text(const std::string& node_id, std::string_view text) {
    const Dispatch dispatch(*this);
    const auto it = nodes_.find(node_id);
    if (it == nodes_.end()) {
        return make_error_code(ProtocolError::unknown_peer);
    }
    Node& node = it->second;
    // `offline` and `error` are ours, server to client only: in a client's frame they are
    // unknown keys, ignored as the original ignores unknown keys.
    common::DecodeLimits limits;
    limits.server_extensions = false;
    auto decoded = common::decode_envelope(text, limits);
    if (!decoded) {
        // A known key of the wrong JSON type drops the whole frame, as in the original.
        const auto code = static_cast<ProtocolError>(decoded.error().value());
        report(node_id, {code, decode_failure_message(code)}, "");
        return make_error_code(code);
    }
    auto refusal = drop_invalid(node_id, node, *decoded);
    apply(node_id, node, *decoded);
    return refusal ? make_error_code(refusal->code) : boost::system::error_code{};
}

void Hub::report(const std::string& node_id, const Refusal& r, std::string_view outcome) {
    const auto name = common::error_name(r.code);
    metrics_.rejected(name);
    spdlog::warn("frame refused node={} reason={} detail=\"{}{}\"", node_id, name, r.message,
                 outcome);
    send_error(node_id, name, r.message + std::string(outcome));
}

std::optional<Hub::Refusal> Hub::validate_name(std::string_view name, const Node& node) const {
    if (name.size() > limits_.max_name_bytes) {
        return Refusal{ProtocolError::too_large,
                       "name is longer than " + std::to_string(limits_.max_name_bytes) + " bytes"};
    }
    if (has_control_chars(name)) {
        return Refusal{ProtocolError::invalid_value, "name contains control characters"};
    }
    if (!name.empty() && name_policy_ && !name_policy_(name, node.identity)) {
        return Refusal{ProtocolError::name_taken, "name belongs to a signed-in account"};
    }
    return std::nullopt;
}

std::optional<Hub::Refusal> Hub::drop_bad_attributes(common::AttributesAnnouncement& a) const {
    std::optional<Refusal> first;
    for (auto it = a.attributes.begin(); it != a.attributes.end();) {
        const auto& [k, v] = *it;
        std::optional<Refusal> r;
        if (k.empty() || k.size() > limits_.max_attribute_key_bytes || has_control_chars(k)) {
            r = Refusal{ProtocolError::invalid_value,
                        "attribute key is empty, too long or contains control characters"};
        } else if (v.size() > limits_.max_attribute_value_bytes) {
            r = Refusal{ProtocolError::too_large, "attribute value of '" + k + "' is too long"};
        } else if (k == "preferred_color" &&
                   !(v.size() == 1 && v[0] >= '0' && v[0] < '0' + limits_.color_count)) {
            r = Refusal{ProtocolError::invalid_value,
                        "preferred_color must be a decimal index 0.." +
                            std::to_string(limits_.color_count - 1)};
        }
        if (!r) {
            ++it;
            continue;
        }
        if (!first) {
            first = std::move(r);
        }
        it = a.attributes.erase(it);
    }
    return first;
}

std::optional<Hub::Refusal>
Hub::check_attribute_count(const Node& node, const common::AttributesAnnouncement& a) const {
    auto merged = node.attributes;
    for (const auto& w : a.withdrawals) {
        merged.erase(w);
    }
    for (const auto& [k, v] : a.attributes) {
        merged[k] = v;
    }
    if (merged.size() > limits_.max_attributes) {
        return Refusal{ProtocolError::too_large,
                       "more than " + std::to_string(limits_.max_attributes) + " attributes"};
    }
    return std::nullopt;
}

std::optional<Hub::Refusal> Hub::drop_invalid(const std::string& id, Node& node, Envelope& env) {
    // Each key stands on its own: a bad one is reported and left out, the others still apply
    // (an original client sends register and attributes in one frame and never retries).
    std::optional<Refusal> first;
    // A bad part of a key is reported and left out, the rest of the key still applies.
    const auto refuse_part = [&](Refusal r, std::string_view outcome) {
        report(id, r, outcome);
        if (!first) {
            first = std::move(r);
        }
    };
    const auto refuse = [&](auto& member, Refusal r) {
        member.reset();
        refuse_part(std::move(r), "; ignored");
    };
    // Each rename and each registration of an already registered connection is broadcast to
    // everyone: a connection gets a bounded number of them.
    const auto announce_limited = [&](auto& member, std::string_view what) {
        if (member && (what == "rename" || node.registered) && !take_announce(node)) {
            refuse(member, {ProtocolError::rate_limited,
                            "too many renames and registrations: " + std::string(what) +
                                " refused, at most " +
                                fmt::format("{:g}", limits_.announces_per_sec) + " a second"});
        }
    };
    announce_limited(env.register_, "register");
    announce_limited(env.rename, "rename");
    if (env.register_) {
        // A name the server cannot take does not cost the registration: the connection is told
        // why and registers under its assigned name (an account's own name when signed in).
        if (auto r = validate_name(env.register_->node_name, node)) {
            report(id, *r, "; registered under an assigned name instead");
            env.register_->node_name.clear();
        }
        if (env.register_->token && env.register_->token->size() > limits_.max_token_bytes) {
            report(id, {ProtocolError::too_large, "register token is too long"}, "; token dropped");
            env.register_->token.reset();
        }
    }
    const bool registered = node.registered || env.register_.has_value();
    if (env.attributes_announcement) {
        // A bad attribute does not cost the good ones beside it (an original client announces
        // `support_attachment` with its colour, once).
        if (auto r = drop_bad_attributes(*env.attributes_announcement)) {
            refuse_part(std::move(*r), "; that attribute ignored, the others applied");
        }
        if (auto r = check_attribute_count(node, *env.attributes_announcement)) {
            refuse(env.attributes_announcement, std::move(*r));
        }
    }
    if (env.rename) {
        const auto& pref = env.rename->new_preference;
        if (!registered) {
            refuse(env.rename,
                   {ProtocolError::not_registered, "rename needs a registered connection"});
        } else if (auto r = validate_name(pref.name.value_or(""), node)) {
            refuse(env.rename, std::move(*r));
        } else if (pref.index_of_prefer_color &&
                   (*pref.index_of_prefer_color < 0 ||
                    *pref.index_of_prefer_color >= limits_.color_count)) {
            // The new name still applies; the colour is left out of the node and the broadcast.
            env.rename->new_preference.index_of_prefer_color.reset();
            refuse_part({ProtocolError::invalid_value, "indexOfPreferColor must be 0.." +
                                                           std::to_string(limits_.color_count - 1)},
                        "; colour ignored, the name applied");
        }
    }
    auto check_relay = [&](std::string_view key, const std::string& to,
                           const std::string& offer_json) -> std::optional<Refusal> {
        if (!registered) {
            return Refusal{ProtocolError::not_registered,
                           std::string(key) + " needs a registered connection"};
        }
        if (to.empty()) {
            return Refusal{ProtocolError::missing_field, std::string(key) + ".to_node_id is empty"};
        }
        if (!is_json_object_text(offer_json)) {
            return Refusal{ProtocolError::invalid_value,
                           std::string(key) + ".offer_json is not the text of a JSON object"};
        }
        return std::nullopt;
    };
    if (env.sdp_offer) {
        if (env.sdp_offer->type != "offer" && env.sdp_offer->type != "answer") {
            refuse(env.sdp_offer, {ProtocolError::invalid_value,
                                   "sdp_offer.type must be \"offer\" or \"answer\""});
        } else if (auto r = check_relay("sdp_offer", env.sdp_offer->to_node_id,
                                        env.sdp_offer->offer_json)) {
            refuse(env.sdp_offer, std::move(*r));
        }
    }
    if (env.ice_offer) {
        if (auto r =
                check_relay("ice_offer", env.ice_offer->to_node_id, env.ice_offer->offer_json)) {
            refuse(env.ice_offer, std::move(*r));
        }
    }
    return first;
}

std::string Hub::default_name(const Node& node) const {
    if (!node.identity.username.empty()) {
        return node.identity.username;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, "user%04llu", static_cast<unsigned long long>(node.seq));
    std::string name = buf;
    // An account may be called "user0042": an anonymous default must not impersonate it.
    if (name_policy_ && !name_policy_(name, node.identity)) {
        name += "-guest";
    }
    return name;
}

void Hub::apply(const std::string& id, Node& node, const Envelope& env) {
    // The original's fixed order: register, echo, attributes_announcement, rename, relays.
    if (env.register_) {
        on_register(id, node, env);
    }
    if (env.echo) {
        on_echo(id, node, env);
    }
    if (env.attributes_announcement) {
        for (const auto& w : env.attributes_announcement->withdrawals) {
            node.attributes.erase(w);
        }
        for (const auto& [k, v] : env.attributes_announcement->attributes) {
            node.attributes[k] = v;
        }
    }
    if (env.rename) {
        on_rename(id, node, env);
    }
    if (env.sdp_offer) {
        Envelope out;
        out.sdp_offer = *env.sdp_offer;
        out.sdp_offer->from_node_id = id; // never trust the client's claim
        relay(id, env.sdp_offer->to_node_id, "sdp_offer", server_text(out));
    }
    if (env.ice_offer) {
        Envelope out;
        out.ice_offer = *env.ice_offer;
        out.ice_offer->from_node_id = id;
        relay(id, env.ice_offer->to_node_id, "ice_offer", server_text(out));
    }
}

void Hub::on_register(const std::string& id, Node& node, const Envelope& env) {
    node.name = env.register_->node_name.empty() ? default_name(node) : env.register_->node_name;
    node.registered_at = now_seconds();
    if (!node.registered) {
        node.registered = true;
        ++registered_;
        metrics_.set_registered(static_cast<std::int64_t>(registered_));
    }
    spdlog::info("node registered node={} name=\"{}\" auth={}", id, node.name,
                 auth_kind_name(node.identity.kind));
    Envelope online;
    online.online = common::NodeRef{id};
    broadcast(make_frame(online)); // includes the new node, as the original does
    Envelope reply;
    reply.node_id = id;
    reply.register_ = common::RegisterPayload{node.name, env.register_->token};
    send(node, make_frame(reply));
}

void Hub::on_echo(const std::string& id, Node& node, const Envelope& env) {
    if (env.echo->direction != "ping") {
        return;
    }
    node.last_heartbeat = now_seconds();
    Envelope pong;
    pong.node_id = id;
    pong.echo = *env.echo;
    pong.echo->direction = "pong";
    pong.echo->server_timestamp = now_millis();
    send(node, make_frame(pong));
}

bool Hub::take_announce(Node& node) {
    const auto now = now_millis();
    if (node.announce_tokens < 0) {
        node.announce_tokens = limits_.announce_burst;
    } else {
        const double elapsed = static_cast<double>(now - node.announce_at) / 1000.0;
        node.announce_tokens = std::min(limits_.announce_burst,
                                        node.announce_tokens + elapsed * limits_.announces_per_sec);
    }
    node.announce_at = now;
    if (node.announce_tokens < 1) {
        return false;
    }
    node.announce_tokens -= 1;
    return true;
}

void Hub::on_rename(const std::string& id, Node& node, const Envelope& env) {
    const auto& pref = env.rename->new_preference;
    const std::string previous = node.name;
    node.name = pref.name.value_or("").empty() ? default_name(node) : *pref.name;
    if (pref.index_of_prefer_color) {
        node.attributes["preferred_color"] = std::to_string(*pref.index_of_prefer_color);
    }
    spdlog::info("node renamed node={} from=\"{}\" to=\"{}\"", id, previous, node.name);
    Envelope out;
    out.rename = common::RenamePayload{common::Preference{node.name, pref.index_of_prefer_color},
                                       previous.empty() ? std::nullopt
                                                        : std::optional<std::string>(previous)};
    broadcast(make_frame(out));
}

void Hub::relay(const std::string& from, const std::string& to, std::string_view type,
                const std::string& frame_text) {
    const auto it = nodes_.find(to);
    if (it == nodes_.end() || !it->second.registered || it->second.leaving || to == from) {
        metrics_.rejected(common::error_name(ProtocolError::unknown_peer));
        send_error(from, common::error_name(ProtocolError::unknown_peer),
                   std::string(type) + ": no registered node " + to.substr(0, 64));
        return;
    }
    metrics_.relayed(type);
    send(it->second, std::make_shared<const std::string>(frame_text));
}

std::string Hub::conns_json() const {
    // Every connection, registered or not (PROTOCOL.md 1.5, 2.2), node ids in ascending order as
    // Go's encoder writes the original's map. A record leaves out what its connection has not
    // done yet: name and registration time until it registers (its authentication is "" until
    // then), heartbeat until its first echo.
    std::vector<const decltype(nodes_)::value_type*> sorted;
    sorted.reserve(nodes_.size());
    for (const auto& entry : nodes_) {
        sorted.push_back(&entry);
    }
    std::sort(sorted.begin(), sorted.end(),
              [](const auto* x, const auto* y) { return x->first < y->first; });
    json::object out(sorted.size());
    for (const auto* entry : sorted) {
        const auto& [id, node] = *entry;
        json::object rec;
        if (node.registered) {
            rec["node_name"] = node.name;
        }
        rec["connected_at"] = node.connected_at;
        if (node.registered) {
            rec["registered_at"] = node.registered_at;
        }
        if (node.last_heartbeat != 0) {
            rec["last_heartbeat"] = node.last_heartbeat;
        }
        if (!node.attributes.empty()) {
            json::object attrs;
            for (const auto& [k, v] : node.attributes) {
                attrs[k] = v;
            }
            rec["attributes"] = std::move(attrs);
        }
        rec["authentication"] = node.registered ? auth_kind_name(node.identity.kind) : "";
        if (!node.registered) {
            out[id] = std::move(rec);
            continue;
        }
        if (!node.identity.username.empty()) {
            // additive: the account behind a signed-in node, so clients look its profile up by
            // account and not by the node name (which a rename may have changed)
            rec["username"] = node.identity.username;
        }
        if (node.identity.is_bot) {
            rec["is_bot"] = true; // additive: a bot account (JWT from the management API)
        }
        out[id] = std::move(rec);
    }
    return json::serialize(out);
}

} // namespace tincan::server
