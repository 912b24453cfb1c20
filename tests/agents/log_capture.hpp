#pragma once

// Keeps the lines logged through spdlog's default logger while it lives (they still go to the
// usual sinks too), for tests that check what a bot logs.

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace tincan::agents::test {

class LogCapture {
public:
    LogCapture() : previous_(spdlog::default_logger()), sink_(std::make_shared<Sink>()) {
        auto logger = previous_->clone("capture");
        logger->sinks().push_back(sink_);
        spdlog::set_default_logger(logger);
    }
    ~LogCapture() { spdlog::set_default_logger(previous_); }
    LogCapture(const LogCapture&) = delete;
    LogCapture& operator=(const LogCapture&) = delete;

    /// Lines logged so far that contain `text`.
    std::size_t count(const std::string& text) const {
        std::lock_guard lock(sink_->lines_mutex);
        return std::count_if(sink_->lines.begin(), sink_->lines.end(), [&](const std::string& l) {
            return l.find(text) != std::string::npos;
        });
    }

private:
    struct Sink : spdlog::sinks::base_sink<std::mutex> {
        void sink_it_(const spdlog::details::log_msg& msg) override {
            std::lock_guard lock(lines_mutex);
            lines.emplace_back(msg.payload.begin(), msg.payload.end());
        }
        void flush_() override {}
        mutable std::mutex lines_mutex;
        std::vector<std::string> lines;
    };

    std::shared_ptr<spdlog::logger> previous_;
    std::shared_ptr<Sink> sink_;
};

} // namespace tincan::agents::test
