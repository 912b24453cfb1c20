#include "tincan/common/signalling.hpp"

#include <boost/json.hpp>
#include <fstream>
#include <gtest/gtest.h>
#include <sstream>

namespace json = boost::json;
using namespace tincan::common;

namespace {

std::string read_file(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

json::array fixture_index(const std::string& dir) {
    return json::parse(read_file(std::string(TINCAN_FIXTURES_DIR) + "/" + dir + "/index.json"))
        .as_array();
}

} // namespace

TEST(SignallingCodec, EveryValidFixtureDecodesAndRoundTrips) {
    const auto index = fixture_index("valid");
    ASSERT_GE(index.size(), 15U);
    for (const auto& entry : index) {
        const std::string file(entry.at("file").as_string());
        SCOPED_TRACE(file);
        const auto text = read_file(std::string(TINCAN_FIXTURES_DIR) + "/valid/" + file);
        auto decoded = decode_envelope(text);
        ASSERT_TRUE(decoded) << decoded.error().message();
        EXPECT_FALSE(decoded->empty());
        // Re-encoding keeps every known key's content.
        auto again = decode_envelope(encode_envelope(*decoded));
        ASSERT_TRUE(again);
        EXPECT_EQ(encode_envelope(*again), encode_envelope(*decoded));
    }
}

TEST(SignallingCodec, EveryInvalidFixtureFailsWithItsErrorCode) {
    const auto index = fixture_index("invalid");
    ASSERT_GE(index.size(), 15U);
    for (const auto& entry : index) {
        const std::string file(entry.at("file").as_string());
        const std::string want(entry.at("error").as_string());
        SCOPED_TRACE(file);
        const auto text = read_file(std::string(TINCAN_FIXTURES_DIR) + "/invalid/" + file);
        auto decoded = decode_envelope(text);
        ASSERT_FALSE(decoded) << "decoded although invalid";
        EXPECT_EQ(decoded.error().category(), protocol_category());
        EXPECT_EQ(error_name(static_cast<ProtocolError>(decoded.error().value())), want);
    }
}

TEST(SignallingCodec, DecodesTheWebClientFirstFrame) {
    auto env = decode_envelope(R"({"register":{"node_name":"alice"},)"
                               R"("attributes_announcement":{"attributes":)"
                               R"({"support_attachment":"true","preferred_color":"3"}}})");
    ASSERT_TRUE(env);
    ASSERT_TRUE(env->register_);
    EXPECT_EQ(env->register_->node_name, "alice");
    EXPECT_FALSE(env->register_->token);
    ASSERT_TRUE(env->attributes_announcement);
    EXPECT_EQ(env->attributes_announcement->attributes.at("preferred_color"), "3");
}

TEST(SignallingCodec, NullAttributeValuesAndWithdrawalsAreEmptyStringsAsInGo) {
    // Go decodes JSON null into a map's or slice's string as "": the frame stands.
    auto env = decode_envelope(R"({"attributes_announcement":{"attributes":{"a":null,"b":"x"},)"
                               R"("withdrawals":[null,"c"]}})");
    ASSERT_TRUE(env);
    ASSERT_TRUE(env->attributes_announcement);
    EXPECT_EQ(env->attributes_announcement->attributes.at("a"), "");
    EXPECT_EQ(env->attributes_announcement->attributes.at("b"), "x");
    EXPECT_EQ(env->attributes_announcement->withdrawals, (std::vector<std::string>{"", "c"}));
    // Other types still refuse the frame.
    EXPECT_FALSE(decode_envelope(R"({"attributes_announcement":{"attributes":{"a":1}}})"));
    EXPECT_FALSE(decode_envelope(R"({"attributes_announcement":{"withdrawals":[true]}})"));
}

TEST(SignallingCodec, EchoNumbersAreUnsigned64Bit) {
    auto env = decode_envelope(
        R"({"echo":{"direction":"ping","correlation_id":"c","timestamp":18446744073709551615,"seq_id":3}})");
    ASSERT_TRUE(env);
    EXPECT_EQ(env->echo->timestamp, UINT64_MAX);
    EXPECT_EQ(env->echo->seq_id, 3U);
}

TEST(SignallingCodec, NegativeZeroFailsAnUnsignedFieldAndIsZeroForASignedOneAsInGo) {
    // Go's encoding/json: strconv.ParseUint refuses `-0` (the echo numbers are uint64), while
    // ParseInt takes it as 0 (indexOfPreferColor is an *int).
    for (const std::string field : {"server_timestamp", "timestamp", "seq_id", "seq\\u005fid"}) {
        const auto text = R"({"echo":{"direction":"ping",")" + field + R"(":-0}})";
        auto env = decode_envelope(text);
        ASSERT_FALSE(env) << text;
        EXPECT_EQ(env.error(), make_error_code(ProtocolError::wrong_type)) << text;
    }
    // Also when the same key has a good value too: Go keeps the first decoding error.
    EXPECT_FALSE(decode_envelope(R"({"echo":{"seq_id":-0,"seq_id":1}})"));
    // `-0` anywhere else stands: unknown keys, the same key at another level, a signed field.
    auto env = decode_envelope(R"({"echo":{"direction":"ping","seq_id":0,"x":-0,"y":[-0],)"
                               R"("correlation_id":"a-0"},"seq_id":-0,)"
                               R"("rename":{"new_preference":{"indexOfPreferColor":-0}}})");
    ASSERT_TRUE(env) << env.error().message();
    EXPECT_EQ(env->echo->seq_id, 0U);
    EXPECT_EQ(env->rename->new_preference.index_of_prefer_color, 0);
    // A fraction is no integer for either.
    EXPECT_FALSE(decode_envelope(R"({"rename":{"new_preference":{"indexOfPreferColor":-0.0}}})"));
    EXPECT_FALSE(decode_envelope(R"({"echo":{"timestamp":-0e0}})"));
}

TEST(SignallingCodec, EncodesPongInTheOriginalShape) {
    Envelope env;
    env.node_id = "n1";
    env.echo = EchoPayload{"pong", "corr", 20, 10, 7};
    EXPECT_EQ(encode_envelope(env),
              R"({"node_id":"n1","echo":{"direction":"pong","correlation_id":"corr",)"
              R"("server_timestamp":20,"timestamp":10,"seq_id":7}})");
}

TEST(SignallingCodec, EncodesRegisterReplyWithTokenOnlyWhenGiven) {
    Envelope env;
    env.node_id = "n1";
    env.register_ = RegisterPayload{"user0000", std::nullopt};
    EXPECT_EQ(encode_envelope(env), R"({"node_id":"n1","register":{"node_name":"user0000"}})");
    env.register_->token = "t";
    EXPECT_EQ(encode_envelope(env),
              R"({"node_id":"n1","register":{"node_name":"user0000","token":"t"}})");
}

TEST(SignallingCodec, RenameOmitsAbsentPreferenceFields) {
    Envelope env;
    env.rename = RenamePayload{Preference{"bob", std::nullopt}, std::nullopt};
    EXPECT_EQ(encode_envelope(env), R"({"rename":{"new_preference":{"name":"bob"}}})");
}
