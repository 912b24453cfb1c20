// libFuzzer target over the accounts parsers of untrusted input. The first byte picks the parser;
// the rest is its input. Without libFuzzer it is built with tests/fuzz/corpus_main.cpp and runs
// the seed corpus in fuzz_corpus/ as a regression test.

#include "auth/cookies.hpp"
#include "auth/crypto.hpp"
#include "auth/http_util.hpp"
#include "auth/jwt.hpp"
#include "auth/multipart.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

using namespace tincan::server;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) {
        return 0;
    }
    static const JwtSigner signer(std::string(32, 'k'));
    static const RedirectPolicy policy("https://chat.example/");
    const std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
    switch (data[0] % 5) {
    case 0:
        if (auto claims = signer.verify(in, 1'760'000'000); claims && claims->sub.empty()) {
            std::abort(); // a verified token always names a subject
        }
        break;
    case 1: {
        const auto nl = in.find('\n');
        (void)parse_multipart_form(in.substr(0, nl),
                                   nl == std::string_view::npos ? "" : in.substr(nl + 1));
        break;
    }
    case 2:
        (void)find_cookie(in, session_cookie_name);
        (void)crypto::base64_decode(in);
        (void)crypto::base64url_decode(in);
        break;
    case 3:
        (void)policy.resolve(in);
        break;
    default:
        (void)query_param(in, "state");
        (void)target_path(in);
        break;
    }
    return 0;
}
