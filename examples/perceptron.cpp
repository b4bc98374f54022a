// Perceptrons ("Deep Learning from Scratch", chapter 2): AND, NAND and OR with hand-set weights, XOR as two
// layers of them, then the same gates learned by gradient descent (a sigmoid unit per gate; XOR needs a
// hidden layer, and a single unit is shown failing on it).
//
//   perceptron --steps 2000 --out runs/perceptron
//
// Prints the truth tables; writes <out>/perceptron.csv (the learned outputs over a grid) and perceptron.png
// (one panel per gate: learned output as a heat map, the hand-set decision lines, the four inputs).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <map>
#include <tsumiki.hpp>

#include "common/book.hpp"
#include "common/cli.hpp"

using namespace tsumiki;

namespace {

// The four inputs of a two-input gate, one row each.
Variable inputs() { return constant(from_vector<double>({0, 0, 1, 0, 0, 1, 1, 1}, {4, 2})); }

// A perceptron: 1 where x . w + b > 0, else 0 (plain forward maths with ops; a step has no useful gradient).
Variable perceptron(const Variable& x, double w0, double w1, double b) {
  const Variable w = constant(from_vector<double>({w0, w1}));
  const Variable a = matmul(x, w) + b;
  return greater(a, scalar_like(0, a));
}

struct Gate {
  const char* name;
  std::vector<double> truth;  // targets for the rows of inputs()
};
const std::vector<Gate> kGates{
    {"AND", {0, 0, 0, 1}}, {"NAND", {1, 1, 1, 0}}, {"OR", {0, 1, 1, 1}}, {"XOR", {0, 1, 1, 0}}};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Perceptrons: hand-set gates, XOR in two layers, gates learned by gradient descent"};
  app.option_defaults()->always_capture_default();  // --help shows every default
  int steps = 2000, grid = 41;
  double lr = 1.0;
  std::uint64_t seed = 1;
  std::string out = "runs/perceptron";
  app.add_option("--steps", steps, "gradient steps per learned gate")->check(examples::Positive);
  app.add_option("--lr", lr, "SGD learning rate")->check(examples::Positive);
  app.add_option("--grid", grid, "grid points per axis for the picture")->check(CLI::Range(2, 1000));
  app.add_option("--seed", seed, "seed for the learned gates' initial weights");
  app.add_option("--out", out, "folder for perceptron.csv and perceptron.png");
  CLI11_PARSE(app, argc, argv);
  manual_seed(seed);

  // ---- 1. hand-set weights ----
  const Variable x = inputs();
  std::map<std::string, Variable> hand;
  hand["AND"] = perceptron(x, 0.5, 0.5, -0.7);
  hand["NAND"] = perceptron(x, -0.5, -0.5, 0.7);
  hand["OR"] = perceptron(x, 0.5, 0.5, -0.2);
  // XOR = AND(NAND(x), OR(x)): the second layer reads the first layer's two outputs.
  hand["XOR"] = perceptron(stack({hand["NAND"], hand["OR"]}, 1), 0.5, 0.5, -0.7);
  std::printf(
      "hand-set perceptrons (w0, w1, b): AND (0.5, 0.5, -0.7)  NAND (-0.5, -0.5, 0.7)  OR (0.5, 0.5, -0.2)\n"
      "XOR = AND(NAND(x), OR(x))\n");
  auto table = [&](const char* label, const std::map<std::string, Variable>& y) {
    std::printf("%-8s x0 x1 -> AND NAND OR XOR\n", label);
    for (std::size_t r = 0; r < 4; ++r) {
      std::printf("%-8s %.0f %.0f -> AND %.0f  NAND %.0f  OR %.0f  XOR %.0f\n", label, x.data().flat(2 * r),
                  x.data().flat(2 * r + 1), y.at("AND").data().flat(r), y.at("NAND").data().flat(r),
                  y.at("OR").data().flat(r), y.at("XOR").data().flat(r));
    }
  };
  table("hand", hand);

