#pragma once

#include "../server_context.hpp"
#include "responses.hpp"

#include <boost/beast/http/message_generator.hpp>
#include <filesystem>
#include <string>
#include <string_view>

namespace tincan::server {

/// Serves the built web app: correct MIME types, long-lived caching for hashed assets under
/// /assets/, no-cache for everything else, SPA fallback to index.html for extension-less paths,
/// and no way out of the web root.
class StaticFiles {
public:
    explicit StaticFiles(std::filesystem::path root);

    /// `cors`: with the permissive CORS headers (--inject-allow-all-cors-headers).
    RoutedResponse serve(const Request& req, std::string_view path, bool cors = false) const;

    static std::string_view mime_type(std::string_view path);

private:
    std::filesystem::path root_;
};

} // namespace tincan::server
