// Static parts of the system routes: /static/** and the node_modules allow-list of /vendor/**.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "store/testing/temp_store.h"
#include "web/router.h"
#include "web/routes.h"
#include "web/server.h"
#include "web/services.h"

namespace coolpapers::web {
namespace {

namespace fs = std::filesystem;

class SystemRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* d : {"static", "nm/katex/dist/contrib", "nm/katex/dist/fonts",
                          "nm/pdfjs-dist/build", "nm/pdfjs-dist/web", "nm/pdfjs-dist/cmaps"}) {
      fs::create_directories(dir_ / d);
    }
    for (const char* f :
         {"static/app.js", "static/app.js.map", "nm/katex/dist/katex.min.js",
          "nm/katex/dist/katex.min.css", "nm/katex/dist/katex.js", "nm/katex/dist/README.md",
          "nm/katex/dist/contrib/auto-render.min.js", "nm/katex/dist/contrib/mhchem.min.js",
          "nm/katex/dist/fonts/KaTeX_Main-Regular.woff2", "nm/pdfjs-dist/build/pdf.min.mjs",
          "nm/pdfjs-dist/build/pdf.worker.min.mjs", "nm/pdfjs-dist/build/pdf.mjs",
          "nm/pdfjs-dist/build/pdf.mjs.map", "nm/pdfjs-dist/web/pdf_viewer.mjs",
          "nm/pdfjs-dist/cmaps/UniGB-UCS2-H.bcmap", "nm/pdfjs-dist/package.json"}) {
      std::ofstream(dir_ / f) << "content of " << f << "\n";
    }
    services_.config.static_dir = (dir_ / "static").string();
    services_.config.vendor_dir = (dir_ / "nm").string();
    RegisterSystemRoutes(router_, services_);
  }

  int Status(const std::string& target) {
    Request req;
    req.method = "GET";
    req.target = target;
    EXPECT_TRUE(ParseTarget(target, req).ok()) << target;
    const Handler* h = router_.Match(req);
    if (!h) return 404;
    return (*h)(req).status;
  }

  store::testing::TempDir dir_{"cp_system_routes"};
  Services services_;
  Router router_;
};

TEST_F(SystemRoutesTest, VendorServesOnlyWhatThePagesLoad) {
  for (const char* ok :
       {"/vendor/katex/katex.min.js", "/vendor/katex/katex.min.css",
        "/vendor/katex/contrib/auto-render.min.js", "/vendor/katex/fonts/KaTeX_Main-Regular.woff2",
        "/vendor/pdfjs/build/pdf.min.mjs", "/vendor/pdfjs/build/pdf.worker.min.mjs",
        "/vendor/pdfjs/cmaps/UniGB-UCS2-H.bcmap", "/static/app.js"}) {
    EXPECT_EQ(Status(ok), 200) << ok;
  }
  for (const char* refused : {"/vendor/katex/katex.js", "/vendor/katex/README.md",
                              "/vendor/katex/contrib/mhchem.min.js", "/vendor/pdfjs/build/pdf.mjs",
                              "/vendor/pdfjs/web/pdf_viewer.mjs", "/vendor/pdfjs/package.json"}) {
    EXPECT_EQ(Status(refused), 404) << refused;
  }
}

TEST_F(SystemRoutesTest, SourceMapsAre404) {
  EXPECT_EQ(Status("/vendor/pdfjs/build/pdf.mjs.map"), 404);
  EXPECT_EQ(Status("/static/app.js.map"), 404);
}

}  // namespace
}  // namespace coolpapers::web
