// TURN relay credentials from the server's `/ice-servers` (docs/protocol.md): where they are
// asked for, how they become webrtcbin URLs, and when they are renewed, retried and dropped.

#include "rtc_fixture.hpp"
#include "signalling/turn_credentials.hpp"

#include <deque>

namespace tincan::agents::test {
namespace {

TEST(TurnCredentials, TheRouteLivesBesideTheWebSocket) {
    EXPECT_EQ(ice_servers_url("ws://127.0.0.1:3001/api/ws"),
              "http://127.0.0.1:3001/api/ice-servers");
    EXPECT_EQ(ice_servers_url("wss://chat.example/ws"), "https://chat.example/ice-servers");
    EXPECT_EQ(ice_servers_url("wss://chat.example/ws?x=1"), "https://chat.example/ice-servers");
    EXPECT_EQ(ice_servers_url("ws://[::1]:8080"), "http://[::1]:8080/ice-servers");
    EXPECT_EQ(ice_servers_url("http://chat.example/ws"), "");
}

TEST(TurnCredentials, AnswerBecomesWebrtcbinUrlsWithEscapedCredentials) {
    auto answer = parse_ice_servers(
        R"({"iceServers":[{"urls":["turn:relay.example:3478?transport=udp","turns:relay.example:5349"],
            "username":"1795643000:9f2c0a61","credential":"a+b/c="},
           {"urls":"stun:stun.example:3478"},{"urls":["turn:nocreds.example"]}],"ttl":43200})");
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->ttl, std::chrono::seconds(43200));
    EXPECT_EQ(answer->urls,
              (std::vector<std::string>{
                  "turn://1795643000%3A9f2c0a61:a%2Bb%2Fc%3D@relay.example:3478?transport=udp",
                  "turns://1795643000%3A9f2c0a61:a%2Bb%2Fc%3D@relay.example:5349",
                  "stun://stun.example:3478"}));
    EXPECT_FALSE(parse_ice_servers("not json"));
    EXPECT_FALSE(parse_ice_servers(R"({"ttl":5})"));
}

class TurnRenewal : public MainContextTest {
protected:
    /// Answers queued by the test, one per fetch; each fetch is counted.
    std::deque<std::pair<unsigned, std::string>> answers_;
    int fetches_ = 0;

    std::unique_ptr<TurnCredentials> make() {
        auto t = std::make_unique<TurnCredentials>(
            "http://server/api/ice-servers",
            [this](const std::string&, std::function<void(unsigned, std::string)> done) {
                ++fetches_;
                auto answer =
                    answers_.empty() ? std::make_pair(0u, std::string()) : answers_.front();
                if (!answers_.empty()) {
                    answers_.pop_front();
                }
                post(context_, [done, answer] { done(answer.first, answer.second); });
            },
            context_);
        t->min_renewal = std::chrono::milliseconds(0);
        t->retry_delay = std::chrono::milliseconds(100);
        return t;
    }
    static std::string relay(int ttl) {
        return R"({"iceServers":[{"urls":["turn:relay.example:3478"],"username":"u","credential":"p"}],"ttl":)" +
               std::to_string(ttl) + "}";
    }
};

TEST_F(TurnRenewal, RenewedAtHalfTheirLifetimeKeptThroughFailuresDroppedWhenExpired) {
    answers_ = {{200, relay(2)}, {200, relay(2)}, {503, ""}};
    auto turn = make();
    turn->refresh();
    ASSERT_TRUE(wait_for([&] { return turn->answers() == 1; }));
    EXPECT_EQ(turn->urls(), std::vector<std::string>{"turn://u:p@relay.example:3478"});
    // Renewed after half the ttl (1 s), not before.
    EXPECT_FALSE(wait_for([&] { return fetches_ > 1; }, std::chrono::milliseconds(700)));
    ASSERT_TRUE(wait_for([&] { return turn->answers() == 2; }, std::chrono::milliseconds(2000)));
    // The next renewal fails: retried (no answer at all from then on), the credentials are kept
    // until they expire, then dropped.
    ASSERT_TRUE(wait_for([&] { return turn->answers() == 3; }, std::chrono::milliseconds(2000)));
    EXPECT_FALSE(turn->urls().empty());
    ASSERT_TRUE(wait_for([&] { return turn->answers() >= 4; }, std::chrono::milliseconds(1000)));
    ASSERT_TRUE(wait_for([&] { return turn->urls().empty(); }, std::chrono::milliseconds(2000)));
    turn->stop();
}

TEST_F(TurnRenewal, NoRelayOnTheServerMeansNoMoreRequestsUntilTheNextRegistration) {
    answers_ = {{404, R"({"err":"no TURN relay is configured"})"}, {200, relay(60)}};
    auto turn = make();
    turn->refresh();
    ASSERT_TRUE(wait_for([&] { return turn->answers() == 1; }));
    EXPECT_TRUE(turn->urls().empty());
    EXPECT_FALSE(wait_for([&] { return fetches_ > 1; }, std::chrono::milliseconds(300)));
    turn->refresh(); // registered again: the server may offer a relay now
    ASSERT_TRUE(wait_for([&] { return !turn->urls().empty(); }));
}

} // namespace
} // namespace tincan::agents::test
