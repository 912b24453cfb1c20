#include "test_client.hpp"

#include <filesystem>
#include <fstream>
#include <gtest/gtest.h>

using namespace tincan::test;
namespace fs = std::filesystem;

namespace {

class StaticFilesTest : public ::testing::Test {
protected:
    void SetUp() override {
        root_ = fs::temp_directory_path() / ("tincan-web-" + std::to_string(::getpid()));
        fs::create_directories(root_ / "assets");
        write("index.html", "<!doctype html><title>Tincan</title>");
        write("assets/index-3f2a9c.js", "console.log(1)");
        write("assets/index-77aa.css", "body{}");
        write("favicon.svg", "<svg/>");
        fs::create_directories(root_.parent_path() / "secret-outside");
        std::ofstream(root_.parent_path() / "secret-outside" / "key.txt") << "secret";
        server_ = std::make_unique<TestServer>([this](auto& c) { c.web_root = root_.string(); });
    }
    void TearDown() override {
        server_.reset();
        fs::remove_all(root_);
    }
    void write(const std::string& rel, const std::string& text) {
        std::ofstream(root_ / rel) << text;
    }
    HttpResult get(const std::string& target, const std::string& method = "GET") {
        return http_get(server_->port(), target, method);
    }

    fs::path root_;
    std::unique_ptr<TestServer> server_;
};

} // namespace

TEST_F(StaticFilesTest, ServesFilesWithMimeTypesAndCaching) {
    auto index = get("/");
    EXPECT_EQ(index.status, 200U);
    EXPECT_EQ(index.headers["Content-Type"], "text/html; charset=utf-8");
    EXPECT_EQ(index.headers["Cache-Control"], "no-cache");
    EXPECT_NE(
        index.headers["Content-Security-Policy"].find("script-src 'self' 'wasm-unsafe-eval';"),
        std::string::npos);
    EXPECT_EQ(index.headers["X-Content-Type-Options"], "nosniff");
    auto js = get("/assets/index-3f2a9c.js");
    EXPECT_EQ(js.status, 200U);
    EXPECT_EQ(js.body, "console.log(1)");
    EXPECT_EQ(js.headers["Content-Type"], "text/javascript; charset=utf-8");
    EXPECT_EQ(js.headers["Cache-Control"], "public, max-age=31536000, immutable");
    EXPECT_EQ(get("/assets/index-77aa.css").headers["Content-Type"], "text/css; charset=utf-8");
    EXPECT_EQ(get("/favicon.svg").headers["Content-Type"], "image/svg+xml");
    auto head = get("/assets/index-3f2a9c.js", "HEAD");
    EXPECT_EQ(head.status, 200U);
    EXPECT_EQ(head.headers["Content-Length"], "14");
}

TEST_F(StaticFilesTest, SpaRoutesFallBackToIndexMissingAssetsDoNot) {
    auto route = get("/chat/some-peer");
    EXPECT_EQ(route.status, 200U);
    EXPECT_EQ(route.body, "<!doctype html><title>Tincan</title>");
    EXPECT_EQ(get("/assets/missing-123.js").status, 404U);
    // API paths never fall back to the page.
    auto api = get("/api/unknown");
    EXPECT_EQ(api.status, 404U);
    EXPECT_EQ(api.body, "404 page not found\n"); // the original's answer, not the page
    EXPECT_EQ(api.headers["Content-Type"], "text/plain; charset=utf-8");
    // Nor do the original's login paths when that provider is not configured (PROTOCOL.md 2.2).
    for (const char* login : {"/github/login/start", "/kioubit/login/auth?params=x", "/github"}) {
        SCOPED_TRACE(login);
        EXPECT_EQ(get(login).status, 404U);
    }
    EXPECT_EQ(get("/githubber").status, 200U); // only the path and what is below it
    EXPECT_EQ(get("/index.html", "POST").status, 405U);
}

TEST_F(StaticFilesTest, NoWayOutOfTheWebRoot) {
    const auto dir = root_.filename().string();
    for (const std::string& target :
         std::vector<std::string>{"/../secret-outside/key.txt", "/%2e%2e/secret-outside/key.txt",
                                  "/assets/..%2f..%2fsecret-outside%2fkey.txt",
                                  "/..%5c" + dir + "/index.html", "/%00index.html"}) {
        SCOPED_TRACE(target);
        const auto res = get(target);
        EXPECT_NE(res.body, "secret");
        // A literal `..` is first sent to the clean path, as Go's ServeMux does: inside the root.
        const bool cleaned = res.status == 301U && res.headers.count("Location") != 0 &&
                             res.headers.at("Location") == "/secret-outside/key.txt";
        EXPECT_TRUE(res.status == 404U || res.status == 400U || cleaned) << res.status;
    }
}
