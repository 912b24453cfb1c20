// Kioubit assertions (issue 5 item 4): P-521 ECDSA over SHA-512 of the base64 text, +-60 s,
// domain enforced, missing domain rejected.

#include "auth/kioubit.hpp"
#include "kioubit_key.hpp"

#include <gtest/gtest.h>

namespace tincan::server {
namespace {

using tincan::test::kioubit_params;
using tincan::test::KioubitKey;

constexpr std::int64_t now = 1'760'000'000;

class Kioubit : public ::testing::Test {
protected:
    KioubitKey key;
    KioubitVerifier verifier = *KioubitVerifier::from_pem(key.public_pem());
};

TEST_F(Kioubit, GoodSignatureAccepted) {
    auto params = kioubit_params("4242421234", now - 5, "chat.example.dn42", "tok");
    auto r = verifier.verify(params, key.sign(params), "chat.example.dn42", now);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->asn, "4242421234");
    EXPECT_EQ(r->username(), "FOO-MNT");
    EXPECT_EQ(r->user_token, "tok");
    EXPECT_EQ(r->mnt.size(), 1u);
}

TEST_F(Kioubit, BadSignatureRejected) {
    auto params = kioubit_params("4242421234", now, "chat.example.dn42", "tok");
    auto other = kioubit_params("4242420001", now, "chat.example.dn42", "tok");
    auto r = verifier.verify(params, key.sign(other), "chat.example.dn42", now);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, AuthErrc::unauthorized);
    EXPECT_FALSE(verifier.verify(params, "bm90IGEgc2lnbmF0dXJl", "chat.example.dn42", now));
    EXPECT_FALSE(verifier.verify(params, "%%%", "chat.example.dn42", now));
    EXPECT_FALSE(verifier.verify(params, "", "chat.example.dn42", now));
}

TEST_F(Kioubit, SignatureByAnotherKeyRejected) {
    KioubitKey attacker;
    auto params = kioubit_params("4242421234", now, "chat.example.dn42", "tok");
    EXPECT_FALSE(verifier.verify(params, attacker.sign(params), "chat.example.dn42", now));
}

TEST_F(Kioubit, SignatureOverDecodedJsonRejected) {
    // The signed message is the base64 text, not the JSON it encodes.
    auto params = kioubit_params("4242421234", now, "chat.example.dn42", "tok");
    auto json = *crypto::base64_decode(params);
    EXPECT_FALSE(verifier.verify(params, key.sign(json), "chat.example.dn42", now));
}

TEST_F(Kioubit, StaleAndFutureTimesRejected) {
    for (std::int64_t t : {now - 61, now + 61, now - 3600, std::int64_t{0}}) {
        auto params = kioubit_params("4242421234", t, "chat.example.dn42", "tok");
        auto r = verifier.verify(params, key.sign(params), "chat.example.dn42", now);
        ASSERT_FALSE(r) << t;
        EXPECT_EQ(r.error().code, AuthErrc::expired);
    }
    for (std::int64_t t : {now - 60, now + 60}) {
        auto params = kioubit_params("4242421234", t, "chat.example.dn42", "tok");
        EXPECT_TRUE(verifier.verify(params, key.sign(params), "chat.example.dn42", now)) << t;
    }
}

TEST_F(Kioubit, WrongDomainRejected) {
    auto params = kioubit_params("4242421234", now, "evil.example.dn42", "tok");
    auto r = verifier.verify(params, key.sign(params), "chat.example.dn42", now);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, AuthErrc::unauthorized);
    // Case differences in the host are not a different domain.
    auto upper = kioubit_params("4242421234", now, "Chat.Example.DN42", "tok");
    EXPECT_TRUE(verifier.verify(upper, key.sign(upper), "chat.example.dn42", now));
    // A domain with our port (a URL's host and port) is ours; another host with a port is not.
    for (const char* domain : {"chat.example.dn42:8443", "127.0.0.1:3000"}) {
        auto p = kioubit_params("4242421234", now, domain, "tok");
        const std::string host = std::string(domain).substr(0, std::string(domain).find(':'));
        EXPECT_TRUE(verifier.verify(p, key.sign(p), host, now)) << domain;
    }
    auto v6 = kioubit_params("4242421234", now, "[::1]:8443", "tok");
    EXPECT_TRUE(verifier.verify(v6, key.sign(v6), "::1", now));
    auto other = kioubit_params("4242421234", now, "evil.example.dn42:443", "tok");
    EXPECT_FALSE(verifier.verify(other, key.sign(other), "chat.example.dn42", now));
}

TEST_F(Kioubit, MissingDomainRejectedWithoutCrash) {
    auto params = kioubit_params("4242421234", now, "", "tok");
    auto r = verifier.verify(params, key.sign(params), "chat.example.dn42", now);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, AuthErrc::unauthorized);
}

TEST_F(Kioubit, SignedGarbageRejected) {
    std::string params = crypto::base64_encode("[1,2,3]");
    EXPECT_FALSE(verifier.verify(params, key.sign(params), "chat.example.dn42", now));
    params = crypto::base64_encode("{\"asn\":\"1\"}");
    EXPECT_FALSE(verifier.verify(params, key.sign(params), "chat.example.dn42", now));
}

TEST(KioubitKeyFile, NonEcOrGarbageKeyRefused) {
    EXPECT_FALSE(KioubitVerifier::from_pem("not a key"));
    EXPECT_FALSE(KioubitVerifier::from_file("/nonexistent/key.pem"));
}

} // namespace
} // namespace tincan::server
