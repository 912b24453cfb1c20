#pragma once

#include <boost/beast/http.hpp>
#include <boost/beast/http/message_generator.hpp>
#include <string>
#include <string_view>

namespace tincan::server {

using StringResponse = boost::beast::http::response<boost::beast::http::string_body>;

/// Any response ready to be written, with its status kept for metrics and logs.
struct RoutedResponse {
    template <class Body>
    explicit RoutedResponse(boost::beast::http::response<Body>&& res)
        : status(res.result_int()), keep_alive(res.keep_alive()), message(std::move(res)) {}

    unsigned status;
    bool keep_alive;
    boost::beast::http::message_generator message;
};

/// A response with a body and content type; keep-alive and version follow the request.
StringResponse make_response(boost::beast::http::status status, unsigned version, bool keep_alive,
                             std::string body, std::string_view content_type);

/// JSON body `{"err": message}`, the original server's error shape.
StringResponse json_error(boost::beast::http::status status, unsigned version, bool keep_alive,
                          std::string_view message);

/// The permissive CORS headers of --inject-allow-all-cors-headers (PROTOCOL.md 2.3).
void add_allow_all_cors(boost::beast::http::fields& fields);

/// A JSON response (body already serialised).
StringResponse json_response(boost::beast::http::status status, unsigned version, bool keep_alive,
                             std::string body);

} // namespace tincan::server
