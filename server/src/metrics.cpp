#include "metrics.hpp"

#include <iomanip>
#include <sstream>

namespace tincan::server {

std::uint64_t Metrics::rejected_count(std::string_view reason) const {
    const auto it = rejected_.find(reason);
    return it == rejected_.end() ? 0 : it->second;
}

std::uint64_t Metrics::relayed_count(std::string_view type) const {
    const auto it = relayed_.find(type);
    return it == relayed_.end() ? 0 : it->second;
}

std::string Metrics::render() const {
    std::ostringstream out;
    auto metric = [&](std::string_view name, std::string_view type, std::string_view help) {
        out << "# HELP " << name << ' ' << help << "\n# TYPE " << name << ' ' << type << '\n';
    };
    struct Scalar {
        std::string_view name, type, help;
        double value;
    };
    const Scalar scalars[] = {
        {"tincan_websocket_connections", "gauge", "Open signalling WebSocket connections.",
         static_cast<double>(connections_)},
        {"tincan_websocket_connections_total", "counter", "WebSocket connections accepted.",
         static_cast<double>(connections_total_)},
        {"tincan_registered_nodes", "gauge", "Connections that completed register.",
         static_cast<double>(registered_)},
        {"tincan_frames_received_total", "counter", "WebSocket frames received.",
         static_cast<double>(frames_in_)},
        {"tincan_frames_sent_total", "counter", "WebSocket frames sent.",
         static_cast<double>(frames_out_)},
        {"tincan_received_bytes_total", "counter", "WebSocket payload bytes received.",
         static_cast<double>(bytes_in_)},
        {"tincan_sent_bytes_total", "counter", "WebSocket payload bytes sent.",
         static_cast<double>(bytes_out_)},
    };
    for (const auto& m : scalars) {
        metric(m.name, m.type, m.help);
        out << m.name << ' ' << std::fixed << std::setprecision(0) << m.value << '\n';
    }
    metric("tincan_messages_relayed_total", "counter", "Signalling messages relayed, by type.");
    for (const auto& [type, n] : relayed_) {
        out << "tincan_messages_relayed_total{type=\"" << type << "\"} " << n << '\n';
    }
    metric("tincan_rejected_inputs_total", "counter", "Refused client inputs, by reason.");
    for (const auto& [reason, n] : rejected_) {
        out << "tincan_rejected_inputs_total{reason=\"" << reason << "\"} " << n << '\n';
    }
    metric("tincan_http_requests_total", "counter", "HTTP responses, by status code.");
    for (const auto& [code, n] : http_) {
        out << "tincan_http_requests_total{code=\"" << code << "\"} " << n << '\n';
    }
    return out.str();
}

} // namespace tincan::server
