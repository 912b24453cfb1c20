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
    auto double_ts = parse_chat_message(R"({"timestamp":1745590000123.0})");
    ASSERT_TRUE(double_ts);
    EXPECT_EQ(double_ts->timestamp, 1745590000123);
}

TEST(ChatMessage, RejectsBadInput) {
    EXPECT_EQ(parse_chat_message("not json").error(), ProtocolError::malformed_json);
    EXPECT_EQ(parse_chat_message("[1]").error(), ProtocolError::not_an_object);
    EXPECT_EQ(parse_chat_message(R"({"message":5})").error(), ProtocolError::wrong_type);
    EXPECT_EQ(parse_chat_message(R"({"ack":"m1"})").error(), ProtocolError::wrong_type);
    EXPECT_EQ(parse_chat_message(R"({"ping":{"seq":"1"}})").error(), ProtocolError::wrong_type);
    EXPECT_EQ(parse_chat_message(R"({"timestamp":"now"})").error(), ProtocolError::wrong_type);
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

TEST(ChatMessage, EchoKeepsEveryFieldButIdentityAndAck) {
    auto m = parse_chat_message(
        R"({"messageId":"m1","fromNodeId":"A","toNodeId":"B","timestamp":7,"message":"hi",)"
        R"("richText":{"content":"hi","type":"text/plain"},"unread":true,"acked":true})");
    ASSERT_TRUE(m);
    auto echo = json::parse(make_echo(*m, "e1")).as_object();
    EXPECT_EQ(echo.at("messageId"), "e1");
    EXPECT_EQ(echo.at("fromNodeId"), "B");
    EXPECT_EQ(echo.at("toNodeId"), "A");
    EXPECT_EQ(echo.at("timestamp"), 7);
    EXPECT_EQ(echo.at("message"), "hi");
    EXPECT_EQ(echo.at("richText").at("content"), "hi");
    EXPECT_EQ(echo.at("unread"), true);
    EXPECT_FALSE(echo.contains("acked"));
    EXPECT_FALSE(echo.contains("ack"));
}

} // namespace
} // namespace tincan::common
