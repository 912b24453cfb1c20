// JWT (issue 5 item 7): HS256 only; `none`, other algorithms, wrong key, expired, tampered and
// subject-less tokens rejected; the signing key file is created 0600 and survives a restart.

#include "auth/crypto.hpp"
#include "auth/jwt.hpp"
#include "test_support.hpp"

#include <fstream>
#include <gtest/gtest.h>
#include <sys/stat.h>

namespace tincan::server {
namespace {

using tincan::test::TempDir;

constexpr std::int64_t now = 1'760'000'000;

std::string forge(const std::string& header, const std::string& payload, const std::string& sig) {
    return crypto::base64url_encode(header) + "." + crypto::base64url_encode(payload) + "." + sig;
}

TEST(Crypto, Base64RoundTripsAndRejectsGarbage) {
    for (std::string s : {"", "f", "fo", "foo", "foob", "fooba", "foobar", "\xff\x00\x10"}) {
        EXPECT_EQ(crypto::base64url_decode(crypto::base64url_encode(s)), s);
        EXPECT_EQ(crypto::base64_decode(crypto::base64_encode(s)), s);
    }
    EXPECT_EQ(crypto::base64_encode("foobar"), "Zm9vYmFy");
    EXPECT_EQ(crypto::base64_decode("Zm9v\nYmE="), "foob"
                                                   "a");
    EXPECT_FALSE(crypto::base64_decode("Zm9v!"));
    EXPECT_FALSE(crypto::base64url_decode("Zm9v+"));
    EXPECT_FALSE(crypto::base64url_decode("Z"));
}

TEST(Crypto, UuidV4Shape) {
    auto u = crypto::uuid_v4();
    ASSERT_EQ(u.size(), 36u);
    EXPECT_EQ(u[14], '4');
    EXPECT_NE(crypto::uuid_v4(), u);
}

TEST(Jwt, SignVerifyRoundTrip) {
    JwtSigner signer(std::string(32, 'k'));
    auto token = signer.sign("user-1", now, 3600);
    auto claims = signer.verify(token, now + 10);
    ASSERT_TRUE(claims) << claims.error().message;
    EXPECT_EQ(claims->sub, "user-1");
    EXPECT_EQ(claims->iat, now);
    EXPECT_EQ(claims->exp, now + 3600);
}

TEST(Jwt, ClaimsComeInTheOrderOfGosRegisteredClaims) {
    // The original signs a jwt.RegisteredClaims: header {"alg":"HS256","typ":"JWT"}, then the
    // claims in the struct's order, sub, exp, iat (and jti after them).
    JwtSigner signer(std::string(32, 'k'));
    const auto token = signer.sign("user-1", now, 3600);
    const auto dot = token.find('.');
    EXPECT_EQ(crypto::base64url_decode(token.substr(0, dot)), R"({"alg":"HS256","typ":"JWT"})");
    const auto payload =
        crypto::base64url_decode(token.substr(dot + 1, token.rfind('.') - dot - 1));
    ASSERT_TRUE(payload);
    EXPECT_EQ(payload->rfind(R"({"sub":"user-1","exp":)" + std::to_string(now + 3600) +
                                 R"(,"iat":)" + std::to_string(now) + R"(,"jti":)",
                             0),
              0U)
        << *payload;
}

TEST(Jwt, RejectsExpired) {
    JwtSigner signer(std::string(32, 'k'));
    auto token = signer.sign("user-1", now, 60);
    EXPECT_FALSE(signer.verify(token, now + 60));
    EXPECT_EQ(signer.verify(token, now + 61).error().code, AuthErrc::expired);
}

TEST(Jwt, RejectsWrongKey) {
    JwtSigner a(std::string(32, 'a')), b(std::string(32, 'b'));
    EXPECT_EQ(b.verify(a.sign("u", now, 60), now).error().code, AuthErrc::unauthorized);
}

TEST(Jwt, RejectsAlgNone) {
    JwtSigner signer(std::string(32, 'k'));
    auto payload = R"({"sub":"u","iat":1760000000,"exp":1760003600})";
    EXPECT_FALSE(signer.verify(forge(R"({"alg":"none","typ":"JWT"})", payload, ""), now));
    EXPECT_FALSE(signer.verify(forge(R"({"alg":"None"})", payload, ""), now));
    // No header alg at all.
    EXPECT_FALSE(signer.verify(forge(R"({"typ":"JWT"})", payload, ""), now));
}

TEST(Jwt, RejectsOtherHmacAlgorithmsEvenWithTheRightKey) {
    // The original accepted any HMAC variant; a token claiming HS512 must fail even if its
    // signature is a valid HS256 MAC of the same input.
    std::string key(32, 'k');
    JwtSigner signer(key);
    for (std::string alg : {"HS512", "HS384", "RS256", "ES256", "hs256"}) {
        std::string input =
            crypto::base64url_encode(R"({"alg":")" + alg + R"("})") + "." +
            crypto::base64url_encode(R"({"sub":"u","iat":1760000000,"exp":1760003600})");
        auto token = input + "." + crypto::base64url_encode(crypto::hmac_sha256(key, input));
        auto r = signer.verify(token, now);
        ASSERT_FALSE(r) << alg;
        EXPECT_EQ(r.error().code, AuthErrc::unauthorized) << alg;
    }
}

TEST(Jwt, RejectsTamperedPayloadAndMissingClaims) {
    std::string key(32, 'k');
    JwtSigner signer(key);
    auto token = signer.sign("user-1", now, 3600);
    auto dot1 = token.find('.');
    auto dot2 = token.find('.', dot1 + 1);
    auto tampered =
        token.substr(0, dot1 + 1) +
        crypto::base64url_encode(R"({"sub":"admin","iat":1760000000,"exp":1860000000})") +
        token.substr(dot2);
    EXPECT_FALSE(signer.verify(tampered, now));

    auto sign_payload = [&](const std::string& payload) {
        std::string input = crypto::base64url_encode(R"({"alg":"HS256","typ":"JWT"})") + "." +
                            crypto::base64url_encode(payload);
        return input + "." + crypto::base64url_encode(crypto::hmac_sha256(key, input));
    };
    EXPECT_TRUE(
        signer.verify(sign_payload(R"({"sub":"u","iat":1760000000,"exp":1760003600})"), now));
    EXPECT_FALSE(
        signer.verify(sign_payload(R"({"sub":"","iat":1760000000,"exp":1760003600})"), now));
    EXPECT_FALSE(signer.verify(sign_payload(R"({"iat":1760000000,"exp":1760003600})"), now));
    EXPECT_FALSE(signer.verify(sign_payload(R"({"sub":"u","iat":1760000000})"), now));
    EXPECT_FALSE(signer.verify(sign_payload(R"({"sub":"u","exp":1760003600})"), now));
    EXPECT_FALSE(
        signer.verify(sign_payload(R"({"sub":"u","iat":1770000000,"exp":1780000000})"), now))
        << "iat in the future";
    EXPECT_FALSE(
        signer.verify(sign_payload(R"({"sub":7,"iat":1760000000,"exp":1760003600})"), now));
    EXPECT_FALSE(signer.verify("a.b", now));
    EXPECT_FALSE(signer.verify("a.b.c.d", now));
    EXPECT_FALSE(signer.verify(std::string(10000, 'a'), now));
}

TEST(Jwt, KeyFileCreatedWithMode0600AndReused) {
    TempDir dir;
    auto path = dir.path() / "jwt.key";
    auto first = JwtSigner::load_or_create(path);
    ASSERT_TRUE(first);
    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600);
    EXPECT_EQ(st.st_size, 32);
    auto token = first->sign("bot", now, 3600);
    auto second = JwtSigner::load_or_create(path); // "restart"
    ASSERT_TRUE(second);
    EXPECT_TRUE(second->verify(token, now));
}

TEST(Jwt, LooseKeyFileModeIsTightened) {
    TempDir dir;
    auto path = dir.path() / "jwt.key";
    ASSERT_TRUE(JwtSigner::load_or_create(path));
    ::chmod(path.c_str(), 0644);
    ASSERT_TRUE(JwtSigner::load_or_create(path));
    struct stat st {};
    ::stat(path.c_str(), &st);
    EXPECT_EQ(st.st_mode & 0777, 0600);
}

TEST(Jwt, ShortKeyFileIsAStartupError) {
    TempDir dir;
    auto path = dir.path() / "jwt.key";
    { std::ofstream(path) << "short"; }
    EXPECT_FALSE(JwtSigner::load_or_create(path));
}

} // namespace
} // namespace tincan::server