  // ---- 2. learned by gradient descent ----
  const Variable xf = constant(x.data().to(Dtype::Float32));
  std::map<std::string, std::shared_ptr<nn::Module>> nets;
  std::map<std::string, Variable> learned;
  auto fit = [&](const Gate& g, std::shared_ptr<nn::Module> net) {
    const Variable t = constant(from_vector<float>(
        {float(g.truth[0]), float(g.truth[1]), float(g.truth[2]), float(g.truth[3])}, {4, 1}));
    optim::SGD opt(net->parameters(), {.lr = lr});
    double loss = 0;
    for (int s = 0; s < steps; ++s) {
      const Variable l = sigmoid_cross_entropy((*net)(xf), t);
      net->zero_grad();
      l.backward();
      opt.step();
      loss = l.item<double>();
    }
    NoGradGuard no_grad;
    const Variable y = reshape(greater((*net)(xf), scalar_like(0, xf)), {4});
    double hits = 0;
    for (std::size_t r = 0; r < 4; ++r) hits += y.data().flat(r) == g.truth[r];
    return std::tuple{y, loss, hits / 4};
  };
  for (const Gate& g : kGates) {
    std::shared_ptr<nn::Module> net;
    if (std::string(g.name) == "XOR")  // two layers: a hidden layer of 4 tanh units
      net = std::make_shared<nn::Sequential>(std::initializer_list<std::shared_ptr<nn::Module>>{
          std::make_shared<nn::Linear>(2, 4), std::make_shared<nn::Tanh>(),
          std::make_shared<nn::Linear>(4, 1)});
    else
      net = std::make_shared<nn::Linear>(2, 1);
    auto [y, loss, acc] = fit(g, net);
    learned[g.name] = y;
    nets[g.name] = net;
    std::printf("learned %-4s  final loss %.4f  accuracy %.2f", g.name, loss, acc);
    if (auto lin = std::dynamic_pointer_cast<nn::Linear>(net))
      std::printf("  w (%.2f, %.2f)  b %.2f", lin->W.data().flat(0), lin->W.data().flat(1),
                  lin->b.data().flat(0));
    std::printf("\n");
  }
  table("learned", learned);
  // One unit cannot do XOR: its decision boundary is a line.
  {
    auto [y, loss, acc] = fit(kGates[3], std::make_shared<nn::Linear>(2, 1));
    std::printf("single-layer XOR: final loss %.4f  accuracy %.2f (a line cannot separate XOR)\n", loss, acc);
  }

  // ---- picture: learned sigmoid outputs over the plane ----
  std::filesystem::create_directories(out);
  const Tensor axis = linspace(-0.5, 1.5, static_cast<std::size_t>(grid), Dtype::Float32);
  std::vector<float> pts;
  for (int i = 0; i < grid; ++i)
    for (int j = 0; j < grid; ++j) {
      pts.push_back(static_cast<float>(axis.flat(static_cast<std::size_t>(j))));
      pts.push_back(static_cast<float>(axis.flat(static_cast<std::size_t>(i))));
    }
  const Variable gx = constant(from_vector<float>(pts, {pts.size() / 2, 2}));
  examples::Table t{{"x0", "x1", "AND", "NAND", "OR", "XOR"}, {}};
  std::vector<Tensor> probs;
  {
    NoGradGuard no_grad;
    for (const Gate& g : kGates) probs.push_back(sigmoid((*nets[g.name])(gx)).data());
  }
  for (std::size_t r = 0; r < pts.size() / 2; ++r)
    t.add(
        {pts[2 * r], pts[2 * r + 1], probs[0].flat(r), probs[1].flat(r), probs[2].flat(r), probs[3].flat(r)});

  const std::string csv = out + "/perceptron.csv", png = out + "/perceptron.png";
  std::string s =
      "set multiplot layout 2,2 title 'Perceptrons: learned sigmoid output, hand-set decision lines'\n";
  s += "set xrange [-0.5:1.5]\nset yrange [-0.5:1.5]\nset cbrange [0:1]\nset size ratio -1\n"
       "set xlabel 'x0'\nset ylabel 'x1'\nset palette defined (0 '#2c7bb6', 0.5 '#ffffbf', 1 '#d7191c')\n"
       "set key below\n";
  const std::map<std::string, std::string> lines{{"AND", "1.4-x title 'hand-set AND' lw 2 lc 'black'"},
                                                 {"NAND", "1.4-x title 'hand-set NAND' lw 2 lc 'black'"},
                                                 {"OR", "0.4-x title 'hand-set OR' lw 2 lc 'black'"},
                                                 {"XOR",
                                                  "1.4-x title 'NAND' lw 2 lc 'black', 0.4-x title 'OR' lw 2 "
                                                  "dt 2 lc 'black'"}};
  for (std::size_t gi = 0; gi < kGates.size(); ++gi) {
    const Gate& g = kGates[gi];
    std::string ones, zeros;
    for (std::size_t r = 0; r < 4; ++r)
      (g.truth[r] > 0.5 ? ones : zeros) += examples::fmt("%.0f", x.data().flat(2 * r)) + "," +
                                           examples::fmt("%.0f", x.data().flat(2 * r + 1)) + "\n";
    s += "$ones" + std::to_string(gi) + " << EOD\n" + ones + "EOD\n";
    s += "$zeros" + std::to_string(gi) + " << EOD\n" + zeros + "EOD\n";
    s += "set title '" + std::string(g.name) + (gi == 3 ? " (2 layers)" : "") + "'\n";
    s += "plot '" + csv + "' using 1:2:" + std::to_string(examples::column(t, g.name)) +
         " skip 1 with image notitle, " + lines.at(g.name) + ", $ones" + std::to_string(gi) +
         " using 1:2 with points pt 7 ps 2 lc 'black' title 'output 1', $zeros" + std::to_string(gi) +
         " using 1:2 with points pt 6 ps 2 lw 2 lc 'black' title 'output 0'\n";
  }
  s += "unset multiplot\n";
  examples::write_plot(t, csv, png, s, 1000, 1000);
  return 0;
}
