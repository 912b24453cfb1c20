// The smallest complete bot, built in the tree as `tincan-example-bot`: it answers every text
// in capitals. See docs/bots.md.
//
//   build/bin/tincan-example-bot ws://127.0.0.1:3001/api/ws

#include "bots/bot.hpp"
#include "bots/bot_host.hpp"

#include <glib-unix.h>
#include <gst/gst.h>

#include <cctype>

namespace {

class ShoutBot : public tincan::agents::CommandBot { // ACKs every text, then on_command
public:
    std::string name() const override { return "ShoutBot"; }
    void on_command(const std::shared_ptr<tincan::agents::PeerContext>& peer,
                    const tincan::common::ChatMessage& message, const std::string& text) override {
        std::string loud = text;
        for (auto& c : loud) {
            c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        }
        peer->reply(message, loud);
    }
};

} // namespace

int main(int argc, char** argv) {
    gst_init(&argc, &argv);
    tincan::agents::HostConfig config;
    config.signalling.url = argc > 1 ? argv[1] : "ws://127.0.0.1:3001/api/ws";
    config.signalling.node_name = "ShoutBot";
    auto host = tincan::agents::BotHost::create(std::make_shared<ShoutBot>(), config);
    host->start();
    GMainLoop* loop = g_main_loop_new(nullptr, FALSE);
    g_unix_signal_add(
        SIGINT,
        [](gpointer l) {
            g_main_loop_quit(static_cast<GMainLoop*>(l));
            return G_SOURCE_REMOVE;
        },
        loop);
    g_main_loop_run(loop);
    host->stop();
    g_main_loop_unref(loop);
    return 0;
}
