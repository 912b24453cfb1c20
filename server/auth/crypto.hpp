#pragma once
// Small wrappers over OpenSSL: randomness, encodings, digests, HMAC.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tincan::server::crypto {

// Cryptographically secure random bytes (RAND_bytes); aborts if the RNG fails.
std::string random_bytes(std::size_t n);
// Random UUIDv4 in canonical lowercase form.
std::string uuid_v4();
// 32 random bytes, base64url without padding (43 characters): session ids, states, verifiers.
std::string random_token();

std::string base64url_encode(std::string_view data);
std::optional<std::string> base64url_decode(std::string_view text);
std::string base64_encode(std::string_view data);
// Standard alphabet; padding required unless the length fits; whitespace (incl. newlines)
// ignored.
std::optional<std::string> base64_decode(std::string_view text);

// base64.StdEncoding.DecodeString of Go, which the original decodes avatar data URLs with: '\r'
// and '\n' are skipped anywhere, padding is required, and a failure names the input offset Go
// names ("illegal base64 data at input byte N", the original's error body).
struct GoBase64 {
    std::string bytes;
    std::optional<std::size_t> corrupt_at;
};
GoBase64 go_std_base64_decode(std::string_view src);

std::string sha256(std::string_view data);
std::string sha256_hex(std::string_view data);
std::string hmac_sha256(std::string_view key, std::string_view data);
bool constant_time_equal(std::string_view a, std::string_view b);

} // namespace tincan::server::crypto
