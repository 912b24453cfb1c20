#include "auth/kioubit.hpp"

#include "auth/crypto.hpp"
#include "auth/http_util.hpp"

#include <boost/json.hpp>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <fstream>
#include <sstream>

namespace tincan::server {

namespace json = boost::json;

namespace {

/// `domain` names our host, with or without a port ("example.org", "example.org:8443",
/// "[::1]:8443"): a service may take it from a URL's host or from its host and port.
bool same_host(std::string_view domain, std::string_view host) {
    std::string d = ascii_lower(std::string(domain));
    if (auto colon = d.rfind(':');
        colon != std::string::npos && colon + 1 < d.size() &&
        d.find_first_not_of("0123456789", colon + 1) == std::string::npos &&
        (d.front() == '[' || d.find(':') == colon)) {
        d.resize(colon);
    }
    if (d.size() > 2 && d.front() == '[' && d.back() == ']') {
        d = d.substr(1, d.size() - 2);
    }
    return d == ascii_lower(std::string(host));
}

constexpr std::size_t max_params_size = 16 * 1024;

std::string string_field(const json::object& o, std::string_view key) {
    auto* v = o.if_contains(key);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

std::vector<std::string> string_array(const json::object& o, std::string_view key) {
    std::vector<std::string> out;
    if (auto* v = o.if_contains(key); v && v->is_array()) {
        for (const auto& e : v->as_array()) {
            if (e.is_string()) {
                out.emplace_back(e.as_string());
            }
        }
    }
    return out;
}

bool is_blank(std::string_view s) {
    return s.find_first_not_of(" \t\r\n") == std::string::npos;
}

} // namespace

std::string KioubitAssertion::username() const {
    if (!is_blank(effective_mnt)) {
        return effective_mnt;
    }
    for (const auto& m : mnt) {
        if (!is_blank(m)) {
            return m;
        }
    }
    return {};
}

AuthResult<KioubitVerifier> KioubitVerifier::from_pem(std::string_view pem) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(
        BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), &BIO_free);
    EVP_PKEY* key = bio ? PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr) : nullptr;
    if (!key) {
        return auth_error(AuthErrc::invalid_input, "not a PEM public key");
    }
    if (EVP_PKEY_get_base_id(key) != EVP_PKEY_EC) {
        EVP_PKEY_free(key);
        return auth_error(AuthErrc::invalid_input, "Kioubit key is not an EC key");
    }
    return KioubitVerifier(std::shared_ptr<EVP_PKEY>(key, &EVP_PKEY_free));
}

AuthResult<KioubitVerifier> KioubitVerifier::from_file(const std::filesystem::path& path) {
    std::ifstream in(path);
    if (!in) {
        return auth_error(AuthErrc::invalid_input, "cannot read " + path.string());
    }
    std::stringstream buf;
    buf << in.rdbuf();
    return from_pem(buf.str());
}

AuthResult<KioubitAssertion> KioubitVerifier::verify(std::string_view params_b64,
                                                     std::string_view signature_b64,
                                                     std::string_view expected_domain,
                                                     std::int64_t now) const {
    if (params_b64.empty() || signature_b64.empty()) {
        return auth_error(AuthErrc::invalid_input, "missing params or signature");
    }
    if (params_b64.size() > max_params_size || signature_b64.size() > 1024) {
        return auth_error(AuthErrc::invalid_input, "params or signature too large");
    }
    auto sig = crypto::base64_decode(signature_b64);
    if (!sig) {
        return auth_error(AuthErrc::invalid_input, "signature is not base64");
    }
    // The signed message is the base64 text itself; EVP_DigestVerify hashes it with SHA-512.
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha512(), nullptr, key_.get()) != 1 ||
        EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig->data()),
                         sig->size(), reinterpret_cast<const unsigned char*>(params_b64.data()),
                         params_b64.size()) != 1) {
        return auth_error(AuthErrc::unauthorized, "signature verification failed");
    }
    auto raw = crypto::base64_decode(params_b64);
    if (!raw) {
        return auth_error(AuthErrc::invalid_input, "params is not base64");
    }
    boost::system::error_code ec;
    auto v = json::parse(*raw, ec);
    if (ec || !v.is_object()) {
        return auth_error(AuthErrc::invalid_input, "params is not a JSON object");
    }
    const auto& o = v.as_object();
    KioubitAssertion a;
    a.asn = string_field(o, "asn");
    a.allowed4 = string_array(o, "allowed4");
    a.allowed6 = string_array(o, "allowed6");
    a.mnt = string_array(o, "mnt");
    a.effective_mnt = string_field(o, "effective_mnt");
    a.domain = string_field(o, "domain");
    a.authtype = string_field(o, "authtype");
    a.user_token = string_field(o, "user_token");
    auto* t = o.if_contains("time");
    if (!t || !t->is_number()) {
        return auth_error(AuthErrc::invalid_input, "params lack a time");
    }
    a.time = t->is_double()  ? static_cast<std::int64_t>(t->as_double())
             : t->is_int64() ? t->as_int64()
                             : static_cast<std::int64_t>(t->as_uint64());
    if (a.time > now + max_skew_seconds || a.time < now - max_skew_seconds) {
        return auth_error(AuthErrc::expired, "the request has expired");
    }
    if (a.domain.empty()) {
        return auth_error(AuthErrc::unauthorized, "assertion has no domain");
    }
    if (expected_domain.empty() || !same_host(a.domain, expected_domain)) {
        return auth_error(AuthErrc::unauthorized, "assertion issued for another domain");
    }
    if (a.asn.empty()) {
        return auth_error(AuthErrc::invalid_input, "assertion has no asn");
    }
    if (a.user_token.empty()) {
        return auth_error(AuthErrc::invalid_input, "assertion has no user_token");
    }
    return a;
}

} // namespace tincan::server
