#include "auth/multipart.hpp"

#include "auth/http_util.hpp"
#include <algorithm>
#include <cctype>
#include <optional>

namespace tincan::server {

namespace {

// Value of parameter `key` in a header value like `form-data; name="x"; filename="y"`.
std::optional<std::string> header_param(std::string_view value, std::string_view key) {
    std::size_t pos = 0;
    while (pos < value.size()) {
        auto semi = value.find(';', pos);
        if (semi == std::string_view::npos) {
            return std::nullopt;
        }
        pos = semi + 1;
        while (pos < value.size() && value[pos] == ' ') {
            ++pos;
        }
        auto eq = value.find('=', pos);
        if (eq == std::string_view::npos) {
            return std::nullopt;
        }
        auto name = ascii_lower(value.substr(pos, eq - pos));
        pos = eq + 1;
        std::string v;
        if (pos < value.size() && value[pos] == '"') {
            auto end = value.find('"', pos + 1);
            if (end == std::string_view::npos) {
                return std::nullopt;
            }
            v = std::string(value.substr(pos + 1, end - pos - 1));
            pos = end + 1;
        } else {
            auto end = value.find(';', pos);
            v = std::string(value.substr(pos, end == std::string_view::npos ? end : end - pos));
            pos = end == std::string_view::npos ? value.size() : end;
        }
        if (name == key) {
            return v;
        }
    }
    return std::nullopt;
}

} // namespace

AuthResult<std::map<std::string, std::string>> parse_multipart_form(std::string_view content_type,
                                                                    std::string_view body) {
    auto boundary = header_param(content_type, "boundary");
    if (!boundary || boundary->empty() || boundary->size() > 200) {
        return auth_error(AuthErrc::invalid_input, "multipart body without boundary");
    }
    const std::string delim = "--" + *boundary;
    std::map<std::string, std::string> fields;
    auto pos = body.find(delim);
    if (pos == std::string_view::npos) {
        return auth_error(AuthErrc::invalid_input, "multipart boundary not found");
    }
    pos += delim.size();
    while (true) {
        if (body.substr(pos, 2) == "--") {
            return fields; // closing delimiter
        }
        if (body.substr(pos, 2) != "\r\n") {
            return auth_error(AuthErrc::invalid_input, "malformed multipart delimiter");
        }
        pos += 2;
        auto headers_end = body.find("\r\n\r\n", pos);
        if (headers_end == std::string_view::npos) {
            return auth_error(AuthErrc::invalid_input, "malformed multipart headers");
        }
        auto headers = body.substr(pos, headers_end - pos);
        auto content_start = headers_end + 4;
        auto next = body.find("\r\n" + delim, content_start);
        if (next == std::string_view::npos) {
            return auth_error(AuthErrc::invalid_input, "unterminated multipart part");
        }
        std::optional<std::string> name;
        std::optional<std::string> filename;
        std::size_t hpos = 0;
        while (hpos <= headers.size()) {
            auto eol = headers.find("\r\n", hpos);
            auto line = headers.substr(hpos, eol == std::string_view::npos ? eol : eol - hpos);
            auto colon = line.find(':');
            if (colon != std::string_view::npos &&
                ascii_lower(line.substr(0, colon)) == "content-disposition") {
                name = header_param(line.substr(colon + 1), "name");
                filename = header_param(line.substr(colon + 1), "filename");
            }
            if (eol == std::string_view::npos) {
                break;
            }
            hpos = eol + 2;
        }
        // As Go's multipart reader feeding r.FormValue: a file part (a filename) is no value, and
        // of a name given twice the first value counts.
        if (name && !name->empty() && (!filename || filename->empty())) {
            fields.emplace(*name, std::string(body.substr(content_start, next - content_start)));
        }
        pos = next + 2 + delim.size();
    }
}

} // namespace tincan::server
