#include "tincan/common/signalling.hpp"

#include <boost/json.hpp>
#include <boost/json/basic_parser_impl.hpp>

#include <algorithm>

namespace tincan::common {
namespace json = boost::json;

namespace {

using Err = ProtocolError;

/// Keys from the root object down to a value.
using KeyPath = std::vector<std::string>;

// Go's encoding/json reads a number into an unsigned integer with strconv.ParseUint, which refuses
// `-0` (the frame fails to decode), and into a signed one with ParseInt, which takes it as 0.
// Boost.JSON parses `-0` as the integer 0, so this second, SAX pass over the text finds where the
// literal stands: the key path of every integer `-0` that is not inside an array (no unsigned
// field of the envelope is).
class NegativeZeroFinder {
public:
    static constexpr std::size_t max_object_size = std::size_t(-1);
    static constexpr std::size_t max_array_size = std::size_t(-1);
    static constexpr std::size_t max_key_size = std::size_t(-1);
    static constexpr std::size_t max_string_size = std::size_t(-1);
    using ec_t = boost::system::error_code;

    std::vector<KeyPath> found;

    bool on_document_begin(ec_t&) { return true; }
    bool on_document_end(ec_t&) { return true; }
    bool on_object_begin(ec_t&) {
        keys_.emplace_back();
        return true;
    }
    bool on_object_end(std::size_t, ec_t&) {
        keys_.pop_back();
        return true;
    }
    bool on_array_begin(ec_t&) {
        ++arrays_;
        return true;
    }
    bool on_array_end(std::size_t, ec_t&) {
        --arrays_;
        return true;
    }
    bool on_key_part(json::string_view s, std::size_t, ec_t&) {
        key_part_.append(s.data(), s.size());
        return true;
    }
    bool on_key(json::string_view s, std::size_t, ec_t&) {
        keys_.back() = std::move(key_part_.append(s.data(), s.size()));
        key_part_.clear();
        return true;
    }
    bool on_string_part(json::string_view, std::size_t, ec_t&) { return true; }
    bool on_string(json::string_view, std::size_t, ec_t&) { return true; }
    bool on_number_part(json::string_view s, ec_t&) {
        number_part_.append(s.data(), s.size());
        return true;
    }
    bool on_int64(std::int64_t i, json::string_view s, ec_t&) {
        const bool negative = number_part_.empty() ? s.starts_with('-') : number_part_[0] == '-';
        if (i == 0 && negative && arrays_ == 0) {
            found.push_back(keys_);
        }
        number_part_.clear();
        return true;
    }
    bool on_uint64(std::uint64_t, json::string_view, ec_t&) {
        number_part_.clear();
        return true;
    }
    bool on_double(double, json::string_view, ec_t&) {
        number_part_.clear();
        return true;
    }
    bool on_bool(bool, ec_t&) { return true; }
    bool on_null(ec_t&) { return true; }
    bool on_comment_part(json::string_view, ec_t&) { return true; }
    bool on_comment(json::string_view, ec_t&) { return true; }

private:
    KeyPath keys_;
    std::string key_part_;
    std::string number_part_;
    std::size_t arrays_ = 0;
};

std::vector<KeyPath> negative_zero_paths(std::string_view text, const json::parse_options& opts) {
    if (text.find("-0") == std::string_view::npos) {
        return {};
    }
    json::basic_parser<NegativeZeroFinder> parser(opts);
    boost::system::error_code ec;
    parser.write_some(false, text.data(), text.size(), ec);
    return std::move(parser.handler().found);
}

// Go's encoding/json leaves a string untouched for a JSON null, so a null attribute value or
// withdrawal entry is the empty string to the original server (the key still counts).
std::string_view string_or_empty(const json::value& v) {
    return v.is_null() ? std::string_view{} : std::string_view(v.get_string());
}

// A field reader over one JSON object: every getter leaves the target untouched when the key is
// absent or null, and records the first type error.
class Fields {
public:
    /// The root object; `negative_zeros` are the paths of the text's integer `-0` literals.
    Fields(const json::object& obj, const std::vector<KeyPath>& negative_zeros)
        : obj_(obj), negative_zeros_(negative_zeros) {}

    /// A reader over the object at `key` of this one.
    Fields child(std::string_view key, const json::object& obj) const {
        Fields f(obj, negative_zeros_);
        f.path_ = path_;
        f.path_.emplace_back(key);
        return f;
    }

    Err* error() { return failed_ ? &error_ : nullptr; }

    const json::value* find(std::string_view key) const {
        const auto* v = obj_.if_contains(key);
        return (v == nullptr || v->is_null()) ? nullptr : v;
    }

    void string(std::string_view key, std::string& out) {
        if (const auto* v = find(key)) {
            if (const auto* s = v->if_string()) {
                out.assign(s->data(), s->size());
            } else {
                fail(Err::wrong_type);
            }
        }
    }

