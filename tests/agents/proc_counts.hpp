// Counts of this process's threads and open fds from /proc, for leak tests and the per-peer
// cost benchmark.
#pragma once

#include <dirent.h>

namespace tincan::agents {

/// Entries of a /proc directory such as /proc/self/fd, without "." and "..".
inline int proc_entries(const char* path) {
    int n = 0;
    if (DIR* d = opendir(path)) {
        while (const dirent* e = readdir(d)) {
            if (e->d_name[0] != '.') {
                ++n;
            }
        }
        closedir(d);
    }
    return n;
}

} // namespace tincan::agents
