#include "llm/chat_history.hpp"
#include "llm/sse_parser.hpp"

#include <gtest/gtest.h>

namespace tincan::agents {
namespace {

TEST(SseParser, EventsSplitAcrossChunksAtAnyByte) {
    const std::string stream = ": keep-alive\n\n"
                               "data: {\"a\":1}\n\n"
                               "event: note\r\ndata: line1\r\ndata: line2\r\n\r\n"
                               "data: [DONE]\n\n";
    for (std::size_t step = 1; step <= stream.size(); ++step) {
        SseParser parser;
        std::vector<SseEvent> events;
        for (std::size_t i = 0; i < stream.size(); i += step) {
            for (auto& e : parser.feed(std::string_view(stream).substr(i, step))) {
                events.push_back(std::move(e));
            }
        }
        ASSERT_EQ(events.size(), 3u) << "step " << step;
        EXPECT_EQ(events[0].event, "message");
        EXPECT_EQ(events[0].data, "{\"a\":1}");
        EXPECT_EQ(events[1].event, "note");
        EXPECT_EQ(events[1].data, "line1\nline2");
        EXPECT_EQ(events[2].data, "[DONE]");
    }
}

TEST(SseParser, IncompleteEventIsNotDispatched) {
    SseParser parser;
    EXPECT_TRUE(parser.feed("data: partial").empty());
    EXPECT_TRUE(parser.feed("\n").empty());
    EXPECT_EQ(parser.feed("\n").size(), 1u);
}

TEST(CompletionChunk, DeltasDoneAndErrors) {
    auto d = parse_completion_chunk(R"({"choices":[{"delta":{"content":"Hel"}}]})");
    EXPECT_EQ(d.kind, CompletionChunk::Kind::delta);
    EXPECT_EQ(d.text, "Hel");
    EXPECT_EQ(parse_completion_chunk("[DONE]").kind, CompletionChunk::Kind::done);
    auto role_only = parse_completion_chunk(R"({"choices":[{"delta":{"role":"assistant"}}]})");
    EXPECT_EQ(role_only.kind, CompletionChunk::Kind::ignore);
    auto err = parse_completion_chunk(
        R"({"error":{"message":"upstream secret sk-123 details","code":429}})");
    EXPECT_EQ(err.kind, CompletionChunk::Kind::error);
    EXPECT_EQ(err.text.find("sk-123"), std::string::npos); // upstream text never passed on
    EXPECT_NE(err.text.find("429"), std::string::npos);
    EXPECT_EQ(parse_completion_chunk("not json").kind, CompletionChunk::Kind::ignore);
    EXPECT_EQ(parse_completion_chunk(R"({"choices":[]})").kind, CompletionChunk::Kind::ignore);
}

TEST(CompletionChunk, AWholeJsonAnswerInsteadOfAStream) {
    auto c = parse_completion_body(
        R"({"choices":[{"index":0,"message":{"role":"assistant","content":"Hi there"}}]})");
    EXPECT_EQ(c.kind, CompletionChunk::Kind::delta);
    EXPECT_EQ(c.text, "Hi there");
    c = parse_completion_body(R"({"error":{"code":429,"message":"secret detail"}})");
    EXPECT_EQ(c.kind, CompletionChunk::Kind::error);
    EXPECT_EQ(c.text.find("secret"), std::string::npos);
    EXPECT_NE(c.text.find("429"), std::string::npos);
    EXPECT_EQ(parse_completion_body("not json").kind, CompletionChunk::Kind::error);
    EXPECT_EQ(parse_completion_body(R"({"choices":[]})").kind, CompletionChunk::Kind::ignore);
    // A message without text is an empty answer (the original reads its content as "").
    for (const char* empty : {R"({"choices":[{"message":{"role":"assistant","content":""}}]})",
                              R"({"choices":[{"message":{"role":"assistant","content":null}}]})",
                              R"({"choices":[{"message":{"role":"assistant"}}]})"}) {
        c = parse_completion_body(empty);
        EXPECT_EQ(c.kind, CompletionChunk::Kind::delta) << empty;
        EXPECT_EQ(c.text, "") << empty;
    }
}

TEST(ChatHistory, BoundedInTurnsAndBytesAndStartsWithUser) {
    ChatHistory h(4, 10);
    for (int i = 0; i < 5; ++i) {
        h.add("user", "q" + std::to_string(i));
        h.add("assistant", "a" + std::to_string(i));
    }
    ASSERT_EQ(h.turns().size(), 4u);
    EXPECT_EQ(h.turns().front().role, "user");
    EXPECT_EQ(h.turns().front().content, "q3");
    EXPECT_EQ(h.turns().back().content, "a4");
    h.add("user", std::string(100, 'x'));
    EXPECT_EQ(h.turns().back().content.size(), 10u);
    ChatHistory odd(3, 100);
    odd.add("user", "1");
    odd.add("assistant", "2");
    odd.add("user", "3");
    odd.add("assistant", "4"); // dropping "1" would leave "2" first: it goes too
    EXPECT_EQ(odd.turns().front().content, "3");
}

} // namespace
} // namespace tincan::agents
