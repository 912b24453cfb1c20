#pragma once
// GitHub OAuth web flow client (PROTOCOL.md 3.3) with PKCE S256. Endpoints are configurable so
// tests can point them at a loopback server speaking GitHub's OAuth and user API.

#include "auth/error.hpp"
#include "auth/http_client.hpp"

#include <string>

namespace tincan::server {

struct GithubConfig {
    std::string client_id;
    std::string client_secret;                       // never logged
    std::string redirect_uri;                        // --github-login-redir-url
    std::string oauth_base = "https://github.com";   // /login/oauth/{authorize,access_token}
    std::string api_base = "https://api.github.com"; // /user, /applications/<id>/token
    std::string scope = "read:user";

    bool enabled() const {
        return !client_id.empty() && !client_secret.empty() && !redirect_uri.empty();
    }
};

struct GithubUser {
    std::string id; // decimal
    std::string login;
    std::string name;
    std::string avatar_url;
};

// S256 code challenge of a PKCE verifier (RFC 7636 4.2).
std::string pkce_challenge(const std::string& verifier);

class GithubClient {
public:
    GithubClient(GithubConfig config, const HttpClient& http);

    std::string authorize_url(const std::string& state, const std::string& code_challenge) const;
    // POST <oauth_base>/login/oauth/access_token with client_id, client_secret, code,
    // redirect_uri (and code_verifier) as query parameters, empty body, Accept: application/json.
    AuthResult<std::string> exchange_code(const std::string& code,
                                          const std::string& code_verifier) const;
    AuthResult<GithubUser> fetch_user(const std::string& access_token) const;
    // DELETE <api_base>/applications/<client_id>/token; errors are returned for logging only.
    AuthResult<void> revoke(const std::string& access_token) const;

    const GithubConfig& config() const { return config_; }

private:
    GithubConfig config_;
    const HttpClient& http_;
};

} // namespace tincan::server