    void string(std::string_view key, std::optional<std::string>& out) {
        if (find(key) != nullptr) {
            string(key, out.emplace());
        }
    }

    void u64(std::string_view key, std::uint64_t& out) {
        if (const auto* v = find(key)) {
            if (v->is_uint64()) {
                out = v->get_uint64();
            } else if (v->is_int64() && v->get_int64() >= 0 && !negative_zero(key)) {
                out = static_cast<std::uint64_t>(v->get_int64());
            } else {
                fail(Err::wrong_type);
            }
        }
    }

    void i64(std::string_view key, std::optional<std::int64_t>& out) {
        if (const auto* v = find(key)) {
            if (v->is_int64()) {
                out = v->get_int64();
            } else if (v->is_uint64() && v->get_uint64() <= INT64_MAX) {
                out = static_cast<std::int64_t>(v->get_uint64());
            } else {
                fail(Err::wrong_type);
            }
        }
    }

    const json::object* object(std::string_view key) {
        const auto* v = find(key);
        if (v == nullptr) {
            return nullptr;
        }
        if (!v->is_object()) {
            fail(Err::wrong_type);
            return nullptr;
        }
        return &v->get_object();
    }

    void fail(Err e) {
        if (!failed_) {
            failed_ = true;
            error_ = e;
        }
    }

private:
    bool negative_zero(std::string_view key) const {
        return std::any_of(negative_zeros_.begin(), negative_zeros_.end(), [&](const KeyPath& p) {
            return p.size() == path_.size() + 1 && p.back() == key &&
                   std::equal(path_.begin(), path_.end(), p.begin());
        });
    }

