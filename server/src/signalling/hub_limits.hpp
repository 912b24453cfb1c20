#pragma once

#include <cstddef>

namespace tincan::server {

/// Size limits the hub enforces on registered state.
struct HubLimits {
    std::size_t max_name_bytes = 64;
    std::size_t max_token_bytes = 4096;
    std::size_t max_attributes = 32;
    std::size_t max_attribute_key_bytes = 64;
    std::size_t max_attribute_value_bytes = 1024;
    std::size_t max_node_id_bytes = 64;
    int color_count = 10; ///< valid colour indexes are 0 .. color_count-1
    /// Renames and repeated registrations of one connection (each is broadcast to everyone, and
    /// every web client then reads /conns again): per second on average, and in a burst.
    double announces_per_sec = 2;
    double announce_burst = 10;
};

} // namespace tincan::server
