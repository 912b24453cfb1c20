#pragma once
// Management API of the Unix socket (PROTOCOL.md 3.6), as a pure function of the request:
//   POST   /bots/add     JSON or multipart {username, display_name, avatar_url} -> {"token"}
//   DELETE /bots/delete  ?username= or JSON {username}                         -> {"deleted"}
//   POST   /bots/token   ?username= or JSON {username}: new token for a bot     -> {"token"}
//                        (?revoke=true or "revoke_previous": true revokes all earlier ones)
//   GET    /bots/list                                                          -> {"bots":[...]}
// Access control is the socket's file mode (0600); tokens are never logged.

#include "auth/accounts_service.hpp"
#include "auth/http_util.hpp"

#include <variant>

namespace tincan::server {

class ManagementApi {
public:
    explicit ManagementApi(AccountsService& service) : service_(service) {}

    HttpResponse handle(const HttpRequest& req) const;

private:
    HttpResponse add(const HttpRequest& req) const;
    HttpResponse remove(const HttpRequest& req) const;
    HttpResponse token(const HttpRequest& req) const;
    HttpResponse list(const HttpRequest& req) const;
    // The bot account named by `?username=` or the body, or the error response to send.
    std::variant<User, HttpResponse> requested_bot(const HttpRequest& req) const;

    AccountsService& service_;
};

// Account usernames: 1-64 of [A-Za-z0-9_.-].
bool valid_username(std::string_view name);

} // namespace tincan::server
