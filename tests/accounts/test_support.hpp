#pragma once
// Shared helpers of the accounts tests: temporary data dirs, a controllable clock, requests.

#include "auth/accounts_service.hpp"
#include "auth/http_util.hpp"

#include <boost/beast/http.hpp>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

namespace tincan::test {

class TempDir {
public:
    TempDir() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "tincan-acc-XXXXXX").string();
        path_ = ::mkdtemp(tmpl.data());
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

// A clock tests can move; shared so services built from it see the same time.
struct TestClock {
    std::shared_ptr<std::atomic<std::int64_t>> now =
        std::make_shared<std::atomic<std::int64_t>>(1'760'000'000);
    server::AccountsService::Clock fn() const {
        auto n = now;
        return [n] { return n->load(); };
    }
    void advance(std::int64_t s) const { *now += s; }
};

inline server::HttpRequest make_request(boost::beast::http::verb method, std::string target,
                                        std::string cookie = {}) {
    server::HttpRequest req{method, target, 11};
    req.set(boost::beast::http::field::host, "localhost");
    if (!cookie.empty()) {
        req.set(boost::beast::http::field::cookie, cookie);
    }
    return req;
}

// The session id set by a response's Set-Cookie, or empty.
inline std::string set_cookie_session(const server::HttpResponse& res) {
    for (const auto& f : res) {
        if (f.name() == boost::beast::http::field::set_cookie) {
            std::string v(f.value());
            if (v.rfind("session_id=", 0) == 0) {
                return v.substr(11, v.find(';') - 11);
            }
        }
    }
    return {};
}

inline std::string set_cookie_header(const server::HttpResponse& res) {
    return std::string(res[boost::beast::http::field::set_cookie]);
}

} // namespace tincan::test
