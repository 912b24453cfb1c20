#include "auth/crypto.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <array>
#include <cstdlib>

namespace tincan::server::crypto {

std::string random_bytes(std::size_t n) {
    std::string out(n, '\0');
    if (n > 0 &&
        RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
        std::abort(); // no secure randomness: nothing safe left to do
    }
    return out;
}

std::string uuid_v4() {
    std::string b = random_bytes(16);
    b[6] = static_cast<char>((b[6] & 0x0f) | 0x40);
    b[8] = static_cast<char>((b[8] & 0x3f) | 0x80);
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(36);
    for (std::size_t i = 0; i < 16; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) {
            out.push_back('-');
        }
        auto c = static_cast<unsigned char>(b[i]);
        out.push_back(hex[c >> 4]);
        out.push_back(hex[c & 0x0f]);
    }
    return out;
}

std::string random_token() {
    return base64url_encode(random_bytes(32));
}

namespace {

constexpr char std_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr char url_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string encode(std::string_view data, const char* alphabet, bool pad) {
    std::string out;
    out.reserve((data.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 2 < data.size(); i += 3) {
        std::uint32_t v = (std::uint32_t(std::uint8_t(data[i])) << 16) |
                          (std::uint32_t(std::uint8_t(data[i + 1])) << 8) |
                          std::uint32_t(std::uint8_t(data[i + 2]));
        out.push_back(alphabet[(v >> 18) & 63]);
        out.push_back(alphabet[(v >> 12) & 63]);
        out.push_back(alphabet[(v >> 6) & 63]);
        out.push_back(alphabet[v & 63]);
    }
    std::size_t rest = data.size() - i;
    if (rest == 1) {
        std::uint32_t v = std::uint32_t(std::uint8_t(data[i])) << 16;
        out.push_back(alphabet[(v >> 18) & 63]);
        out.push_back(alphabet[(v >> 12) & 63]);
        if (pad) {
            out += "==";
        }
    } else if (rest == 2) {
        std::uint32_t v = (std::uint32_t(std::uint8_t(data[i])) << 16) |
                          (std::uint32_t(std::uint8_t(data[i + 1])) << 8);
        out.push_back(alphabet[(v >> 18) & 63]);
        out.push_back(alphabet[(v >> 12) & 63]);
        out.push_back(alphabet[(v >> 6) & 63]);
        if (pad) {
            out += "=";
        }
    }
    return out;
}

int decode_char(char c, bool url) {
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }
    if (url) {
        return c == '-' ? 62 : c == '_' ? 63 : -1;
    }
    return c == '+' ? 62 : c == '/' ? 63 : -1;
}

// Decodes `text` (no whitespace, no padding) strictly: trailing bits must be zero.
std::optional<std::string> decode(std::string_view text, bool url) {
    if (text.size() % 4 == 1) {
        return std::nullopt;
    }
    std::string out;
    out.reserve(text.size() * 3 / 4);
    std::uint32_t acc = 0;
    int bits = 0;
    for (char c : text) {
        int v = decode_char(c, url);
        if (v < 0) {
            return std::nullopt;
        }
        acc = (acc << 6) | static_cast<std::uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((acc >> bits) & 0xff));
        }
    }
    if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) {
        return std::nullopt;
    }
    return out;
}

} // namespace

std::string base64url_encode(std::string_view data) {
    return encode(data, url_alphabet, false);
}

std::optional<std::string> base64url_decode(std::string_view text) {
    return decode(text, true);
}

std::string base64_encode(std::string_view data) {
    return encode(data, std_alphabet, true);
}

std::optional<std::string> base64_decode(std::string_view text) {
    std::string clean;
    clean.reserve(text.size());
    for (char c : text) {
        if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
            continue;
        }
        clean.push_back(c);
    }
    std::size_t pad = 0;
    while (!clean.empty() && clean.back() == '=') {
        clean.pop_back();
        ++pad;
    }
    if (pad > 2 || (pad > 0 && (clean.size() + pad) % 4 != 0)) {
        return std::nullopt;
    }
    return decode(clean, false);
}

std::string sha256(std::string_view data) {
    std::array<unsigned char, SHA256_DIGEST_LENGTH> md{};
    SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), md.data());
    return std::string(reinterpret_cast<const char*>(md.data()), md.size());
}

std::string sha256_hex(std::string_view data) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    for (char c : sha256(data)) {
        auto u = static_cast<unsigned char>(c);
        out.push_back(hex[u >> 4]);
        out.push_back(hex[u & 0x0f]);
    }
    return out;
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
    unsigned int len = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
         reinterpret_cast<const unsigned char*>(data.data()), data.size(), md.data(), &len);
    return std::string(reinterpret_cast<const char*>(md.data()), len);
}

bool constant_time_equal(std::string_view a, std::string_view b) {
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

GoBase64 go_std_base64_decode(std::string_view src) {
    const auto newline = [](char c) { return c == '\n' || c == '\r'; };
    GoBase64 r;
    std::size_t si = 0;
    while (si < src.size()) {
        // One quantum of four characters (Go's decodeQuantum).
        std::array<unsigned, 4> dbuf{};
        int dlen = 4;
        std::optional<std::size_t> err;
        for (int j = 0; j < 4; ++j) {
            if (si == src.size()) {
                if (j == 0) {
                    return r;
                }
                r.corrupt_at = si - static_cast<std::size_t>(j);
                return r;
            }
            const auto in = static_cast<unsigned char>(src[si++]);
            if (const int v = decode_char(static_cast<char>(in), false); v >= 0) {
                dbuf[static_cast<std::size_t>(j)] = static_cast<unsigned>(v);
                continue;
            }
            if (newline(static_cast<char>(in))) {
                --j;
                continue;
            }
            if (in != '=' || j < 2) {
                r.corrupt_at = si - 1;
                return r;
            }
            if (j == 2) {
                // "==" expected; the first one is consumed.
                while (si < src.size() && newline(src[si])) {
                    ++si;
                }
                if (si == src.size()) {
                    r.corrupt_at = src.size();
                    return r;
                }
                if (src[si] != '=') {
                    r.corrupt_at = si - 1;
                    return r;
                }
                ++si;
            }
            while (si < src.size() && newline(src[si])) {
                ++si;
            }
            if (si < src.size()) {
                err = si; // trailing garbage
            }
            dlen = j;
            break;
        }
        const unsigned v = dbuf[0] << 18 | dbuf[1] << 12 | dbuf[2] << 6 | dbuf[3];
        const char out[3] = {static_cast<char>(v >> 16), static_cast<char>(v >> 8),
                             static_cast<char>(v)};
        r.bytes.append(out, static_cast<std::size_t>(dlen - 1));
        if (err) {
            r.corrupt_at = err;
            return r;
        }
    }
    return r;
}

} // namespace tincan::server::crypto
