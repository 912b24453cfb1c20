#include "signalling/turn_credentials.hpp"

#include <boost/json.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace tincan::agents {
namespace json = boost::json;

namespace {

std::string escape(const std::string& s) {
    gchar* e = g_uri_escape_string(s.c_str(), nullptr, FALSE);
    std::string out = e;
    g_free(e);
    return out;
}

/// `turn:host:port?transport=udp` + credentials -> `turn://user:pass@host:port?transport=udp`.
std::optional<std::string> to_gst_url(const std::string& url, const std::string* user,
                                      const std::string* pass) {
    for (const std::string scheme : {"turns:", "turn:", "stuns:", "stun:"}) {
        if (!url.starts_with(scheme)) {
            continue;
        }
        auto rest = url.substr(scheme.size());
        if (rest.starts_with("//")) {
            rest.erase(0, 2);
        }
        if (scheme.starts_with("stun")) {
            return scheme + "//" + rest;
        }
        if (user == nullptr || pass == nullptr) {
            return std::nullopt; // a relay needs credentials
        }
        return scheme + "//" + escape(*user) + ":" + escape(*pass) + "@" + rest;
    }
    return std::nullopt;
}

} // namespace

std::string ice_servers_url(const std::string& ws_url) {
    std::string scheme;
    if (ws_url.starts_with("ws://")) {
        scheme = "http://";
    } else if (ws_url.starts_with("wss://")) {
        scheme = "https://";
    } else {
        return {};
    }
    auto rest = ws_url.substr(ws_url.find("://") + 3);
    if (const auto q = rest.find_first_of("?#"); q != std::string::npos) {
        rest.erase(q);
    }
    const auto slash = rest.find('/');
    std::string path = slash == std::string::npos ? "/" : rest.substr(slash);
    const std::string host = rest.substr(0, slash);
    // The route lives beside the WebSocket: `/api/ws` -> `/api/ice-servers`, `/ws` ->
    // `/ice-servers`.
    path.erase(path.rfind('/') + 1);
    return scheme + host + path + "ice-servers";
}

std::optional<IceServersAnswer> parse_ice_servers(const std::string& body) {
    boost::system::error_code ec;
    auto value = json::parse(body, ec);
    const auto* root = ec ? nullptr : value.if_object();
    const auto* servers = root != nullptr ? root->if_contains("iceServers") : nullptr;
    if (servers == nullptr || !servers->is_array()) {
        return std::nullopt;
    }
    IceServersAnswer out;
    if (const auto* ttl = root->if_contains("ttl"); ttl != nullptr && ttl->is_number()) {
        auto seconds = ttl->to_number<double>(ec);
        if (!ec && seconds > 0) {
            out.ttl = std::chrono::seconds(static_cast<long long>(seconds));
        }
    }
    for (const auto& entry : servers->get_array()) {
        const auto* server = entry.if_object();
        if (server == nullptr) {
            continue;
        }
        const auto string_of = [&](const char* key) -> std::optional<std::string> {
            const auto* v = server->if_contains(key);
            if (v == nullptr || !v->is_string()) {
                return std::nullopt;
            }
            return std::string(v->get_string());
        };
        const auto user = string_of("username");
        const auto pass = string_of("credential");
        std::vector<std::string> urls;
        if (const auto* u = server->if_contains("urls"); u != nullptr && u->is_string()) {
            urls.emplace_back(u->get_string());
        } else if (u != nullptr && u->is_array()) {
            for (const auto& item : u->get_array()) {
                if (item.is_string()) {
                    urls.emplace_back(item.get_string());
                }
            }
        }
        for (const auto& url : urls) {
            if (auto gst = to_gst_url(url, user ? &*user : nullptr, pass ? &*pass : nullptr)) {
                out.urls.push_back(std::move(*gst));
            }
        }
    }
    return out;
}

TurnCredentials::TurnCredentials(std::string url, Fetch fetch, GMainContext* context)
    : url_(std::move(url)), fetch_(std::move(fetch)), context_(context) {}

void TurnCredentials::refresh() {
    if (in_flight_ || url_.empty() || !fetch_) {
        return;
    }
    in_flight_ = true;
    timer_.cancel();
    fetch_(url_, [this, alive = std::weak_ptr<bool>(alive_)](unsigned status, std::string body) {
        if (alive.expired()) {
            return;
        }
        in_flight_ = false;
        ++answers_;
        handle(status, body);
    });
}

void TurnCredentials::stop() {
    timer_.cancel();
    alive_ = std::make_shared<bool>(true); // answers of requests under way are ignored
    in_flight_ = false;
}

std::vector<std::string> TurnCredentials::urls() const {
    if (urls_.empty() || g_get_monotonic_time() >= expires_us_) {
        return {};
    }
    return urls_;
}

void TurnCredentials::handle(unsigned status, const std::string& body) {
    const auto retry = [this] { timer_.once(context_, retry_delay, [this] { refresh(); }); };
    if (status == 200) {
        auto answer = parse_ice_servers(body);
        if (!answer || answer->ttl.count() <= 0) {
            spdlog::warn("TURN credentials: unusable answer from {}", url_);
            retry();
            return;
        }
        urls_ = std::move(answer->urls);
        const auto ttl_us = std::chrono::duration_cast<std::chrono::microseconds>(answer->ttl);
        expires_us_ = g_get_monotonic_time() + ttl_us.count();
        const auto renew = std::max<std::chrono::milliseconds>(
            min_renewal, std::chrono::duration_cast<std::chrono::milliseconds>(answer->ttl) / 2);
        spdlog::info("TURN credentials: {} relay URL(s), renewed in {} s", urls_.size(),
                     renew.count() / 1000);
        timer_.once(context_, renew, [this] { refresh(); });
        return;
    }
    if (status == 404 || status == 401 || status == 403) {
        // No relay offered (or not to us): go on without one until the next registration.
        if (status != 404) {
            spdlog::warn("TURN credentials refused by {} (HTTP {})", url_, status);
        } else if (!urls_.empty()) {
            spdlog::info("TURN credentials: the server no longer offers a relay");
        }
        urls_.clear();
        return;
    }
    spdlog::warn("TURN credentials: no answer from {} (HTTP {}); retrying", url_, status);
    retry(); // the current credentials stay until they expire
}

} // namespace tincan::agents
