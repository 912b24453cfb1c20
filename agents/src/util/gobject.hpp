#pragma once

// RAII for GObject references and signal connections. Application code never calls
// g_object_unref or g_signal_handler_disconnect directly.

#include <glib-object.h>

#include <utility>

namespace tincan::agents {

/// Owns one reference to a GObject-derived instance. `adopt` takes over a reference the caller
/// owns (sinking a floating one); `ref` adds a new reference.
template <typename T> class GRef {
public:
    GRef() = default;
    ~GRef() { reset(); }
    GRef(const GRef& other) : ptr_(other.ptr_) {
        if (ptr_ != nullptr) {
            g_object_ref(ptr_);
        }
    }
    GRef(GRef&& other) noexcept : ptr_(std::exchange(other.ptr_, nullptr)) {}
    GRef& operator=(GRef other) noexcept {
        std::swap(ptr_, other.ptr_);
        return *this;
    }

    static GRef adopt(T* ptr) {
        GRef r;
        if (ptr != nullptr && g_object_is_floating(ptr)) {
            g_object_ref_sink(ptr);
        }
        r.ptr_ = ptr;
        return r;
    }
    static GRef ref(T* ptr) {
        GRef r;
        if (ptr != nullptr) {
            g_object_ref(ptr);
        }
        r.ptr_ = ptr;
        return r;
    }

    void reset() {
        if (ptr_ != nullptr) {
            g_object_unref(std::exchange(ptr_, nullptr));
        }
    }
    T* get() const noexcept { return ptr_; }
    T* operator->() const noexcept { return ptr_; }
    explicit operator bool() const noexcept { return ptr_ != nullptr; }
    /// Gives the reference away (for APIs that take ownership).
    T* release() noexcept { return std::exchange(ptr_, nullptr); }

private:
    T* ptr_ = nullptr;
};

/// One signal handler; disconnected when destroyed (if the instance is still alive).
class SignalConnection {
public:
    SignalConnection() = default;
    SignalConnection(gpointer instance, gulong id) : instance_(G_OBJECT(instance)), id_(id) {
        g_object_add_weak_pointer(instance_, reinterpret_cast<gpointer*>(&instance_));
    }
    ~SignalConnection() { disconnect(); }
    SignalConnection(const SignalConnection&) = delete;
    SignalConnection& operator=(const SignalConnection&) = delete;
    SignalConnection(SignalConnection&& other) noexcept { *this = std::move(other); }
    SignalConnection& operator=(SignalConnection&& other) noexcept {
        if (this != &other) {
            disconnect();
            if (other.instance_ != nullptr) {
                g_object_remove_weak_pointer(other.instance_,
                                             reinterpret_cast<gpointer*>(&other.instance_));
                instance_ = std::exchange(other.instance_, nullptr);
                id_ = std::exchange(other.id_, 0);
                g_object_add_weak_pointer(instance_, reinterpret_cast<gpointer*>(&instance_));
            }
        }
        return *this;
    }

    void disconnect() {
        if (instance_ != nullptr) {
            g_object_remove_weak_pointer(instance_, reinterpret_cast<gpointer*>(&instance_));
            if (id_ != 0 && g_signal_handler_is_connected(instance_, id_)) {
                g_signal_handler_disconnect(instance_, id_);
            }
            instance_ = nullptr;
            id_ = 0;
        }
    }

private:
    GObject* instance_ = nullptr;
    gulong id_ = 0;
};

/// Connects `callback` with heap-allocated user data freed by GLib when the handler goes away.
template <typename Data>
SignalConnection connect_signal(gpointer instance, const char* signal, GCallback callback,
                                Data* data) {
    const gulong id = g_signal_connect_data(
        instance, signal, callback, data,
        [](gpointer d, GClosure*) { delete static_cast<Data*>(d); }, GConnectFlags{});
    return SignalConnection(instance, id);
}

} // namespace tincan::agents
