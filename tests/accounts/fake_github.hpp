#pragma once
// A loopback stand-in for GitHub's OAuth web flow and REST user API, strict like the real one:
//   GET  /login/oauth/authorize   consent page (HTML form with an "Authorize" button)
//   POST /login/oauth/authorize   consent given: 302 to redirect_uri?code=..&state=..
//   POST /login/oauth/access_token  query client_id, client_secret, code, redirect_uri,
//                                 code_verifier -> {"access_token"} or {"error"} (HTTP 200)
//   GET  /user                    Authorization: Bearer <token>
//   DELETE /applications/<client_id>/token  Basic client_id:secret, {"access_token"} -> 204
// Codes are single use and expire with their PKCE challenge checked (S256).

#include "loopback_server.hpp"

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>

namespace tincan::test {

/// The bytes served for any /avatars/<name> (a stand-in for GitHub's avatar host).
inline constexpr std::string_view fake_avatar_png = "\x89PNG\r\n\x1a\nfake avatar";

struct FakeGithubUser {
    std::string login;
    long long id = 0;
    std::string name;
    std::string avatar_url;
};

class FakeGithub {
public:
    FakeGithub(std::string client_id, std::string client_secret, FakeGithubUser user);

    std::string base_url() const { return server_->base_url(); }
    unsigned short port() const { return server_->port(); }

    // Directly performs the consent step: returns the redirect Location GitHub would send.
    // Empty when the authorize parameters are invalid.
    std::string consent(const std::string& authorize_url);

    void set_user(FakeGithubUser user);
    // Delays every access-token answer (a slow GitHub).
    void set_token_delay(std::chrono::milliseconds delay);
    int exchanges() const;
    int revocations() const;
    bool token_revoked(const std::string& token) const;
    std::string last_exchange_query() const;

private:
    Reply handle(const Request& req);
    Reply authorize_page(const Request& req);
    Reply authorize_grant(const Request& req, const std::string& query);
    Reply access_token(const Request& req);
    Reply user(const Request& req);
    Reply revoke(const Request& req);

    struct Grant {
        std::string redirect_uri;
        std::string challenge;
        bool used = false;
    };

    std::string client_id_;
    std::string client_secret_;
    mutable std::mutex mutex_;
    FakeGithubUser user_;
    std::map<std::string, Grant> codes_;
    std::set<std::string> tokens_;
    std::set<std::string> revoked_;
    std::chrono::milliseconds token_delay_{0};
    int exchanges_ = 0;
    int revocations_ = 0;
    std::string last_exchange_query_;
    std::unique_ptr<LoopbackServer> server_;
};

} // namespace tincan::test
