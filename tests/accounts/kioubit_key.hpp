#pragma once
// A throwaway P-521 key pair standing in for Kioubit's signing key in tests.

#include "auth/crypto.hpp"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <boost/json.hpp>

#include <memory>
#include <stdexcept>
#include <string>

namespace tincan::test {

class KioubitKey {
public:
    KioubitKey() : key_(EVP_EC_gen("P-521"), &EVP_PKEY_free) {
        if (!key_) {
            throw std::runtime_error("EVP_EC_gen failed");
        }
    }

    std::string public_pem() const {
        std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
        PEM_write_bio_PUBKEY(bio.get(), key_.get());
        char* data = nullptr;
        long len = BIO_get_mem_data(bio.get(), &data);
        return std::string(data, static_cast<std::size_t>(len));
    }

    // Standard base64 of the DER ECDSA signature over SHA-512(text).
    std::string sign(const std::string& text) const {
        std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(),
                                                                    &EVP_MD_CTX_free);
        EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha512(), nullptr, key_.get());
        std::size_t len = 0;
        EVP_DigestSign(ctx.get(), nullptr, &len,
                       reinterpret_cast<const unsigned char*>(text.data()), text.size());
        std::string sig(len, '\0');
        EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                       reinterpret_cast<const unsigned char*>(text.data()), text.size());
        sig.resize(len);
        return server::crypto::base64_encode(sig);
    }

private:
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key_;
};

// Base64 text of a Kioubit `params` object.
inline std::string kioubit_params(const std::string& asn, std::int64_t time,
                                  const std::string& domain, const std::string& user_token,
                                  const std::string& mnt = "FOO-MNT") {
    boost::json::object o{{"asn", asn},
                          {"time", time},
                          {"allowed4", boost::json::array{"172.20.0.0/24"}},
                          {"allowed6", boost::json::array{"fd00::/64"}},
                          {"mnt", boost::json::array{mnt}},
                          {"effective_mnt", mnt},
                          {"authtype", "ssh-key"},
                          {"user_token", user_token}};
    if (!domain.empty()) {
        o["domain"] = domain;
    }
    return server::crypto::base64_encode(boost::json::serialize(o));
}

} // namespace tincan::test
