#pragma once

// Starts the real tincan-server on an ephemeral loopback port for a test and stops it by pid.

#include <glib.h>
#include <gtest/gtest.h>

#include <csignal>
#include <fstream>
#include <string>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

namespace tincan::agents::test {

class ServerProcess {
public:
    /// port 0: ephemeral. Returns false if the server did not come up.
    /// `extra` are added to the command line, `env` (NAME=value) to the environment.
    bool start(int port = 0, const std::vector<std::string>& extra = {},
               const std::vector<std::string>& env = {}) {
        remove_dir(); // a restarted server gets a fresh directory
        dir_ = g_dir_make_tmp("tincan-agents-test-XXXXXX", nullptr);
        const std::string port_file = dir_ + "/port";
        const std::string listen = "127.0.0.1:" + std::to_string(port);
        const std::string data = dir_ + "/data";
        std::vector<const char*> argv = {TINCAN_SERVER_BIN,
                                         "--listen-addr",
                                         listen.c_str(),
                                         "--port-file",
                                         port_file.c_str(),
                                         "--management-listen",
                                         "",
                                         "--data-dir",
                                         data.c_str(),
                                         "--web-root",
                                         dir_.c_str(),
                                         "--log-level",
                                         "warn"};
        for (const auto& a : extra) {
            argv.push_back(a.c_str());
        }
        argv.push_back(nullptr);
        gchar** envp = g_get_environ();
        for (const auto& e : env) {
            const auto eq = e.find('=');
            envp = g_environ_setenv(envp, e.substr(0, eq).c_str(), e.substr(eq + 1).c_str(), TRUE);
        }
        GError* error = nullptr;
        const bool spawned = g_spawn_async(
            nullptr, const_cast<char**>(argv.data()), envp, G_SPAWN_DO_NOT_REAP_CHILD,
            [](gpointer) { prctl(PR_SET_PDEATHSIG, SIGTERM); }, nullptr, &pid_, &error);
        g_strfreev(envp);
        if (!spawned) {
            ADD_FAILURE() << "cannot start tincan-server: " << error->message;
            g_clear_error(&error);
            return false;
        }
        const gint64 deadline = g_get_monotonic_time() + 10'000'000;
        while (g_get_monotonic_time() < deadline) {
            std::ifstream in(port_file);
            if (in >> port_ && port_ > 0) {
                return true;
            }
            g_usleep(20'000); // polling a file the child writes; not synchronisation of our code
        }
        ADD_FAILURE() << "tincan-server wrote no port file";
        return false;
    }

    void stop() {
        if (pid_ > 0) {
            kill(pid_, SIGTERM);
            int status = 0;
            waitpid(pid_, &status, 0);
            g_spawn_close_pid(pid_);
            pid_ = 0;
        }
    }

    ~ServerProcess() {
        stop();
        remove_dir();
    }

    int port() const { return port_; }
    std::string ws_url() const { return "ws://127.0.0.1:" + std::to_string(port_) + "/api/ws"; }

private:
    void remove_dir() {
        if (!dir_.empty()) {
            const std::string cmd = "rm -rf '" + dir_ + "'";
            (void)std::system(cmd.c_str());
            dir_.clear();
        }
    }

    GPid pid_ = 0;
    int port_ = 0;
    std::string dir_;
};

} // namespace tincan::agents::test
