// fake-github: the loopback GitHub of the accounts tests as a process, for browser end-to-end
// tests. Prints "listening <port>" on stdout, serves until SIGTERM or SIGINT.
//   fake-github CLIENT_ID CLIENT_SECRET LOGIN ID [NAME] [AVATAR_URL]

#include "fake_github.hpp"

#include <csignal>
#include <iostream>
#include <unistd.h>

int main(int argc, char** argv) {
    if (argc < 5) {
        std::cerr << "usage: fake-github CLIENT_ID CLIENT_SECRET LOGIN ID [NAME] [AVATAR_URL]\n";
        return 2;
    }
    // Block the signals before the server thread starts so only sigwait sees them.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    tincan::test::FakeGithubUser user{argv[3], std::atoll(argv[4]), argc > 5 ? argv[5] : "",
                                      argc > 6 ? argv[6] : ""};
    tincan::test::FakeGithub github(argv[1], argv[2], user);
    std::cout << "listening " << github.port() << std::endl;
    int sig = 0;
    sigwait(&set, &sig);
    return 0;
}
