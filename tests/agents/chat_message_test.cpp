#include "tincan/common/chat_message.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace tincan::common {
namespace {

namespace json = boost::json;

TEST(ChatMessage, ParsesTextMessage) {
    auto m = parse_chat_message(R"({"messageId":"m1","fromNodeId":"A","toNodeId":"B",)"
                                R"("timestamp":1745590000123,"message":"hello","x":1})");
    ASSERT_TRUE(m);
    EXPECT_EQ(m->message_id, "m1");
    EXPECT_EQ(m->from_node_id, "A");
    EXPECT_EQ(m->to_node_id, "B");
    EXPECT_EQ(m->timestamp, 1745590000123);
    EXPECT_EQ(m->message, "hello");
    EXPECT_TRUE(m->is_plain_text());
}

TEST(ChatMessage, ClassifiesKinds) {
    auto ack = parse_chat_message(R"({"messageId":"a","ack":{"messageId":"m1"}})");
    ASSERT_TRUE(ack);
    EXPECT_EQ(ack->ack, "m1");
    EXPECT_FALSE(ack->is_plain_text());
    auto ping = parse_chat_message(R"({"messageId":"p","ping":{"direction":"ping","seq":7}})");
    ASSERT_TRUE(ping);
    ASSERT_TRUE(ping->ping);
    EXPECT_EQ(ping->ping->direction, "ping");
    EXPECT_EQ(ping->ping->seq, 7);
    auto rich = parse_chat_message(R"({"richText":{"content":"hi","type":"text/plain"}})");
    ASSERT_TRUE(rich);
    EXPECT_EQ(rich->rich_text, "hi");
    EXPECT_TRUE(rich->is_plain_text());
    auto file = parse_chat_message(R"({"message":"x","file":{"dcId":"3"}})");
    ASSERT_TRUE(file);
    EXPECT_FALSE(file->is_plain_text());
    auto image = parse_chat_message(
        R"({"file":{"category":"image","name":"a.png","size":12,"type":"","dcId":"3",)"
        R"("thumbnail":{"dataURL":"data:image/jpeg;base64,","mime":"image/jpeg"}},"acked":true})");
    ASSERT_TRUE(image);
    EXPECT_TRUE(image->has_file);
}

TEST(ChatMessage, RejectsBadInput) {
    EXPECT_EQ(parse_chat_message("not json").error(), ProtocolError::malformed_json);
    EXPECT_EQ(parse_chat_message("[1]").error(), ProtocolError::not_an_object);
    EXPECT_EQ(parse_chat_message(R"({"message":5})").error(), ProtocolError::wrong_type);
    EXPECT_EQ(parse_chat_message(R"({"ack":"m1"})").error(), ProtocolError::wrong_type);
    EXPECT_EQ(parse_chat_message(R"({"ping":{"seq":"1"}})").error(), ProtocolError::wrong_type);
    EXPECT_EQ(parse_chat_message(R"({"timestamp":"now"})").error(), ProtocolError::wrong_type);
    EXPECT_EQ(parse_chat_message(R"({"unread":"yes"})").error(), ProtocolError::wrong_type);
    EXPECT_EQ(parse_chat_message(R"({"richText":{"content":"x","type":1}})").error(),
              ProtocolError::wrong_type);
    // Whatever the original's Go decoder refuses fails the whole message (no ACK, no reply): a
    // number with a fraction or an exponent where its struct has an integer, `acked` that is not
    // a bool, and fields of `file`, `amend` and `delete` of other types.
    for (const char* bad :
         {R"({"message":"x","timestamp":1745590000123.0})", R"({"message":"x","timestamp":1e3})",
          R"({"ping":{"direction":"ping","seq":1.5}})", R"({"message":"x","acked":"yes"})",
          R"({"message":"x","file":{"dcId":3}})", R"({"message":"x","file":{"size":"12"}})",
          R"({"message":"x","file":{"size":1.5}})",
          R"({"message":"x","file":{"thumbnail":{"mime":1}}})",
          R"({"message":"x","file":{"thumbnail":"x"}})", R"({"amend":{"newMessageJSON":{}}})",
          R"({"message":"x","delete":{"messageId":7}})"}) {
        auto parsed = parse_chat_message(bad);
        EXPECT_FALSE(parsed) << bad;
        if (!parsed) {
            EXPECT_EQ(parsed.error(), ProtocolError::wrong_type) << bad;
        }
    }
    std::string big = R"({"message":")" + std::string(max_chat_message_size, 'x') + R"("})";
    EXPECT_EQ(parse_chat_message(big).error(), ProtocolError::too_large);
}

TEST(ChatMessage, AckAndReplyAreAddressedBackToTheSender) {
    auto m = parse_chat_message(R"({"messageId":"m1","fromNodeId":"A","toNodeId":"B",)"
                                R"("timestamp":1,"message":"/start"})");
    ASSERT_TRUE(m);
    auto ack = json::parse(make_ack(*m, "n1", 42)).as_object();
    EXPECT_EQ(ack.at("messageId"), "n1");
    EXPECT_EQ(ack.at("fromNodeId"), "B");
    EXPECT_EQ(ack.at("toNodeId"), "A");
    EXPECT_EQ(ack.at("timestamp"), 42);
    EXPECT_EQ(ack.at("ack").at("messageId"), "m1");
    EXPECT_FALSE(ack.contains("message"));

    auto reply = json::parse(make_text_reply(*m, "n2", 43, "Counter reset!")).as_object();
    EXPECT_EQ(reply.at("fromNodeId"), "B");
    EXPECT_EQ(reply.at("toNodeId"), "A");
    EXPECT_EQ(reply.at("message"), "Counter reset!");
}

TEST(ChatMessage, PongKeepsSeqAndSwapsPeers) {
    auto m = parse_chat_message(R"({"messageId":"p","fromNodeId":"A","toNodeId":"B",)"
                                R"("timestamp":5,"ping":{"direction":"ping","seq":12}})");
    ASSERT_TRUE(m);
    auto pong = json::parse(make_pong(*m, "q", 6)).as_object();
    EXPECT_EQ(pong.at("ping").at("direction"), "pong");
    EXPECT_EQ(pong.at("ping").at("seq"), 12);
    EXPECT_EQ(pong.at("fromNodeId"), "B");
    EXPECT_EQ(pong.at("toNodeId"), "A");
    EXPECT_EQ(pong.at("messageId"), "q");
}

TEST(ChatMessage, EchoIsTheReceivedMessageDecodedAndEncodedAsTheOriginalDoes) {
    // PROTOCOL.md 6.2: the original decodes into its ChatMessage struct, swaps the node ids, sets
    // a new id, clears ack/acked and encodes it again: fields it does not know are dropped (also
    // inside richText), the rest come in the struct's order, `timestamp` always and the optional
    // ones when present (not null), richText with both of its fields.
    auto m = parse_chat_message(
        R"({"x":{"y":1},"richText":{"type":"text/plain","content":"hi","font":"serif"},)"
        R"("acked":true,"message":"hi","unread":true,"timestamp":7,"toNodeId":"B",)"
        R"("tincanFeatures":"msgpatch-stream","fromNodeId":"A","messageId":"m1"})");
    ASSERT_TRUE(m);
    EXPECT_EQ(make_echo(*m, "e1"),
              R"({"messageId":"e1","fromNodeId":"B","toNodeId":"A","timestamp":7,"unread":true,)"
              R"("message":"hi","richText":{"content":"hi","type":"text/plain"}})");

    const auto echo_of = [](std::string_view text) {
        auto parsed = parse_chat_message(text);
        return parsed ? make_echo(*parsed, "e1") : std::string("(not parsed)");
    };
    EXPECT_EQ(echo_of(R"({"message":"","unread":false})"),
              R"({"messageId":"e1","fromNodeId":"","toNodeId":"","timestamp":0,"unread":false,)"
              R"("message":""})");
    EXPECT_EQ(echo_of(R"({"richText":{"content":"x"},"message":null,"unread":null})"),
              R"({"messageId":"e1","fromNodeId":"","toNodeId":"","timestamp":0,)"
              R"("richText":{"content":"x","type":""}})");
}

} // namespace
} // namespace tincan::common
