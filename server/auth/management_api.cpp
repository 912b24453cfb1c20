#include "auth/management_api.hpp"

#include "auth/http_util.hpp"
#include "auth/multipart.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <optional>
#include <variant>

namespace tincan::server {

namespace http = boost::beast::http;
namespace json = boost::json;

namespace {

constexpr std::size_t max_avatar_url = 512 * 1024;

using Fields = std::map<std::string, std::string>;

// The kind of a JSON value as Go's decoder names it in its errors.
std::string go_json_kind(const json::value& v) {
    switch (v.kind()) {
    case json::kind::bool_:
        return "bool";
    case json::kind::string:
        return "string";
    case json::kind::array:
        return "array";
    case json::kind::object:
        return "object";
    default:
        return "number";
    }
}

// A JSON body as the original decodes it, json.NewDecoder(r.Body).Decode(&payload) into its
// UserCreationPayload of strings: the first JSON value only (what follows is never read), `null`
// as nothing, the fields' names matched whatever their case, and a field of another type refused.
// Other string members are kept too (our additions read them).
AuthResult<Fields> json_fields(std::string_view body) {
    static constexpr std::array<std::string_view, 3> known = {"username", "display_name",
                                                              "avatar_url"};
    const auto refuse = [](const std::string& why) {
        return auth_error(AuthErrc::invalid_input, "invalid JSON body" + why);
    };
    if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
        return refuse(": EOF");
    }
    json::stream_parser parser;
    boost::system::error_code ec;
    parser.write_some(body.data(), body.size(), ec);
    if (ec) {
        return refuse("");
    }
    if (!parser.done()) {
        return refuse(": unexpected EOF");
    }
    const auto v = parser.release();
    Fields out;
    if (v.is_null()) {
        return out;
    }
    if (!v.is_object()) {
        return refuse(": json: cannot unmarshal " + go_json_kind(v) +
                      " into Go value of type user.UserCreationPayload");
    }
    std::optional<std::string> type_error;
    for (const auto& [k, val] : v.as_object()) {
        std::string key(k);
        const auto field = std::find(known.begin(), known.end(), ascii_lower(key));
        if (field != known.end()) {
            key = std::string(*field);
        }
        if (val.is_string()) {
            out[key] = std::string(val.as_string());
        } else if (field != known.end() && !val.is_null() && !type_error) {
            type_error = ": json: cannot unmarshal " + go_json_kind(val) +
                         " into Go struct field UserCreationPayload." + key + " of type string";
        }
    }
    if (type_error) {
        return refuse(*type_error);
    }
    return out;
}

// Body fields from JSON (also when no Content-Type is given) or multipart/form-data.
AuthResult<Fields> body_fields(const HttpRequest& req) {
    std::string ct(req[http::field::content_type]);
    // mime.ParseMediaType: the part before ';', lower case, white space trimmed at both ends.
    auto media = ascii_lower(ct.substr(0, ct.find(';')));
    const auto first = media.find_first_not_of(" \t\r\n");
    media = first == std::string::npos
                ? std::string()
                : media.substr(first, media.find_last_not_of(" \t\r\n") - first + 1);
    if (media.empty() || media == "application/json") {
        return json_fields(req.body());
    }
    if (media == "multipart/form-data") {
        // As the original's r.FormValue: a value in the URL's query comes first, and a body it
        // cannot parse gives no values (the request then lacks its username).
        auto form = parse_multipart_form(ct, req.body());
        Fields out = form ? std::move(*form) : Fields{};
        for (const auto key : {"username", "display_name", "avatar_url"}) {
            if (auto value = query_param(req.target(), key)) {
                out[key] = std::move(*value);
            }
        }
        return out;
    }
    return auth_error(AuthErrc::invalid_input, "unsupported content type: " + ct);
}

bool valid_display_name(std::string_view s) {
    if (s.size() > 128) {
        return false;
    }
    for (char c : s) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
            return false;
        }
    }
    return true;
}

bool valid_avatar_url(std::string_view s) {
    return s.empty() || (s.size() <= max_avatar_url &&
                         (s.substr(0, 11) == "data:image/" || s.substr(0, 8) == "https://"));
}

// Username from `?username=` or the body.
std::string requested_username(const HttpRequest& req) {
    if (auto q = query_param(req.target(), "username")) {
        return *q;
    }
    auto fields = body_fields(req);
    if (fields) {
        if (auto it = fields->find("username"); it != fields->end()) {
            return it->second;
        }
    }
    return {};
}

// `?revoke=true` or a body field `revoke_previous` of true / "true".
bool wants_revocation(const HttpRequest& req) {
    if (query_param(req.target(), "revoke") == std::optional<std::string>("true")) {
        return true;
    }
    if (req.body().empty()) {
        return false;
    }
    boost::system::error_code ec;
    auto v = json::parse(req.body(), ec);
    if (!ec && v.is_object()) {
        if (auto* r = v.as_object().if_contains("revoke_previous")) {
            return (r->is_bool() && r->as_bool()) || (r->is_string() && r->as_string() == "true");
        }
    }
    auto fields = body_fields(req);
    return fields && fields->count("revoke_previous") && (*fields)["revoke_previous"] == "true";
}

} // namespace

