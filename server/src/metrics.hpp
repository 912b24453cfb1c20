#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace tincan::server {

/// Process-wide counters, rendered in the Prometheus text format at /metrics. Owned by the
/// server's single I/O thread, so no synchronisation.
class Metrics {
public:
    void connection_opened() {
        ++connections_;
        ++connections_total_;
    }
    void connection_closed() { --connections_; }
    void set_registered(std::int64_t n) { registered_ = n; }
    void frame_received(std::size_t bytes) {
        ++frames_in_;
        bytes_in_ += bytes;
    }
    void frame_sent(std::size_t bytes) {
        ++frames_out_;
        bytes_out_ += bytes;
    }
    void relayed(std::string_view type) { ++relayed_[std::string(type)]; }
    void rejected(std::string_view reason) { ++rejected_[std::string(reason)]; }
    void http_request(unsigned status) { ++http_[status]; }

    std::int64_t connections() const { return connections_; }
    std::uint64_t rejected_count(std::string_view reason) const;
    std::uint64_t relayed_count(std::string_view type) const;

    std::string render() const;

private:
    std::int64_t connections_ = 0;
    std::uint64_t connections_total_ = 0;
    std::int64_t registered_ = 0;
    std::uint64_t frames_in_ = 0;
    std::uint64_t frames_out_ = 0;
    std::uint64_t bytes_in_ = 0;
    std::uint64_t bytes_out_ = 0;
    std::map<std::string, std::uint64_t, std::less<>> relayed_;
    std::map<std::string, std::uint64_t, std::less<>> rejected_;
    std::map<unsigned, std::uint64_t> http_;
};

} // namespace tincan::server
