#pragma once

// Debian's coturn (`turnserver`) with TURN REST credentials (`use-auth-secret`) and a random
// secret, as a deployment runs it beside tincan-server; started and stopped per test. It listens
// on this machine's first non-loopback IPv4 address: libnice gathers from those only and Linux
// drops packets from them to 127.0.0.1, so a relay on loopback would never be reached.

#include <glib.h>
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <csignal>
#include <ifaddrs.h>
#include <net/if.h>
#include <poll.h>
#include <random>
#include <string>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

namespace tincan::agents::test {

class CoturnProcess {
public:
    CoturnProcess() : ip_(local_ipv4()) {
        std::random_device rd;
        static constexpr char hex[] = "0123456789abcdef";
        for (int i = 0; i < 32; ++i) {
            secret_.push_back(hex[rd() % 16]);
        }
    }
    ~CoturnProcess() {
        if (pid_ > 0) {
            kill(pid_, SIGTERM);
            int status = 0;
            waitpid(pid_, &status, 0);
            g_spawn_close_pid(pid_);
        }
        if (!dir_.empty()) {
            const std::string cmd = "rm -rf '" + dir_ + "'";
            (void)std::system(cmd.c_str());
        }
    }

    /// False (with a test failure) if coturn is missing or does not answer STUN in time.
    bool start() {
        port_ = free_udp_port();
        dir_ = g_dir_make_tmp("tincan-coturn-XXXXXX", nullptr);
        const auto port = "--listening-port=" + std::to_string(port_);
        const auto listen = "--listening-ip=" + ip_;
        const auto relay = "--relay-ip=" + ip_;
        const auto secret = "--static-auth-secret=" + secret_;
        const auto log = "--log-file=" + dir_ + "/turn.log";
        const auto pid_file = "--pidfile=" + dir_ + "/turn.pid";
        const char* argv[] = {"turnserver",
                              "-n",
                              listen.c_str(),
                              relay.c_str(),
                              port.c_str(),
                              "--use-auth-secret",
                              secret.c_str(),
                              "--realm=tincan.test",
                              "--allow-loopback-peers",
                              "--no-tls",
                              "--no-dtls",
                              "--no-tcp-relay",
                              "--no-cli",
                              log.c_str(),
                              pid_file.c_str(),
                              nullptr};
        GError* error = nullptr;
        if (!g_spawn_async(
                nullptr, const_cast<char**>(argv), nullptr,
                static_cast<GSpawnFlags>(G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_SEARCH_PATH |
                                         G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL),
                [](gpointer) { prctl(PR_SET_PDEATHSIG, SIGTERM); }, nullptr, &pid_, &error)) {
            ADD_FAILURE() << "cannot start turnserver (coturn installed?): " << error->message;
            g_clear_error(&error);
            return false;
        }
        if (!answers_stun(5000)) {
            ADD_FAILURE() << "turnserver did not answer STUN on port " << port_;
            return false;
        }
        return true;
    }

    const std::string& secret() const { return secret_; }
    std::string url() const {
        return "turn:" + ip_ + ":" + std::to_string(port_) + "?transport=udp";
    }

private:
    static std::string local_ipv4() {
        std::string out = "127.0.0.1";
        ifaddrs* list = nullptr;
        if (getifaddrs(&list) != 0) {
            return out;
        }
        for (auto* i = list; i != nullptr; i = i->ifa_next) {
            if (i->ifa_addr != nullptr && i->ifa_addr->sa_family == AF_INET &&
                (i->ifa_flags & IFF_UP) != 0 && (i->ifa_flags & IFF_LOOPBACK) == 0) {
                char text[INET_ADDRSTRLEN] = {};
                inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(i->ifa_addr)->sin_addr, text,
                          sizeof text);
                out = text;
                break;
            }
        }
        freeifaddrs(list);
        return out;
    }

    int free_udp_port() const {
        const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        inet_pton(AF_INET, ip_.c_str(), &addr.sin_addr);
        bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
        socklen_t len = sizeof addr;
        getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
        close(fd);
        return ntohs(addr.sin_port);
    }

    /// A STUN Binding request (RFC 5389 header only), repeated until answered.
    bool answers_stun(int timeout_ms) const {
        const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_in to{};
        to.sin_family = AF_INET;
        to.sin_port = htons(static_cast<std::uint16_t>(port_));
        inet_pton(AF_INET, ip_.c_str(), &to.sin_addr);
        unsigned char request[20] = {0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xA4, 0x42};
        for (int i = 8; i < 20; ++i) {
            request[i] = static_cast<unsigned char>(i * 7);
        }
        bool ok = false;
        for (int waited = 0; waited < timeout_ms && !ok; waited += 100) {
            sendto(fd, request, sizeof request, 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
            pollfd p{fd, POLLIN, 0};
            unsigned char reply[512];
            ok = poll(&p, 1, 100) > 0 && recv(fd, reply, sizeof reply, 0) >= 20 &&
                 reply[0] == 0x01 && reply[1] == 0x01;
        }
        close(fd);
        return ok;
    }

    std::string ip_;
    std::string secret_;
    std::string dir_;
    int port_ = 0;
    GPid pid_ = 0;
};

} // namespace tincan::agents::test
