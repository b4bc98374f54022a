// The graph explorer page (autograd/debug/html.hpp) without a browser: what it embeds and what it leaves
// alone. tests/html/run_explorer_test.cmake runs the page itself in headless Chromium.
#include <gtest/gtest.h>

#include <filesystem>
#include <tsumiki.hpp>

using namespace tsumiki;

TEST(Html, PageIsSelfContainedAndCarriesTheGraph) {
  Variable a(scalar_tensor(100, Dtype::Float64), true);
  a.name("apple");
  const Variable price = a * 2.0 * 1.1;
  const std::string page = to_html(price);
  EXPECT_EQ(page.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_EQ(page.find("http://"),
            page.find("http://www.w3.org/2000/svg"));  // no fetch: only the SVG namespace
  EXPECT_EQ(page.find("https://"), std::string::npos);
  EXPECT_EQ(page.find("<script src"), std::string::npos);
  EXPECT_NE(page.find("\"name\":\"apple\""), std::string::npos);
  EXPECT_NE(page.find("\"op\":\"mul_scalar\""), std::string::npos);
  EXPECT_NE(page.find("\"steps\":[{\"fn\":"), std::string::npos);  // two backward steps recorded
  EXPECT_NE(page.find("\"values\":[2.2]"), std::string::npos);     // apple's gradient
}

TEST(Html, RecordingTheBackwardLeavesEveryGradientAsItWas) {
  Variable x(from_vector<double>({1, 2, 3}), true);
  const Variable y = sum(x * x);
  EXPECT_FALSE(x.grad().defined());
  (void)to_html(y);
  EXPECT_FALSE(x.grad().defined());  // still none
  y.backward({.retain_graph = true});
  const Variable before = x.grad();
  (void)to_html(y);
  EXPECT_EQ(x.grad().impl(), before.impl());  // the same gradient, not a sum with the page's pass
  EXPECT_EQ(x.grad().data().flat(2), 6.0);
}

TEST(Html, SaysWhyNoStepsWereRecorded) {
  Variable x(from_vector<double>({1, 2}), true);
  const Variable y = sum(exp(x));
  y.backward();  // frees the graph
  EXPECT_NE(to_html(y).find("backward() already freed this graph"), std::string::npos);
  EXPECT_NE(to_html(exp(x)).find("the root is not a scalar"), std::string::npos);
  EXPECT_THROW((void)to_html(Variable()), Error);
}

TEST(Html, NamesCannotCloseTheScript) {
  Variable x(from_vector<double>({1}), true);
  x.name("</script><b>");
  const std::string page = to_html(sum(x), {.title = "a < b & c"});
  EXPECT_EQ(page.find("</script><b>"), std::string::npos);
  EXPECT_NE(page.find("\\u003c/script>"), std::string::npos);
  EXPECT_NE(page.find("<title>a &lt; b &amp; c</title>"), std::string::npos);
}

TEST(Html, SaveHtmlNamesAFileItCannotWrite) {
  const Variable x(from_vector<double>({1}), true);
  try {
    save_html(sum(x), "/nonexistent-dir/graph.html");
    FAIL() << "expected IOError";
  } catch (const IOError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent-dir/graph.html"), std::string::npos);
  }
  const auto path = std::filesystem::temp_directory_path() / "tsumiki_test_graph.html";
  save_html(sum(x), path.string());
  EXPECT_GT(std::filesystem::file_size(path), 1000u);
  std::filesystem::remove(path);
}
