#include "bots/departed_peers.hpp"

#include <algorithm>

namespace tincan::agents {

std::vector<std::string> DepartedPeers::left(const std::string& peer_id) {
    std::vector<std::string> forget;
    if (present_.erase(peer_id) == 0) {
        return forget; // it had no state
    }
    departed_.push_back(peer_id);
    while (departed_.size() > limit_) {
        const auto oldest = std::move(departed_.front());
        departed_.pop_front();
        // Came back since (and may have left again later in the queue): not this entry's turn.
        if (!present_.contains(oldest) &&
            std::find(departed_.begin(), departed_.end(), oldest) == departed_.end()) {
            forget.push_back(oldest);
        }
    }
    return forget;
}

} // namespace tincan::agents
