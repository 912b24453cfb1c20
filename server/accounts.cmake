# tincan_accounts: users, sessions, JWTs, GitHub/Kioubit login, management API (issue 5).
# Included from server/CMakeLists.txt; sources in server/auth and server/store.
add_library(tincan_accounts STATIC
    ${CMAKE_CURRENT_LIST_DIR}/auth/accounts_api.cpp
    ${CMAKE_CURRENT_LIST_DIR}/auth/accounts_service.cpp
    ${CMAKE_CURRENT_LIST_DIR}/auth/avatar_cache.cpp
    ${CMAKE_CURRENT_LIST_DIR}/auth/cookies.cpp
    ${CMAKE_CURRENT_LIST_DIR}/auth/crypto.cpp
    ${CMAKE_CURRENT_LIST_DIR}/auth/github_client.cpp
    ${CMAKE_CURRENT_LIST_DIR}/auth/http_client.cpp
    ${CMAKE_CURRENT_LIST_DIR}/auth/http_util.cpp
    ${CMAKE_CURRENT_LIST_DIR}/auth/jwt.cpp
    ${CMAKE_CURRENT_LIST_DIR}/auth/kioubit.cpp
    ${CMAKE_CURRENT_LIST_DIR}/auth/login_handlers.cpp
    ${CMAKE_CURRENT_LIST_DIR}/auth/management_api.cpp
    ${CMAKE_CURRENT_LIST_DIR}/auth/multipart.cpp
    ${CMAKE_CURRENT_LIST_DIR}/store/store.cpp
)
target_include_directories(tincan_accounts PUBLIC ${CMAKE_CURRENT_LIST_DIR})
# tincan_server_core for the Go-shaped HTTP answers (http/responses.hpp) shared with the core routes.
target_link_libraries(tincan_accounts PUBLIC
    tincan_server_core Boost::json Boost::url OpenSSL::SSL OpenSSL::Crypto SQLite::SQLite3
    spdlog::spdlog Threads::Threads)

# The glue into tincan-server (routes, WebSocket identity, name policy); needs the server core.
if(TARGET tincan_server_core)
    add_library(tincan_accounts_server STATIC ${CMAKE_CURRENT_LIST_DIR}/auth/accounts_extension.cpp)
    target_link_libraries(tincan_accounts_server PUBLIC tincan_accounts tincan_server_core)
    if(TARGET tincan-server)
        target_link_libraries(tincan-server PRIVATE tincan_accounts_server)
        target_compile_definitions(tincan-server PRIVATE TINCAN_WITH_ACCOUNTS=1)
    endif()
endif()
