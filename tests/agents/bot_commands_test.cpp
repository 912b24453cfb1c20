// What a peer sees on `chat` when it talks to a bot (PROTOCOL.md 4.4, 5.1, 6.2-6.6): ACKs first,
// then the exact reply texts. A fake PeerContext records what the bot sends.

#include "bots/chat_bot.hpp"
#include "bots/clock_bot.hpp"
#include "bots/counter_bot.hpp"
#include "bots/echo_bot.hpp"
#include "bots/music_bot.hpp"
#include "tincan/common/chat_message.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace tincan::agents::test {
namespace {

namespace json = boost::json;

class RecordingPeer : public PeerContext {
public:
    const std::string& peer_id() const override { return peer_id_; }
    const std::string& own_node_id() const override { return own_id_; }
    bool send_chat(const std::string& json) override {
        auto m = common::parse_chat_message(json);
        EXPECT_TRUE(m) << json;
        if (m) {
            sent.push_back(*m);
        }
        return true;
    }
    std::shared_ptr<DataChannel> open_channel(const std::string&) override { return nullptr; }
    std::shared_ptr<DataChannel> patch_channel() override { return nullptr; }
    bool send_patch(const common::PatchOrder&) override { return false; }
    bool attach_audio(GstElement*, std::uint32_t, std::function<void()>,
                      std::function<void()>) override {
        return false;
    }
    bool detach_audio(GstElement*) override { return false; }

    std::vector<common::ChatMessage> sent;

private:
    std::string peer_id_ = "browser-node";
    std::string own_id_ = "bot-node";
};

common::ChatMessage incoming(json::object fields) {
    json::object o{{"messageId", "m-1"},
                   {"fromNodeId", "browser-node"},
                   {"toNodeId", "bot-node"},
                   {"timestamp", 1745590000123}};
    for (auto& [k, v] : fields) {
        o[k] = v;
    }
    return *common::parse_chat_message(json::serialize(o));
}

/// The replies (ACKs left out) a bot sends to `text`, after checking the ACK came first.
std::vector<std::string> replies_to(Bot& bot, const std::string& text) {
    auto peer = std::make_shared<RecordingPeer>();
    bot.on_message(peer, incoming({{"message", text}}));
    EXPECT_FALSE(peer->sent.empty());
    std::vector<std::string> out;
    for (std::size_t i = 0; i < peer->sent.size(); ++i) {
        const auto& m = peer->sent[i];
        EXPECT_EQ(m.from_node_id, "bot-node");
        EXPECT_EQ(m.to_node_id, "browser-node");
        if (i == 0) {
            EXPECT_EQ(m.ack, "m-1"); // ACK before acting (4.4)
        } else if (m.message) {
            out.push_back(*m.message);
        }
    }
    return out;
}

TEST(BotCommands, CounterBotHelpIsTheOriginalText) {
    CounterBot bot;
    EXPECT_EQ(replies_to(bot, "/start"),
              std::vector<std::string>{"🔢 Counter Bot - Available Commands:\n"
                                       "\n"
                                       "/start - Show this help message\n"
                                       "/increase - Increase your personal counter by 1\n"
                                       "/reset - Reset your personal counter to 0\n"
                                       "\n"
                                       "Your counter is personal and independent from other "
                                       "users!"});
}

/// The bot's one reply to `/start` begins with `head`.
void expect_help_starting_with(Bot& bot, const std::string& head) {
    auto replies = replies_to(bot, "/start");
    ASSERT_EQ(replies.size(), 1u);
    EXPECT_EQ(replies[0].rfind(head, 0), 0u) << replies[0];
}

TEST(BotCommands, ClockAndMusicBotHelpListTheirCommandsAfterABlankLine) {
    ClockBot clock;
    expect_help_starting_with(clock, "🕐 Clock Bot - Available Commands:\n"
                                     "\n"
                                     "/start - Show this help message\n"
                                     "/now - Display a real-time clock that updates every second\n"
                                     "\n");
    MusicBot music(std::vector<std::string>{});
    expect_help_starting_with(music, "🎵 WebRTC Audio Bot - Available Commands:\n"
                                     "\n"
                                     "/start - Show this help message\n"
                                     "/list - List all available audio tracks\n"
                                     "/play <track_name> - Play a specific audio track\n");
}

TEST(BotCommands, CommandBotsAckUnknownAndOddlySpacedCommandsWithoutReplying) {
    CounterBot counter;
    ClockBot clock;
    MusicBot music(std::vector<std::string>{});
    for (Bot* bot : std::initializer_list<Bot*>{&counter, &clock, &music}) {
        for (const char* text :
             {"/START", " /start", "/start ", "/increase please", "hello", "", "/play", "/play "}) {
            EXPECT_TRUE(replies_to(*bot, text).empty()) << bot->name() << ": '" << text << "'";
        }
    }
    // The name is everything after "/play ", spaces included (exact match, no trimming).
    EXPECT_EQ(replies_to(music, "/play  A4"),
              std::vector<std::string>{
                  "Error: Track ' A4' not found. Use /list to see available tracks."});
}

TEST(BotCommands, ChatBotAcksEveryMessageWithATextField) {
    ChatBot bot(LlmConfig{}); // not configured: it says so to every text
    const auto acked_then = [&](json::object fields) {
        auto peer = std::make_shared<RecordingPeer>();
        bot.on_message(peer, incoming(std::move(fields)));
        std::vector<std::string> out;
        for (std::size_t i = 0; i < peer->sent.size(); ++i) {
            if (i == 0) {
                EXPECT_EQ(peer->sent[0].ack, "m-1");
            } else {
                out.push_back(peer->sent[i].message.value_or("?"));
            }
        }
        return std::make_pair(!peer->sent.empty(), out.size());
    };
    EXPECT_EQ(acked_then({{"message", "hi"}}), std::make_pair(true, std::size_t{1}));
    EXPECT_EQ(acked_then({{"richText", json::object{{"content", "hi"}, {"type", "text/plain"}}}}),
              std::make_pair(true, std::size_t{1}));
    // An empty text is ACKed (it has a `message` field) but needs no answer.
    EXPECT_EQ(acked_then({{"message", ""}}), std::make_pair(true, std::size_t{0}));
    // No text field: file announcements, amends, deletes get nothing, not even an ACK.
    EXPECT_EQ(acked_then({{"file", json::object{{"category", "file"}, {"dcId", "3"}}}}),
              std::make_pair(false, std::size_t{0}));
    EXPECT_EQ(acked_then({{"delete", json::object{{"messageId", "x"}}}}),
              std::make_pair(false, std::size_t{0}));
}

} // namespace
} // namespace tincan::agents::test
