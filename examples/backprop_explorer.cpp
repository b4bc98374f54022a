// Backpropagation to click through: writes two graph-explorer pages (to_html) that open in any browser.
//
//   backprop_explorer --out runs/backprop_explorer
//
// shopping.html: the book's chapter-5 example. Two apples at 100 and three oranges at 150, with 10% tax:
//   price = (apple * apple_num + orange * orange_num) * tax = 715.
//   Step backward and watch the gradients arrive: apple 2.2, apple_num 110, orange 3.3, orange_num 165,
//   tax 650.
// two_layer_net.html: a two-layer net (Linear, Sigmoid, Linear) with softmax cross-entropy, built from nn
//   modules, so every op sits in its module's box (fc1, act, fc2) with the line of this file that called it.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <tsumiki.hpp>

using namespace tsumiki;

int main(int argc, char** argv) {
  CLI::App app{"Write graph-explorer pages for the chapter-5 shopping example and a two-layer net"};
  std::string out = "runs/backprop_explorer";
  app.add_option("--out", out, "directory for the pages");
  CLI11_PARSE(app, argc, argv);
  std::filesystem::create_directories(out);

  auto scalar = [](double v, const char* name) {
    Variable x(scalar_tensor(v, Dtype::Float64), true);
    x.name(name);
    return x;
  };
  const Variable apple = scalar(100, "apple"), apple_num = scalar(2, "apple_num");
  const Variable orange = scalar(150, "orange"), orange_num = scalar(3, "orange_num");
  const Variable tax = scalar(1.1, "tax");
  Variable apples = apple * apple_num, oranges = orange * orange_num;
  apples.name("apple_price");
  oranges.name("orange_price");
  Variable all = apples + oranges;
  all.name("all_price");
  Variable price = all * tax;
  price.name("price");
  save_html(price, out + "/shopping.html", {.title = "Buying apples and oranges (chapter 5)"});
  std::printf("price %.1f; wrote %s/shopping.html\n", price.item(), out.c_str());
  // Tsumiki's own gradients, for comparing with what the page shows after its last step.
  price.backward();
  for (const Variable& v : {apple, apple_num, orange, orange_num, tax})
    std::printf("grad %s %.5g\n", v.name().c_str(), v.grad().item());

  manual_seed(0);
  nn::Sequential net;
  net.add("fc1", std::make_shared<nn::Linear>(4, 5))
      .add("act", std::make_shared<nn::Sigmoid>())
      .add("fc2", std::make_shared<nn::Linear>(5, 3));
  net.name("net");
  Variable x(randn(Shape{2, 4}));
  x.name("x");
  const Variable labels(from_vector<std::int64_t>({0, 2}));
  Variable loss = softmax_cross_entropy(net(x), labels);
  loss.name("loss");
  save_html(loss, out + "/two_layer_net.html", {.title = "A two-layer net, module by module"});
  std::printf("loss %.4f; wrote %s/two_layer_net.html\n", loss.item(), out.c_str());
  return 0;
}
