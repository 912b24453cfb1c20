#pragma once
// HS256 JSON Web Tokens (RFC 7519) for bot accounts. Only HS256 is accepted: tokens naming any
// other algorithm, including "none", are rejected before the signature is looked at.

#include "auth/error.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace tincan::server {

struct JwtClaims {
    std::string sub;
    std::int64_t iat = 0;
    std::int64_t exp = 0;
    std::int64_t gen = 0; // token generation of the account (absent: 0)
};

class JwtSigner {
public:
    // The key must be at least 32 bytes. Never log it.
    explicit JwtSigner(std::string key);

    // Reads `path`, or creates it with 32 random bytes and mode 0600 when missing. A key file
    // readable by group or others is tightened to 0600.
    static AuthResult<JwtSigner> load_or_create(const std::filesystem::path& path);

    std::string sign(const std::string& sub, std::int64_t now, std::int64_t ttl_seconds,
                     std::int64_t gen = 0) const;
    // Checks header (alg HS256 only), signature, `exp` > now, `iat` not in the future (60 s
    // leeway), non-empty `sub`.
    AuthResult<JwtClaims> verify(std::string_view token, std::int64_t now) const;

private:
    std::string key_;
};

} // namespace tincan::server
