// libFuzzer target: the signalling envelope codec must never crash, and whatever it accepts must
// re-encode to something it accepts again with the same meaning.
#include "tincan/common/signalling.hpp"

#include <cstdint>
#include <cstdlib>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    auto env = tincan::common::decode_envelope(text);
    if (env) {
        const auto once = tincan::common::encode_envelope(*env);
        auto again = tincan::common::decode_envelope(once);
        if (!again || tincan::common::encode_envelope(*again) != once) {
            std::abort();
        }
    }
    return 0;
}
