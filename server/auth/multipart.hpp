#pragma once
// Just enough multipart/form-data (RFC 7578) to read the text fields of `POST /bots/add`.

#include "auth/error.hpp"

#include <map>
#include <string>
#include <string_view>

namespace tincan::server {

// Field name -> value of the parts with a `Content-Disposition: form-data; name="..."`, as Go's
// r.FormValue sees them: file parts (with a filename) left out, the first of a name given twice.
AuthResult<std::map<std::string, std::string>> parse_multipart_form(std::string_view content_type,
                                                                    std::string_view body);

} // namespace tincan::server
