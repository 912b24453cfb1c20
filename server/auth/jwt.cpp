#include "auth/jwt.hpp"

#include "auth/crypto.hpp"

#include <boost/json.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cassert>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace tincan::server {

namespace json = boost::json;

namespace {

constexpr std::size_t max_token_size = 8192;
constexpr std::int64_t clock_leeway = 60;

std::optional<json::object> decode_json_part(std::string_view part) {
    auto raw = crypto::base64url_decode(part);
    if (!raw) {
        return std::nullopt;
    }
    boost::system::error_code ec;
    auto v = json::parse(*raw, ec);
    if (ec || !v.is_object()) {
        return std::nullopt;
    }
    return v.as_object();
}

std::optional<std::int64_t> int_claim(const json::object& o, std::string_view key) {
    auto* v = o.if_contains(key);
    if (!v) {
        return std::nullopt;
    }
    if (v->is_int64()) {
        return v->as_int64();
    }
    if (v->is_uint64() && v->as_uint64() <= INT64_MAX) {
        return static_cast<std::int64_t>(v->as_uint64());
    }
    if (v->is_double()) {
        return static_cast<std::int64_t>(v->as_double());
    }
    return std::nullopt;
}

} // namespace

JwtSigner::JwtSigner(std::string key) : key_(std::move(key)) {
    assert(key_.size() >= 32);
}

AuthResult<JwtSigner> JwtSigner::load_or_create(const std::filesystem::path& path) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) {
        std::string key = crypto::random_bytes(32);
        bool ok = ::write(fd, key.data(), key.size()) == static_cast<ssize_t>(key.size());
        ok = ::fsync(fd) == 0 && ok;
        ::close(fd);
        if (!ok) {
            ::unlink(path.c_str());
            return auth_error(AuthErrc::storage, "cannot write JWT key file " + path.string());
        }
        return JwtSigner(std::move(key));
    }
    if (errno != EEXIST) {
        return auth_error(AuthErrc::storage, "cannot create JWT key file " + path.string() + ": " +
                                                 std::strerror(errno));
    }
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0 && (st.st_mode & 077) != 0) {
        ::chmod(path.c_str(), 0600);
    }
    std::ifstream in(path, std::ios::binary);
    std::stringstream buf;
    buf << in.rdbuf();
    std::string key = buf.str();
    if (!in || key.size() < 32) {
        return auth_error(AuthErrc::storage, "JWT key file " + path.string() +
                                                 " is unreadable or shorter than 32 "
                                                 "bytes");
    }
    return JwtSigner(std::move(key));
}

std::string JwtSigner::sign(const std::string& sub, std::int64_t now, std::int64_t ttl_seconds,
                            std::int64_t gen) const {
    // The claims in the order of the original's jwt.RegisteredClaims (sub, exp, iat, jti); `jti`
    // makes every token distinct, even two issued in the same second.
    json::object payload{{"sub", sub},
                         {"exp", now + ttl_seconds},
                         {"iat", now},
                         {"jti", crypto::base64url_encode(crypto::random_bytes(12))}};
    if (gen != 0) {
        payload["gen"] = gen;
    }
    std::string input = crypto::base64url_encode(R"({"alg":"HS256","typ":"JWT"})") + "." +
                        crypto::base64url_encode(json::serialize(payload));
    return input + "." + crypto::base64url_encode(crypto::hmac_sha256(key_, input));
}

AuthResult<JwtClaims> JwtSigner::verify(std::string_view token, std::int64_t now) const {
    if (token.size() > max_token_size) {
        return auth_error(AuthErrc::invalid_input, "token too large");
    }
    auto dot1 = token.find('.');
    auto dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
    if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
        return auth_error(AuthErrc::invalid_input, "token is not three dot-separated parts");
    }
    auto header = decode_json_part(token.substr(0, dot1));
    if (!header) {
        return auth_error(AuthErrc::invalid_input, "bad token header");
    }
    auto* alg = header->if_contains("alg");
    if (!alg || !alg->is_string() || alg->as_string() != "HS256") {
        return auth_error(AuthErrc::unauthorized, "token algorithm is not HS256");
    }
    if (header->contains("crit")) {
        return auth_error(AuthErrc::unauthorized, "critical header extensions not supported");
    }
    auto sig = crypto::base64url_decode(token.substr(dot2 + 1));
    std::string expected = crypto::hmac_sha256(key_, token.substr(0, dot2));
    if (!sig || !crypto::constant_time_equal(*sig, expected)) {
        return auth_error(AuthErrc::unauthorized, "bad token signature");
    }
    auto payload = decode_json_part(token.substr(dot1 + 1, dot2 - dot1 - 1));
    if (!payload) {
        return auth_error(AuthErrc::invalid_input, "bad token payload");
    }
    JwtClaims claims;
    auto* sub = payload->if_contains("sub");
    if (!sub || !sub->is_string() || sub->as_string().empty()) {
        return auth_error(AuthErrc::unauthorized, "token has no subject");
    }
    claims.sub = std::string(sub->as_string());
    auto exp = int_claim(*payload, "exp");
    auto iat = int_claim(*payload, "iat");
    if (!exp || !iat) {
        return auth_error(AuthErrc::unauthorized, "token lacks exp or iat");
    }
    if (*exp <= now) {
        return auth_error(AuthErrc::expired, "token expired");
    }
    if (*iat > now + clock_leeway) {
        return auth_error(AuthErrc::unauthorized, "token issued in the future");
    }
    if (auto nbf = int_claim(*payload, "nbf"); nbf && *nbf > now + clock_leeway) {
        return auth_error(AuthErrc::unauthorized, "token not yet valid");
    }
    claims.exp = *exp;
    claims.iat = *iat;
    claims.gen = int_claim(*payload, "gen").value_or(0);
    return claims;
}

} // namespace tincan::server
