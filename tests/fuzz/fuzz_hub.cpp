// libFuzzer target: any sequence of frames from three connections, interleaved with connects and
// disconnects, must leave the hub consistent (no crash, /conns always valid JSON, counts match).
#include "signalling/hub.hpp"

#include <boost/json.hpp>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

namespace {

struct NullSink : tincan::server::PeerSink {
    void deliver(const tincan::server::Frame& frame) override {
        if (frame->empty()) {
            std::abort();
        }
    }
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace tincan::server;
    Metrics metrics;
    Hub hub(HubLimits{}, metrics);
    auto sink = std::make_shared<NullSink>();
    std::vector<std::string> ids;
    for (int i = 0; i < 3; ++i) {
        ids.push_back(hub.connect(sink, Identity{}));
    }
    // Input: records separated by '\n'; the first byte of each picks the connection and action.
    // Placeholders "@0".."@2" in a frame are replaced by the node ids so relays can hit.
    std::string_view rest(reinterpret_cast<const char*>(data), size);
    while (!rest.empty()) {
        const auto nl = rest.find('\n');
        auto record = rest.substr(0, nl);
        rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
        if (record.empty()) {
            continue;
        }
        const auto op = static_cast<unsigned char>(record[0]);
        auto& id = ids[op % ids.size()];
        if (op >= 0xF0) { // reconnect this slot
            hub.disconnect(id);
            id = hub.connect(sink, Identity{});
            continue;
        }
        std::string frame(record.substr(1));
        for (std::size_t i = 0; i < ids.size(); ++i) {
            const std::string tag = "@" + std::to_string(i);
            for (auto pos = frame.find(tag); pos != std::string::npos; pos = frame.find(tag)) {
                frame.replace(pos, tag.size(), ids[i]);
            }
        }
        (void)hub.handle_text(id, frame);
    }
    // Every connection is listed (PROTOCOL.md 2.2), a name exactly on the registered ones.
    const auto conns = boost::json::parse(hub.conns_json()).as_object();
    std::size_t named = 0;
    for (const auto& [id, rec] : conns) {
        named += rec.as_object().contains("node_name") ? 1 : 0;
    }
    if (conns.size() != 3 || named != hub.registered_count() || hub.connection_count() != 3) {
        std::abort();
    }
    return 0;
}
