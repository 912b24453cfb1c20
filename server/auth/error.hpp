#pragma once
// Error type for everything in the accounts library that handles untrusted input.

#include <boost/assert/source_location.hpp>
#include <boost/system/result.hpp>

#include <stdexcept>
#include <string>
#include <utility>

namespace tincan::server {

enum class AuthErrc {
    invalid_input = 1, // malformed request, bad encoding, failed validation
    not_found,         // no such user / session / nonce
    conflict,          // unique constraint (username taken)
    expired,           // token, nonce, session or assertion outside its validity window
    unauthorized,      // bad signature, wrong key, wrong session binding
    storage,           // SQLite failure
    upstream,          // remote HTTP service failed or answered nonsense
    timeout,           // remote HTTP service too slow
    too_large,         // remote HTTP body over the cap
};

struct AuthError {
    AuthErrc code;
    std::string message;
};

template <class T> using AuthResult = boost::system::result<T, AuthError>;

inline AuthError auth_error(AuthErrc code, std::string message) {
    return AuthError{code, std::move(message)};
}

// Found by ADL when `.value()` is called on an AuthResult holding an error (programmer error
// paths only; normal code checks `has_value()`).
[[noreturn]] inline void throw_exception_from_error(const AuthError& e,
                                                    const boost::source_location&) {
    throw std::runtime_error(e.message);
}

} // namespace tincan::server
