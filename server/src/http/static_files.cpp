#include "static_files.hpp"

#include "responses.hpp"

#include <boost/beast/core/file.hpp>
#include <boost/beast/http/file_body.hpp>
#include <boost/url/decode_view.hpp>

namespace tincan::server {

namespace http = boost::beast::http;
namespace fs = std::filesystem;

namespace {

// Applied to every page and asset: the page renders untrusted peer data, so scripts may only
// come from our own origin. 'wasm-unsafe-eval' lets WebAssembly modules (the file digest's
// SHA-256) compile; it does not allow eval() or inline scripts.
constexpr std::string_view content_security_policy =
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob: https:; media-src 'self' blob: data:; "
    "connect-src 'self' ws: wss: http: https:; worker-src 'self' blob:; font-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

template <class Body> void security_headers(http::response<Body>& res) {
    res.set(http::field::server, "tincan-server");
    res.set("Content-Security-Policy", content_security_policy);
    res.set("X-Content-Type-Options", "nosniff");
    res.set("Referrer-Policy", "no-referrer");
}

bool has_extension(std::string_view path) {
    const auto slash = path.rfind('/');
    const auto dot = path.rfind('.');
    return dot != std::string_view::npos && (slash == std::string_view::npos || dot > slash);
}

} // namespace

StaticFiles::StaticFiles(fs::path root) : root_(std::move(root)) {
    std::error_code ec;
    auto canonical = fs::weakly_canonical(root_, ec);
    if (!ec) {
        root_ = canonical;
    }
}

std::string_view StaticFiles::mime_type(std::string_view path) {
    const auto dot = path.rfind('.');
    if (dot == std::string_view::npos) {
        return "application/octet-stream";
    }
    std::string ext(path.substr(dot + 1));
    for (auto& c : ext) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    static const std::pair<std::string_view, std::string_view> table[] = {
        {"html", "text/html; charset=utf-8"},
        {"htm", "text/html; charset=utf-8"},
        {"js", "text/javascript; charset=utf-8"},
        {"mjs", "text/javascript; charset=utf-8"},
        {"css", "text/css; charset=utf-8"},
        {"json", "application/json"},
        {"map", "application/json"},
        {"webmanifest", "application/manifest+json"},
        {"txt", "text/plain; charset=utf-8"},
        {"svg", "image/svg+xml"},
        {"png", "image/png"},
        {"jpg", "image/jpeg"},
        {"jpeg", "image/jpeg"},
        {"gif", "image/gif"},
        {"webp", "image/webp"},
        {"avif", "image/avif"},
        {"ico", "image/x-icon"},
        {"woff", "font/woff"},
        {"woff2", "font/woff2"},
        {"ttf", "font/ttf"},
        {"otf", "font/otf"},
        {"wasm", "application/wasm"},
        {"ogg", "audio/ogg"},
        {"opus", "audio/ogg"},
        {"mp3", "audio/mpeg"},
        {"wav", "audio/wav"},
        {"mp4", "video/mp4"},
        {"webm", "video/webm"},
    };
    for (const auto& [e, mime] : table) {
        if (e == ext) {
            return mime;
        }
    }
    return "application/octet-stream";
}

RoutedResponse StaticFiles::serve(const Request& req, std::string_view encoded_path,
                                  bool cors) const {
    const auto version = req.version();
    const bool keep_alive = req.keep_alive();
    auto done = [cors, method = req.method()](auto&& res) {
        if (cors) {
            add_allow_all_cors(res);
        }
        return respond_to(method, std::move(res));
    };
    auto not_found = [&] {
        auto res = go_not_found(version, keep_alive);
        security_headers(res);
        return done(std::move(res));
    };
    if (req.method() != http::verb::get && req.method() != http::verb::head) {
        auto res = make_response(http::status::method_not_allowed, version, keep_alive,
                                 "method not allowed\n", "text/plain; charset=utf-8");
        res.set(http::field::allow, "GET, HEAD");
        return done(std::move(res));
    }
    // Decode %xx, then refuse anything that could leave the root.
    std::string path;
    for (const char c : boost::urls::decode_view(encoded_path)) {
        path += c;
    }
    if (path.empty() || path.front() != '/' || path.find('\0') != std::string::npos ||
        path.find('\\') != std::string::npos) {
        return not_found();
    }
    for (std::size_t pos = 0; (pos = path.find("..", pos)) != std::string::npos; ++pos) {
        const bool seg_start = pos == 0 || path[pos - 1] == '/';
        const bool seg_end = pos + 2 == path.size() || path[pos + 2] == '/';
        if (seg_start && seg_end) {
            return not_found();
        }
    }
    if (path.back() == '/') {
        path += "index.html";
    }
    fs::path file = root_ / fs::path(path).relative_path();
    std::error_code ec;
    if (!fs::is_regular_file(file, ec)) {
        if (has_extension(path)) {
            return not_found();
        }
        file = root_ / "index.html"; // SPA route
        path = "/index.html";
    }
    auto canonical = fs::weakly_canonical(file, ec);
    const auto root_str = root_.string();
    if (ec || canonical.string().compare(0, root_str.size(), root_str) != 0) {
        return not_found();
    }
    http::file_body::value_type body;
    boost::beast::error_code bec;
    body.open(canonical.c_str(), boost::beast::file_mode::scan, bec);
    if (bec) {
        return not_found();
    }
    const auto size = body.size();
    const bool immutable = path.starts_with("/assets/");
    auto set_common = [&](auto& res) {
        res.set(http::field::content_type, mime_type(path));
        res.set(http::field::cache_control,
                immutable ? "public, max-age=31536000, immutable" : "no-cache");
        security_headers(res);
        res.keep_alive(keep_alive);
    };
    if (req.method() == http::verb::head) {
        http::response<http::empty_body> res{http::status::ok, version};
        set_common(res);
        res.content_length(size);
        return done(std::move(res));
    }
    http::response<http::file_body> res{std::piecewise_construct, std::make_tuple(std::move(body)),
                                        std::make_tuple(http::status::ok, version)};
    set_common(res);
    res.content_length(size);
    return done(std::move(res));
}

} // namespace tincan::server
