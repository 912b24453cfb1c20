#pragma once
// Small thread-safe cache of proxied avatars (URL -> image), so every browser drawing a peer list
// does not make the server fetch the same GitHub avatar again. Bounded by entries and bytes;
// entries expire; failures are remembered briefly so a dead upstream is not hammered.

#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace tincan::server {

struct CachedAvatar {
    unsigned status = 200; // 200 with an image, or the error status to repeat
    std::string content_type;
    std::string body;
};

class AvatarCache {
public:
    AvatarCache(std::size_t max_entries, std::size_t max_bytes)
        : max_entries_(max_entries), max_bytes_(max_bytes) {}

    std::optional<CachedAvatar> get(const std::string& url, std::int64_t now);
    void put(const std::string& url, CachedAvatar avatar, std::int64_t expires_at);

private:
    struct Entry {
        CachedAvatar avatar;
        std::int64_t expires_at;
        std::list<std::string>::iterator lru;
    };
    void evict_one();

    std::mutex mutex_;
    std::size_t max_entries_;
    std::size_t max_bytes_;
    std::size_t bytes_ = 0;
    std::list<std::string> lru_; // front = most recently used
    std::unordered_map<std::string, Entry> entries_;
};

} // namespace tincan::server