    const json::object& obj_;
    const std::vector<KeyPath>& negative_zeros_;
    KeyPath path_;
    bool failed_ = false;
    Err error_ = Err::wrong_type;
};

template <typename T, typename Fn>
void decode_member(Fields& top, std::string_view key, std::optional<T>& out, Fn&& fill) {
    if (const auto* obj = top.object(key)) {
        Fields f = top.child(key, *obj);
        fill(f, out.emplace());
        if (auto* e = f.error()) {
            top.fail(*e);
        }
    }
}

void decode_attributes(Fields& f, AttributesAnnouncement& out) {
    if (const auto* attrs = f.object("attributes")) {
        for (const auto& [k, v] : *attrs) {
            if (!v.is_string() && !v.is_null()) {
                f.fail(Err::wrong_type);
                return;
            }
            out.attributes.emplace(std::string(k), std::string(string_or_empty(v)));
        }
    }
    if (const auto* w = f.find("withdrawals")) {
        if (!w->is_array()) {
            f.fail(Err::wrong_type);
            return;
        }
        for (const auto& item : w->get_array()) {
            if (!item.is_string() && !item.is_null()) {
                f.fail(Err::wrong_type);
                return;
            }
            out.withdrawals.emplace_back(string_or_empty(item));
        }
    }
}

} // namespace

bool Envelope::empty() const noexcept {
    return !node_id && !register_ && !echo && !attributes_announcement && !rename && !online &&
           !offline && !sdp_offer && !ice_offer && !error;
}

boost::system::result<Envelope> decode_envelope(std::string_view text, const DecodeLimits& limits) {
    json::parse_options opts;
    opts.max_depth = limits.max_depth;
    boost::system::error_code ec;
    json::value root = json::parse(text, ec, {}, opts);
    if (ec) {
        return make_error_code(Err::malformed_json);
    }
    if (root.is_null()) {
        // The original's json.Unmarshal of `null` into its envelope is a no-op, not an error: a
        // frame without keys (JSON null counts as absent).
        return Envelope{};
    }
    if (!root.is_object()) {
        return make_error_code(Err::not_an_object);
    }
    const auto negative_zeros = negative_zero_paths(text, opts);
    Fields top(root.get_object(), negative_zeros);
    Envelope env;
    top.string("node_id", env.node_id);
    decode_member(top, "register", env.register_, [](Fields& f, RegisterPayload& p) {
        f.string("node_name", p.node_name);
        f.string("token", p.token);
    });
    decode_member(top, "echo", env.echo, [](Fields& f, EchoPayload& p) {
        f.string("direction", p.direction);
        f.string("correlation_id", p.correlation_id);
        f.u64("server_timestamp", p.server_timestamp);
        f.u64("timestamp", p.timestamp);
        f.u64("seq_id", p.seq_id);
    });
    decode_member(top, "attributes_announcement", env.attributes_announcement, decode_attributes);
    decode_member(top, "rename", env.rename, [](Fields& f, RenamePayload& p) {
        if (const auto* pref = f.object("new_preference")) {
            Fields pf = f.child("new_preference", *pref);
            pf.string("name", p.new_preference.name);
            pf.i64("indexOfPreferColor", p.new_preference.index_of_prefer_color);
            if (auto* e = pf.error()) {
                f.fail(*e);
            }
        }
        f.string("origin_node_name", p.origin_node_name);
    });
    decode_member(top, "online", env.online,
                  [](Fields& f, NodeRef& p) { f.string("node_id", p.node_id); });
    if (limits.server_extensions) {
        decode_member(top, "offline", env.offline,
                      [](Fields& f, NodeRef& p) { f.string("node_id", p.node_id); });
    }
    decode_member(top, "sdp_offer", env.sdp_offer, [](Fields& f, SdpOfferPayload& p) {
        f.string("type", p.type);
        f.string("offer_json", p.offer_json);
        f.string("from_node_id", p.from_node_id);
        f.string("to_node_id", p.to_node_id);
    });
    decode_member(top, "ice_offer", env.ice_offer, [](Fields& f, IceOfferPayload& p) {
        f.string("offer_json", p.offer_json);
        f.string("from_node_id", p.from_node_id);
        f.string("to_node_id", p.to_node_id);
    });
    if (limits.server_extensions) {
        decode_member(top, "error", env.error, [](Fields& f, ErrorPayload& p) {
            f.string("code", p.code);
            f.string("message", p.message);
        });
    }
    if (auto* e = top.error()) {
        return make_error_code(*e);
    }
    return env;
}

std::string go_json_escape_html(std::string_view json_text) {
    std::string out;
    out.reserve(json_text.size());
    for (std::size_t i = 0; i < json_text.size(); ++i) {
        const char c = json_text[i];
        if (c == '<') {
            out += "\\u003c";
        } else if (c == '>') {
            out += "\\u003e";
        } else if (c == '&') {
            out += "\\u0026";
        } else if (json_text.substr(i, 2) == "\xe2\x80" && i + 2 < json_text.size() &&
                   (json_text[i + 2] == '\xa8' || json_text[i + 2] == '\xa9')) {
            out += json_text[i + 2] == '\xa8' ? "\\u2028" : "\\u2029";
            i += 2;
        } else {
            out += c;
        }
    }
    return out;
}

std::string encode_envelope(const Envelope& env) {
    json::object out;
    if (env.node_id) {
        out["node_id"] = *env.node_id;
    }
    if (env.register_) {
        json::object r{{"node_name", env.register_->node_name}};
        if (env.register_->token) {
            r["token"] = *env.register_->token;
        }
        out["register"] = std::move(r);
    }
    if (env.echo) {
        const auto& e = *env.echo;
        out["echo"] = json::object{{"direction", e.direction},
                                   {"correlation_id", e.correlation_id},
                                   {"server_timestamp", e.server_timestamp},
                                   {"timestamp", e.timestamp},
                                   {"seq_id", e.seq_id}};
    }
    if (env.attributes_announcement) {
        json::object attrs;
        for (const auto& [k, v] : env.attributes_announcement->attributes) {
            attrs[k] = v;
        }
        json::array withdrawals;
        for (const auto& w : env.attributes_announcement->withdrawals) {
            withdrawals.emplace_back(w);
        }
        out["attributes_announcement"] =
            json::object{{"attributes", std::move(attrs)}, {"withdrawals", std::move(withdrawals)}};
    }
    if (env.rename) {
        json::object pref;
        if (env.rename->new_preference.name) {
            pref["name"] = *env.rename->new_preference.name;
        }
        if (env.rename->new_preference.index_of_prefer_color) {
            pref["indexOfPreferColor"] = *env.rename->new_preference.index_of_prefer_color;
        }
        json::object r{{"new_preference", std::move(pref)}};
        if (env.rename->origin_node_name) {
            r["origin_node_name"] = *env.rename->origin_node_name;
        }
        out["rename"] = std::move(r);
    }
    if (env.online) {
        out["online"] = json::object{{"node_id", env.online->node_id}};
    }
    if (env.offline) {
        out["offline"] = json::object{{"node_id", env.offline->node_id}};
    }
    if (env.sdp_offer) {
        const auto& s = *env.sdp_offer;
        out["sdp_offer"] = json::object{{"type", s.type},
                                        {"offer_json", s.offer_json},
                                        {"from_node_id", s.from_node_id},
                                        {"to_node_id", s.to_node_id}};
    }
    if (env.ice_offer) {
        const auto& i = *env.ice_offer;
        out["ice_offer"] = json::object{{"offer_json", i.offer_json},
                                        {"from_node_id", i.from_node_id},
                                        {"to_node_id", i.to_node_id}};
    }
    if (env.error) {
        out["error"] = json::object{{"code", env.error->code}, {"message", env.error->message}};
    }
    return json::serialize(out);
}

} // namespace tincan::common
