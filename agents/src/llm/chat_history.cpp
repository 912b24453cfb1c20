#include "llm/chat_history.hpp"

#include "tincan/common/msgpatch.hpp"

namespace tincan::agents {

void ChatHistory::add(std::string role, std::string content) {
    if (content.size() > max_bytes_) {
        content = common::split_utf8(content, max_bytes_).front();
    }
    turns_.push_back({std::move(role), std::move(content)});
    while (turns_.size() > max_turns_) {
        turns_.pop_front();
    }
    // Never start with an assistant turn.
    while (!turns_.empty() && turns_.front().role != "user") {
        turns_.pop_front();
    }
}

} // namespace tincan::agents
