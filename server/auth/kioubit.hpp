#pragma once
// "Sign in with Kioubit" (DN42) assertion verification: ECDSA (P-521 for the real key) over
// SHA-512 of the base64 TEXT of `params`, DER signature, +-60 s window, domain enforced.

#include "auth/error.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

typedef struct evp_pkey_st EVP_PKEY;

namespace tincan::server {

struct KioubitAssertion {
    std::string asn;
    std::int64_t time = 0;
    std::vector<std::string> allowed4;
    std::vector<std::string> allowed6;
    std::vector<std::string> mnt;
    std::string effective_mnt;
    std::string domain;
    std::string authtype;
    std::string user_token;

    // `effective_mnt`, else the first non-blank `mnt` entry, else empty.
    std::string username() const;
};

class KioubitVerifier {
public:
    static AuthResult<KioubitVerifier> from_pem(std::string_view pem);
    static AuthResult<KioubitVerifier> from_file(const std::filesystem::path& path);

    // `params_b64` and `signature_b64` as received in the callback query (already
    // percent-decoded). `expected_domain` is our host as registered with Kioubit.
    AuthResult<KioubitAssertion> verify(std::string_view params_b64, std::string_view signature_b64,
                                        std::string_view expected_domain, std::int64_t now) const;

    static constexpr std::int64_t max_skew_seconds = 60;

private:
    explicit KioubitVerifier(std::shared_ptr<EVP_PKEY> key) : key_(std::move(key)) {}
    std::shared_ptr<EVP_PKEY> key_;
};

} // namespace tincan::server