bool valid_username(std::string_view name) {
    if (name.empty() || name.size() > 64) {
        return false;
    }
    for (char c : name) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '-' || c == '.';
        if (!ok) {
            return false;
        }
    }
    return true;
}

HttpResponse ManagementApi::handle(const HttpRequest& req) const {
    auto path = target_path(req.target());
    // Method and path together name a route; anything else is the original's 404 (PROTOCOL.md
    // 3.6), a known path with another method included. As the original, `add` and `delete`
    // answer at any path below /bots/ that ends with them.
    const auto m = req.method();
    const auto below_bots_ending = [&](std::string_view suffix) {
        return path.starts_with("/bots/") && path.ends_with(suffix);
    };
    if (below_bots_ending("/add") && m == http::verb::post) {
        return add(req);
    }
    if (below_bots_ending("/delete") && m == http::verb::delete_) {
        if (requested_username(req).empty()) {
            // The original's reply (it deletes nothing); naming a bot deletes it.
            return json_response(req, http::status::ok,
                                 json::object{{"err", "not implemented yet"}});
        }
        return remove(req);
    }
    if (path == "/bots/token" && m == http::verb::post) {
        return token(req);
    }
    if (path == "/bots/list" && m == http::verb::get) {
        return list(req);
    }
    return error_response(req, http::status::not_found, "no handlers matched the request.");
}

HttpResponse ManagementApi::add(const HttpRequest& req) const {
    auto fields = body_fields(req);
    if (!fields) {
        return error_response(req, http::status::bad_request, fields.error().message);
    }
    User user;
    user.username = (*fields)["username"];
    user.display_name = (*fields)["display_name"];
    user.avatar_url = (*fields)["avatar_url"];
    user.is_bot = true;
    if (user.username.empty()) {
        return error_response(req, http::status::bad_request, "username is required");
    }
    if (!valid_username(user.username)) {
        return error_response(req, http::status::bad_request,
                              "username must be 1-64 of A-Z a-z 0-9 _ . -");
    }
    if (!valid_display_name(user.display_name)) {
        return error_response(req, http::status::bad_request, "invalid display_name");
    }
    // The original trims whitespace at both ends when it serves the avatar (PROTOCOL.md 2.2); a
    // data URL read from a file (`curl -F avatar_url=<file`) ends with a newline.
    const auto space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
    while (!user.avatar_url.empty() && space(user.avatar_url.back())) {
        user.avatar_url.pop_back();
    }
    const auto first = std::find_if_not(user.avatar_url.begin(), user.avatar_url.end(), space);
    user.avatar_url.erase(user.avatar_url.begin(), first);
    if (!valid_avatar_url(user.avatar_url)) {
        return error_response(req, http::status::bad_request,
                              "avatar_url must be a data:image/ or https:// URL");
    }
    auto created = service_.store().create_user(std::move(user), service_.now());
    if (!created) {
        if (created.error().code == AuthErrc::conflict) {
            return error_response(req, http::status::conflict, "username already exists");
        }
        return error_response(req, http::status::internal_server_error, created.error().message);
    }
    spdlog::info("management: created bot account {}", created->username);
    return json_response(req, http::status::ok,
                         json::object{{"token", service_.issue_token(*created)}});
}

std::variant<User, HttpResponse> ManagementApi::requested_bot(const HttpRequest& req) const {
    auto name = requested_username(req);
    if (name.empty()) {
        return error_response(req, http::status::bad_request, "username is required");
    }
    auto user = service_.store().user_by_username(name);
    if (!user || !user->is_bot) {
        return error_response(req, http::status::not_found, "no such bot");
    }
    return std::move(*user);
}

HttpResponse ManagementApi::remove(const HttpRequest& req) const {
    auto found = requested_bot(req);
    if (auto* err = std::get_if<HttpResponse>(&found)) {
        return std::move(*err);
    }
    auto* user = std::get_if<User>(&found);
    if (auto r = service_.store().delete_user(user->id); !r) {
        return error_response(req, http::status::internal_server_error, r.error().message);
    }
    spdlog::info("management: deleted bot account {}", user->username);
    return json_response(req, http::status::ok, json::object{{"deleted", user->username}});
}

HttpResponse ManagementApi::token(const HttpRequest& req) const {
    auto found = requested_bot(req);
    if (auto* err = std::get_if<HttpResponse>(&found)) {
        return std::move(*err);
    }
    auto* user = std::get_if<User>(&found);
    if (wants_revocation(req)) {
        auto gen = service_.store().bump_token_generation(user->id);
        if (!gen) {
            return error_response(req, http::status::internal_server_error, gen.error().message);
        }
        user->token_generation = *gen;
        spdlog::info("management: revoked earlier tokens of bot {}", user->username);
    }
    spdlog::info("management: issued a new token for bot {}", user->username);
    return json_response(req, http::status::ok,
                         json::object{{"token", service_.issue_token(*user)}});
}

HttpResponse ManagementApi::list(const HttpRequest& req) const {
    json::array bots;
    for (const auto& u : service_.store().list_bots()) {
        bots.push_back(json::object{{"id", u.id},
                                    {"username", u.username},
                                    {"display_name", u.display_name},
                                    {"has_avatar", !u.avatar_url.empty()},
                                    {"created_at", u.created_at}});
    }
    return json_response(req, http::status::ok, json::object{{"bots", std::move(bots)}});
}

} // namespace tincan::server
