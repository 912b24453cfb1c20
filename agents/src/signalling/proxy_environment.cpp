#include "signalling/proxy_environment.hpp"

#include <gio/gio.h>

#include <algorithm>
#include <cstdlib>
#include <vector>

namespace tincan::agents {
namespace {

std::string env_any(const char* upper, const char* lower) {
    for (const char* name : {upper, lower}) {
        if (const char* value = std::getenv(name); value != nullptr && *value != '\0') {
            return value;
        }
    }
    return {};
}

std::string lowercase(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(g_ascii_tolower(c)); });
    return s;
}

std::string trim(const std::string& s) {
    const auto begin = s.find_first_not_of(" \t");
    return begin == std::string::npos ? std::string()
                                      : s.substr(begin, s.find_last_not_of(" \t") + 1 - begin);
}

/// A proxy variable's value as a URL: Go's parseProxy reads one without a scheme (or a host) as
/// `http://<value>`.
std::string proxy_url(const std::string& value) {
    if (value.empty()) {
        return {};
    }
    GUri* uri = g_uri_parse(value.c_str(), G_URI_FLAGS_NONE, nullptr);
    const bool whole =
        uri != nullptr && g_uri_get_host(uri) != nullptr && *g_uri_get_host(uri) != '\0';
    if (uri != nullptr) {
        g_uri_unref(uri);
    }
    return whole ? value : "http://" + value;
}

struct HostPort {
    std::string host; ///< without brackets
    std::string port; ///< empty if none
};

/// `host:port`, `[v6]:port` or a bare host (Go's net.SplitHostPort, falling back to the whole).
HostPort split_host_port(const std::string& text) {
    if (text.starts_with('[')) {
        const auto close = text.find(']');
        if (close != std::string::npos) {
            const auto rest = text.substr(close + 1);
            return {text.substr(1, close - 1), rest.starts_with(':') ? rest.substr(1) : ""};
        }
    }
    if (std::count(text.begin(), text.end(), ':') == 1) {
        return {text.substr(0, text.find(':')), text.substr(text.find(':') + 1)};
    }
    return {text, ""};
}

GInetAddress* parse_ip(const std::string& text) {
    return text.empty() ? nullptr : g_inet_address_new_from_string(text.c_str());
}

/// Whether a NO_PROXY value exempts `host` (lower case, no brackets) at `port`.
bool no_proxy_matches(const std::string& no_proxy, const std::string& host,
                      const std::string& port) {
    GInetAddress* ip = parse_ip(host);
    bool matched = false;
    std::size_t start = 0;
    while (!matched && start <= no_proxy.size()) {
        auto end = no_proxy.find(',', start);
        end = end == std::string::npos ? no_proxy.size() : end;
        const auto entry = lowercase(trim(no_proxy.substr(start, end - start)));
        start = end + 1;
        if (entry.empty()) {
            continue;
        }
        if (entry == "*") {
            matched = true;
            break;
        }
        if (entry.find('/') != std::string::npos) { // a CIDR range: addresses only
            GInetAddressMask* mask = g_inet_address_mask_new_from_string(entry.c_str(), nullptr);
            if (mask != nullptr) {
                matched = ip != nullptr && g_inet_address_mask_matches(mask, ip);
                g_object_unref(mask);
            }
            continue;
        }
        auto [entry_host, entry_port] = split_host_port(entry);
        if (entry_host.empty()) {
            continue;
        }
        const bool port_ok = entry_port.empty() || entry_port == port;
        if (GInetAddress* entry_ip = parse_ip(entry_host)) {
            matched = ip != nullptr && port_ok && g_inet_address_equal(entry_ip, ip);
            g_object_unref(entry_ip);
            continue;
        }
        if (ip != nullptr) {
            continue; // names never match an address
        }
        if (entry_host.starts_with("*.")) {
            entry_host.erase(0, 1);
        }
        const bool also_itself = !entry_host.starts_with('.');
        const auto suffix = also_itself ? "." + entry_host : entry_host;
        matched = port_ok && (host.ends_with(suffix) || (also_itself && host == entry_host));
    }
    if (ip != nullptr) {
        g_object_unref(ip);
    }
    return matched;
}

} // namespace

ProxyEnvironment ProxyEnvironment::from_environment() {
    ProxyEnvironment env;
    env.http_proxy = env_any("HTTP_PROXY", "http_proxy");
    env.https_proxy = env_any("HTTPS_PROXY", "https_proxy");
    env.no_proxy = env_any("NO_PROXY", "no_proxy");
    const char* method = std::getenv("REQUEST_METHOD");
    env.cgi = method != nullptr && *method != '\0';
    return env;
}

std::string proxy_for_url(const ProxyEnvironment& env, const std::string& url) {
    GUri* uri = g_uri_parse(url.c_str(), G_URI_FLAGS_NONE, nullptr);
    if (uri == nullptr || g_uri_get_host(uri) == nullptr) {
        if (uri != nullptr) {
            g_uri_unref(uri);
        }
        return {};
    }
    const auto scheme = lowercase(g_uri_get_scheme(uri));
    const auto host = lowercase(g_uri_get_host(uri));
    const bool secure = scheme == "wss" || scheme == "https";
    const int port = g_uri_get_port(uri);
    g_uri_unref(uri);
    std::string proxy;
    if (secure) {
        proxy = env.https_proxy;
    } else if (scheme == "ws" || scheme == "http") {
        proxy = env.cgi ? std::string() : env.http_proxy;
    }
    proxy = proxy_url(proxy);
    if (proxy.empty() || host == "localhost") {
        return {};
    }
    if (GInetAddress* ip = parse_ip(host)) {
        const bool loopback = g_inet_address_get_is_loopback(ip);
        g_object_unref(ip);
        if (loopback) {
            return {};
        }
    }
    const auto port_text = std::to_string(port > 0 ? port : secure ? 443 : 80);
    return no_proxy_matches(env.no_proxy, host, port_text) ? std::string() : proxy;
}

} // namespace tincan::agents
