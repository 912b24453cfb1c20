#include "tincan/common/msgpatch.hpp"

#include <gtest/gtest.h>

namespace tincan::common {
namespace {

TEST(MsgPatch, EncodesTheWireLayout) {
    auto bytes = encode_patch({PatchKind::replace, "ab", "xyz"});
    ASSERT_TRUE(bytes);
    EXPECT_EQ(*bytes, (std::vector<std::uint8_t>{1, 0, 2, 'a', 'b', 0, 3, 'x', 'y', 'z'}));
    auto append = encode_patch({PatchKind::append, "", ""});
    ASSERT_TRUE(append);
    EXPECT_EQ(*append, (std::vector<std::uint8_t>{0, 0, 0, 0, 0}));
}

TEST(MsgPatch, LengthsAreBigEndianBytes) {
    std::string id(300, 'i');
    std::string value = "🕐 " + std::string(700, 'v'); // multi-byte UTF-8 counts bytes
    auto bytes = encode_patch({PatchKind::replace, id, value});
    ASSERT_TRUE(bytes);
    EXPECT_EQ((*bytes)[1], 300 >> 8);
    EXPECT_EQ((*bytes)[2], 300 & 0xff);
    const std::size_t v = value.size();
    EXPECT_EQ((*bytes)[3 + 300], v >> 8);
    EXPECT_EQ((*bytes)[4 + 300], v & 0xff);
    auto back = decode_patch(*bytes);
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, (PatchOrder{PatchKind::replace, id, value}));
}

TEST(MsgPatch, RoundTripsAndRejectsTruncation) {
    PatchOrder order{PatchKind::append, "5b8e-uuid", "token"};
    auto bytes = encode_patch(order);
    ASSERT_TRUE(bytes);
    EXPECT_EQ(decode_patch(*bytes).value(), order);
    for (std::size_t n = 0; n < bytes->size(); ++n) {
        EXPECT_FALSE(decode_patch(std::span(bytes->data(), n))) << n;
    }
    auto longer = *bytes;
    longer.push_back(0);
    EXPECT_EQ(decode_patch(longer).error(), ProtocolError::too_large);
}

TEST(MsgPatch, RefusesOversizedOrdersInsteadOfTruncating) {
    EXPECT_EQ(encode_patch({PatchKind::append, "id", std::string(65536, 'x')}).error(),
              ProtocolError::too_large);
    EXPECT_EQ(encode_patch({PatchKind::append, std::string(65536, 'x'), ""}).error(),
              ProtocolError::too_large);
    // Fits the 16-bit field but not one 64 KiB data-channel message.
    EXPECT_EQ(
        encode_patch({PatchKind::append, std::string(100, 'i'), std::string(65500, 'x')}).error(),
        ProtocolError::too_large);
}

TEST(MsgPatch, SplitUtf8KeepsSequencesWhole) {
    EXPECT_EQ(split_utf8("aé🎵b", 4), (std::vector<std::string>{"aé", "🎵", "b"}));
    EXPECT_EQ(split_utf8("abcdef", 4), (std::vector<std::string>{"abcd", "ef"}));
    EXPECT_TRUE(split_utf8("", 4).empty());
}

} // namespace
} // namespace tincan::common
