#pragma once
// Just enough multipart/form-data (RFC 7578) to read the text fields of `POST /bots/add`.

#include "auth/error.hpp"

#include <map>
#include <string>
#include <string_view>

namespace tincan::server {

// Field name -> value for every part with a `Content-Disposition: form-data; name="..."`.
AuthResult<std::map<std::string, std::string>> parse_multipart_form(std::string_view content_type,
                                                                    std::string_view body);

} // namespace tincan::server
