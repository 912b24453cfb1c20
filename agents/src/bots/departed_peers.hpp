#pragma once

#include <cstddef>
#include <deque>
#include <set>
#include <string>
#include <vector>

namespace tincan::agents {

/// Which leavers' per-peer state a bot keeps. The original keys such state (CounterBot's counter,
/// ChatBot's conversation) by the peer's node id and never drops it, so a peer that calls again
/// under the same node id goes on where it left off (PROTOCOL.md 6.3, 6.6); here the state of the
/// `limit` most recent leavers is kept and older leavers' is dropped.
class DepartedPeers {
public:
    explicit DepartedPeers(std::size_t limit) : limit_(limit) {}

    /// `peer_id` has state and a live connection (again).
    void present(const std::string& peer_id) { present_.insert(peer_id); }
    /// `peer_id`'s connection ended; returns the leavers whose state is to be dropped now.
    std::vector<std::string> left(const std::string& peer_id);

private:
    std::size_t limit_;
    std::set<std::string> present_;    ///< peers with state and a live connection
    std::deque<std::string> departed_; ///< leavers, oldest first (may repeat)
};

} // namespace tincan::agents
