#pragma once

#include <cstddef>
#include <deque>
#include <string>

namespace tincan::agents {

/// One conversation's recent turns, bounded in count and in bytes per message (PROTOCOL.md
/// 10.3.3: the original sent the whole unbounded history every turn).
class ChatHistory {
public:
    struct Turn {
        std::string role; ///< "user" or "assistant"
        std::string content;
    };

    explicit ChatHistory(std::size_t max_turns = 20, std::size_t max_bytes = 8000)
        : max_turns_(max_turns), max_bytes_(max_bytes) {}

    void add(std::string role, std::string content);
    const std::deque<Turn>& turns() const noexcept { return turns_; }

private:
    std::size_t max_turns_;
    std::size_t max_bytes_;
    std::deque<Turn> turns_;
};

} // namespace tincan::agents
