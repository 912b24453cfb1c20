#include "turn.hpp"

#include <boost/json.hpp>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <array>
#include <cstdlib>

namespace tincan::server {

namespace json = boost::json;

TurnCredential turn_credential(std::string_view secret, std::int64_t expires_at,
                               std::string_view tag) {
    TurnCredential out;
    out.username = std::to_string(expires_at) + ":" + std::string(tag);
    std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
    unsigned int len = 0;
    HMAC(EVP_sha1(), secret.data(), static_cast<int>(secret.size()),
         reinterpret_cast<const unsigned char*>(out.username.data()), out.username.size(),
         md.data(), &len);
    std::array<unsigned char, 4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1> b64{};
    const int n = EVP_EncodeBlock(b64.data(), md.data(), static_cast<int>(len));
    out.credential.assign(reinterpret_cast<const char*>(b64.data()), static_cast<std::size_t>(n));
    return out;
}

std::string random_turn_tag() {
    std::array<unsigned char, 8> bytes{};
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
        std::abort();
    }
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (auto b : bytes) {
        out.push_back(hex[b >> 4]);
        out.push_back(hex[b & 15]);
    }
    return out;
}

bool turn_enabled(const Config& config) {
    return !config.turn_urls.empty() && !config.turn_secret.empty();
}

std::string ice_servers_json(const Config& config, std::int64_t now_unix, std::string_view tag) {
    const auto ttl = config.turn_credential_ttl.count();
    const auto cred = turn_credential(config.turn_secret, now_unix + ttl, tag);
    json::array urls;
    for (const auto& url : config.turn_urls) {
        urls.emplace_back(url);
    }
    json::object server{
        {"urls", std::move(urls)}, {"username", cred.username}, {"credential", cred.credential}};
    return json::serialize(
        json::object{{"iceServers", json::array{std::move(server)}}, {"ttl", ttl}});
}

} // namespace tincan::server
