#include "auth/avatar_cache.hpp"

namespace tincan::server {

std::optional<CachedAvatar> AvatarCache::get(const std::string& url, std::int64_t now) {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(url);
    if (it == entries_.end()) {
        return std::nullopt;
    }
    if (it->second.expires_at <= now) {
        bytes_ -= it->second.avatar.body.size();
        lru_.erase(it->second.lru);
        entries_.erase(it);
        return std::nullopt;
    }
    lru_.splice(lru_.begin(), lru_, it->second.lru);
    return it->second.avatar;
}

void AvatarCache::put(const std::string& url, CachedAvatar avatar, std::int64_t expires_at) {
    std::lock_guard lock(mutex_);
    if (avatar.body.size() > max_bytes_ / 4) {
        return;
    }
    if (auto it = entries_.find(url); it != entries_.end()) {
        bytes_ -= it->second.avatar.body.size();
        lru_.erase(it->second.lru);
        entries_.erase(it);
    }
    while (!entries_.empty() &&
           (entries_.size() >= max_entries_ || bytes_ + avatar.body.size() > max_bytes_)) {
        evict_one();
    }
    lru_.push_front(url);
    bytes_ += avatar.body.size();
    entries_.emplace(url, Entry{std::move(avatar), expires_at, lru_.begin()});
}

void AvatarCache::evict_one() {
    auto it = entries_.find(lru_.back());
    bytes_ -= it->second.avatar.body.size();
    entries_.erase(it);
    lru_.pop_back();
}

} // namespace tincan::server
