#pragma once

#include "../metrics.hpp"
#include "hub_limits.hpp"
#include "identity.hpp"
#include "tincan/common/signalling.hpp"

#include <boost/system/error_code.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace tincan::server {

/// One encoded frame, shared by every recipient of a broadcast.
using Frame = std::shared_ptr<const std::string>;

/// Where the hub delivers frames for one connection (a WebSocket session, or a test double).
class PeerSink {
public:
    virtual ~PeerSink() = default;
    virtual void deliver(const Frame& frame) = 0;
};

/// The signalling logic of PROTOCOL.md section 1 without I/O: frames in, frames out through
/// PeerSinks. Owns the connection registry. Not thread-safe: one thread drives it.
class Hub {
public:
    using Clock = std::function<std::chrono::system_clock::time_point()>;
    /// Returns false when `identity` may not use `name` (e.g. it is another account's username).
    using NamePolicy = std::function<bool(std::string_view name, const Identity& identity)>;

    Hub(HubLimits limits, Metrics& metrics, Clock clock = nullptr);

    /// A WebSocket was accepted: returns its fresh node id (UUIDv4).
    std::string connect(std::weak_ptr<PeerSink> sink, Identity identity);

    /// Handles one text frame from `node_id`. On refusal the sender gets an `error` frame and the
    /// error is returned (the caller does not re-arm the idle timer then).
    boost::system::error_code handle_text(const std::string& node_id, std::string_view text);

    /// The connection is gone; registered nodes are announced `offline` to the others. May be
    /// called from inside PeerSink::deliver (a sink that gives up on a slow reader): the node then
    /// stops receiving at once and is removed when the hub call that delivered returns, so no
    /// broadcast is cut short and no caller is left holding a removed node.
    void disconnect(const std::string& node_id);

    /// Sends an `error` frame to one connection.
    void send_error(const std::string& node_id, std::string_view code, std::string_view message);

    /// JSON body of GET /conns: node id -> record, registered nodes only.
    std::string conns_json() const;

    void set_name_policy(NamePolicy policy) { name_policy_ = std::move(policy); }

    std::size_t connection_count() const { return nodes_.size(); }
    std::size_t registered_count() const { return registered_; }
    /// The node's current name, if it is registered.
    std::optional<std::string> node_name(const std::string& node_id) const;

private:
    struct Node {
        std::weak_ptr<PeerSink> sink;
        Identity identity;
        std::uint64_t seq = 0;
        std::int64_t connected_at = 0;
        std::int64_t registered_at = 0;
        std::int64_t last_heartbeat = 0;
        bool registered = false;
        std::string name;
        std::map<std::string, std::string> attributes;
        bool leaving = false;          ///< disconnected during a dispatch; removed when it ends
        double announce_tokens = -1;   ///< rename/re-register budget (-1: full, not used yet)
        std::uint64_t announce_at = 0; ///< when the budget was last refilled (ms)
    };
    /// Takes one rename/re-register from the node's budget; false when it is spent.
    bool take_announce(Node& node);

    /// Marks a call into the hub from outside; disconnects made while one runs are deferred to
    /// its end (see disconnect()).
    class Dispatch {
    public:
        explicit Dispatch(Hub& hub) : hub_(hub) { ++hub_.dispatching_; }
        ~Dispatch() { hub_.end_dispatch(); }
        Dispatch(const Dispatch&) = delete;
        Dispatch& operator=(const Dispatch&) = delete;

    private:
        Hub& hub_;
    };
    void end_dispatch();
    void remove(const std::string& node_id);

    struct Refusal {
        common::ProtocolError code;
        std::string message;
    };
    /// Reports and removes every key of `env` that cannot be applied; the first refusal, if any.
    std::optional<Refusal> drop_invalid(const std::string& id, Node& node, common::Envelope& env);
    std::optional<Refusal> validate_name(std::string_view name, const Node& node) const;
    /// Counts, logs and tells the connection about a refusal; `outcome` says what happened.
    void report(const std::string& node_id, const Refusal& r, std::string_view outcome);
    /// Removes the attributes of `a` the server does not store; why the first one was refused.
    std::optional<Refusal> drop_bad_attributes(common::AttributesAnnouncement& a) const;
    /// Refuses `a` if the node would have more than the allowed number of attributes after it.
    std::optional<Refusal> check_attribute_count(const Node& node,
                                                 const common::AttributesAnnouncement& a) const;
    void apply(const std::string& id, Node& node, const common::Envelope& env);
    void on_register(const std::string& id, Node& node, const common::Envelope& env);
    void on_echo(const std::string& id, Node& node, const common::Envelope& env);
    void on_rename(const std::string& id, Node& node, const common::Envelope& env);
    void relay(const std::string& from, const std::string& to, std::string_view type,
               const std::string& frame_text);
    std::string default_name(const Node& node) const;
    void send(const Node& node, const Frame& frame);
    void broadcast(const Frame& frame);
    std::int64_t now_seconds() const;
    std::uint64_t now_millis() const;

    HubLimits limits_;
    Metrics& metrics_;
    Clock clock_;
    NamePolicy name_policy_;
    std::unordered_map<std::string, Node> nodes_;
    std::size_t registered_ = 0;
    std::uint64_t next_seq_ = 0;
    int dispatching_ = 0;
    std::vector<std::string> leaving_;
};

} // namespace tincan::server
