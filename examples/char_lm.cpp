// A character-level language model on text Debian ships (the licences under /usr/share/common-licenses):
// an LSTM (truncated backpropagation through time, the state carried and detached between windows) or a
// small causal transformer, selected with --model.
//
//   char_lm --model lstm --epochs 5 --out runs/char_lm
//   char_lm --model transformer --epochs 5 --save lm.npz --temperature 0.7
//
// The last 10% of the text is held back: after each epoch its bits per character are printed; at the end a
// few lines are sampled (seeded, --temperature). Prints "first_loss X", "last_loss Y", "loss_fell 1|0" and
// "val_bpc_fell 1|0" (against the untrained model's);
// writes <out>/char_lm_<model>_curves.csv and .png. The last line printed is "val_bpc <value>".
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <tsumiki.hpp>

#include "common/cli.hpp"
#include "common/plot.hpp"
#include "common/progress.hpp"

using namespace tsumiki;
namespace fs = std::filesystem;

namespace {

const char* const kDefaultText = "/usr/share/common-licenses";

// The regular files of a folder in name order (symbolic links skipped: GPL -> GPL-3 would count twice), or
// one file.
std::string read_text(const std::string& path) {
  std::error_code ec;
  std::vector<fs::path> files;
  if (fs::is_directory(path, ec)) {
    for (const auto& e : fs::directory_iterator(path, ec))
      if (!e.is_symlink() && e.is_regular_file()) files.push_back(e.path());
    std::sort(files.begin(), files.end());
  } else if (fs::is_regular_file(path, ec)) {
    files.push_back(path);
  }
  std::string text;
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    text += s.str();
  }
  if (text.size() < 1000)
    throw Error("no text to train on at '" + path + "' (" + std::to_string(text.size()) +
                " bytes; Debian's base-files package puts the licences in " + kDefaultText +
                "; or give a text file or folder with --data)");
  return text;
}

// The model's common face: logits (N, T, vocab) for int64 indices (N, T).
class CharModel : public nn::Module {
 public:
  virtual void reset() {}                            // forget carried state (a new stream or batch size)
  virtual std::size_t context() const { return 0; }  // longest input; 0: any
};

class CharLSTM : public CharModel {
 public:
  CharLSTM(std::size_t vocab, std::size_t embed, std::size_t hidden, std::size_t layers)
      : emb(register_module("emb", std::make_shared<nn::Embedding>(vocab, embed))),
        lstm(register_module(
            "lstm", std::make_shared<nn::LSTM>(embed, hidden,
                                               nn::RNNOptions{.num_layers = layers, .batch_first = true}))),
        head(register_module("head", std::make_shared<nn::Linear>(
                                         hidden, vocab, nn::LinearOptions{.init = nn::init::Kind::Xavier}))) {
  }
  Variable forward(const Variable& idx) override {
    auto [y, s] = (*lstm)((*emb)(idx), state_);
    state_ = {s.h.detach(), s.c.detach()};  // truncated BPTT: the next window starts a new graph
    return (*head)(y);
  }
  void reset() override { state_ = {}; }
  std::string describe() const override { return "CharLSTM"; }
  std::shared_ptr<nn::Embedding> emb;
  std::shared_ptr<nn::LSTM> lstm;
  std::shared_ptr<nn::Linear> head;

 private:
  LSTMState state_;
};

class CharTransformer : public CharModel {
 public:
  CharTransformer(std::size_t vocab, std::size_t d_model, std::size_t heads, std::size_t layers,
                  std::size_t ctx)
      : ctx_(ctx),
        emb(register_module("emb", std::make_shared<nn::Embedding>(vocab, d_model))),
        pos(register_module("pos", std::make_shared<nn::Embedding>(ctx, d_model))),
        blocks(register_module("blocks", std::make_shared<nn::Sequential>())),
        ln_f(register_module("ln_f", std::make_shared<nn::LayerNorm>(d_model))),
        head(
            register_module("head", std::make_shared<nn::Linear>(
                                        d_model, vocab, nn::LinearOptions{.init = nn::init::Kind::Xavier}))) {
    // N(0, 1) embeddings would swamp the residual stream at init; GPT-2 starts them at 0.02.
    emb->weight.set_data(nn::init::normal(emb->weight.shape(), 0.02));
    pos->weight.set_data(nn::init::normal(pos->weight.shape(), 0.02));
    for (std::size_t l = 0; l < layers; ++l)
      blocks->add(std::make_shared<nn::TransformerBlock>(d_model, heads,
                                                         nn::TransformerBlockOptions{.causal = true}));
  }
  Variable forward(const Variable& idx) override {
    const std::size_t t = idx.shape()[1];
    const Variable positions(arange(0, static_cast<double>(t), 1, Dtype::Int64));
    return (*head)((*ln_f)((*blocks)((*emb)(idx) + (*pos)(positions))));
  }
  std::size_t context() const override { return ctx_; }
  std::string describe() const override { return "CharTransformer"; }

 private:
  std::size_t ctx_;

 public:
  std::shared_ptr<nn::Embedding> emb, pos;
  std::shared_ptr<nn::Sequential> blocks;
  std::shared_ptr<nn::LayerNorm> ln_f;
  std::shared_ptr<nn::Linear> head;
};

// `batch` contiguous streams over codes; window s of each stream is [s T, s T + T) (inputs) and one later
// (targets), so consecutive windows continue each other and a carried state stays meaningful.
struct Streams {
  const std::vector<std::int64_t>& codes;
  std::size_t batch, seq, length;  // length: characters per stream
  Streams(const std::vector<std::int64_t>& c, std::size_t b, std::size_t t)
      : codes(c), batch(b), seq(t), length(c.size() / b) {}
  std::size_t windows() const { return length > 1 ? (length - 1) / seq : 0; }
  std::pair<Variable, Tensor> window(std::size_t s) const {
    std::vector<std::int64_t> x(batch * seq), y(batch * seq);
    for (std::size_t b = 0; b < batch; ++b)
      for (std::size_t t = 0; t < seq; ++t) {
        const std::size_t at = b * length + s * seq + t;
        x[b * seq + t] = codes[at];
        y[b * seq + t] = codes[at + 1];
      }
    return {Variable(from_vector(x, Shape{batch, seq})), from_vector(y, Shape{batch * seq})};
  }
};

// Mean cross-entropy in nats of the next character, logits (N, T, V).
Variable next_char_loss(const Variable& logits, const Tensor& targets) {
  const std::size_t v = logits.shape()[2];
  return softmax_cross_entropy(reshape(logits, Shape{targets.numel(), v}), Variable(targets));
}

double bits_per_char(CharModel& model, const std::vector<std::int64_t>& codes, std::size_t batch,
                     std::size_t seq) {
  const NoGradGuard no_grad;
  model.eval();
  model.reset();
  const Streams s(codes, batch, seq);
  double nats = 0;
  for (std::size_t w = 0; w < s.windows(); ++w) {
    const auto [x, y] = s.window(w);
    nats += next_char_loss(model(x), y).item();
  }
  model.reset();
  model.train();
  return nats / static_cast<double>(std::max<std::size_t>(s.windows(), 1)) / std::log(2.0);
}

// Draws from softmax(logits / temperature) (temperature 0: the most likely character).
std::int64_t draw(const Tensor& logits_row, double temperature, Generator& gen) {
  const std::vector<double> l = logits_row.to_vector<double>();
  if (temperature <= 0) return std::max_element(l.begin(), l.end()) - l.begin();
  const double m = *std::max_element(l.begin(), l.end());
  std::vector<double> p(l.size());
  for (std::size_t i = 0; i < l.size(); ++i) p[i] = std::exp((l[i] - m) / temperature);
  std::discrete_distribution<std::int64_t> d(p.begin(), p.end());
  return d(gen);
}

std::string sample(CharModel& model, const std::string& vocab, const std::vector<std::int64_t>& prompt,
                   std::size_t chars, double temperature, std::uint64_t seed) {
  const NoGradGuard no_grad;
  model.eval();
  model.reset();
  Generator gen(seed);
  std::vector<std::int64_t> ctx = prompt;
  std::string out;
  Variable logits = model(Variable(from_vector(ctx, Shape{1, ctx.size()})));
  for (std::size_t i = 0; i < chars; ++i) {
    const std::size_t t = logits.shape()[1];
    const Tensor last = get_item(logits, {std::int64_t{0}, static_cast<std::int64_t>(t - 1)}).data();
    const std::int64_t c = draw(last, temperature, gen);
    out += vocab[static_cast<std::size_t>(c)];
    if (model.context() == 0) {  // recurrent: feed the new character, the state holds the rest
      logits = model(Variable(from_vector(std::vector<std::int64_t>{c}, Shape{1, 1})));
    } else {  // attention: the last context() characters again
      ctx.push_back(c);
      if (ctx.size() > model.context()) ctx.erase(ctx.begin());
      logits = model(Variable(from_vector(ctx, Shape{1, ctx.size()})));
    }
  }
  model.reset();
  model.train();
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Train a character-level language model with Tsumiki"};
  app.option_defaults()->always_capture_default();
  std::string data = kDefaultText, model_name = "lstm", optimizer = "adam", out_dir = "runs/char_lm",
              save_path, load_path;
  int epochs = 5, threads = 1;
  std::size_t batch = 32, seq = 64, hidden = 128, embed = 64, layers = 1, heads = 4, steps = 0, limit = 0,
              sample_chars = 240;
  double lr = 3e-3, clip = 1.0, temperature = 0.8;
  std::uint64_t seed = 1;
  app.add_option("--data", data, "a text file, or a folder whose files are concatenated");
  app.add_option("--model", model_name, "lstm or transformer");
  app.add_option("--epochs", epochs, "passes over the training text")->check(examples::Positive);
  app.add_option("--batch", batch, "parallel streams of text per step")->check(examples::Positive);
  app.add_option("--seq", seq, "characters per window (the transformer's context)")
      ->check(examples::Positive);
  app.add_option("--hidden", hidden, "LSTM hidden size, or the transformer's d_model")
      ->check(examples::Positive);
  app.add_option("--embed", embed, "LSTM character embedding size")->check(examples::Positive);
  app.add_option("--layers", layers, "LSTM layers or transformer blocks")->check(examples::Positive);
  app.add_option("--heads", heads, "transformer attention heads")->check(examples::Positive);
  app.add_option("--steps", steps, "at most this many steps per epoch (0: the whole text)");
  app.add_option("--limit", limit, "use only the first N characters of the text (quick runs)");
  app.add_option("--lr", lr, "learning rate")->check(examples::Positive);
  app.add_option("--optimizer", optimizer,
                 "sgd, momentum, nesterov, adagrad, rmsprop, adadelta, adam, adamw");
  app.add_option("--clip", clip, "clip the gradients' joint L2 norm to this (0: no clipping)")
      ->check(examples::NonNegative);
  app.add_option("--temperature", temperature, "sampling temperature (0: always the most likely)")
      ->check(examples::NonNegative);
  app.add_option("--sample-chars", sample_chars, "characters to sample at the end");
  app.add_option("--seed", seed, "seed for initialisation and sampling");
  app.add_option("--threads", threads, "BLAS threads")->check(examples::Positive);
  app.add_option("--out", out_dir, "folder for the CSV and PNG files");
  app.add_option("--save", save_path, "write a checkpoint (.npz) after training");
  app.add_option("--load", load_path, "start from a checkpoint (.npz) written by --save with the same sizes");
  CLI11_PARSE(app, argc, argv);

  try {
    if (model_name != "lstm" && model_name != "transformer")
      throw Error("unknown --model '" + model_name + "' (lstm, transformer)");
    if (model_name == "transformer" && hidden % heads != 0)
      throw Error("--hidden " + std::to_string(hidden) + " must be divisible by --heads " +
                  std::to_string(heads));
    set_num_threads(threads);
    manual_seed(seed);
    fs::create_directories(out_dir);

    std::string text = read_text(data);
    if (limit > 0 && limit < text.size()) text.resize(limit);
    std::string vocab;  // the characters that occur, in byte order; a character's code is its place here
    {
      bool seen[256] = {};
      for (unsigned char c : text) seen[c] = true;
      for (int c = 0; c < 256; ++c)
        if (seen[c]) vocab += static_cast<char>(c);
    }
    std::int64_t code_of[256] = {};
    for (std::size_t i = 0; i < vocab.size(); ++i)
      code_of[static_cast<unsigned char>(vocab[i])] = std::int64_t(i);
    std::vector<std::int64_t> codes(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) codes[i] = code_of[static_cast<unsigned char>(text[i])];
    const std::size_t split = text.size() * 9 / 10;
    const std::vector<std::int64_t> train(codes.begin(), codes.begin() + split),
        held(codes.begin() + split, codes.end());
    const std::size_t eval_batch = std::max<std::size_t>(1, std::min(batch, held.size() / (2 * seq)));
    const Streams streams(train, batch, seq);
    if (streams.windows() == 0)
      throw Error("the training text (" + std::to_string(train.size()) +
                  " characters) is too short for --batch " + std::to_string(batch) + " and --seq " +
                  std::to_string(seq));
    std::printf("text: %zu characters from %s, %zu distinct; %zu to train on, %zu held back\n", text.size(),
                data.c_str(), vocab.size(), train.size(), held.size());

    std::shared_ptr<CharModel> model;
    if (model_name == "lstm")
      model = std::make_shared<CharLSTM>(vocab.size(), embed, hidden, layers);
    else
      model = std::make_shared<CharTransformer>(vocab.size(), hidden, heads, layers, seq);
    std::printf("%sparameters %zu\n", model->summary().c_str(), model->num_parameters());

    auto opt = optim::make_optimizer(optimizer, model->parameters(), lr);
    if (clip > 0) opt->add_hook(optim::clip_grad_norm(clip));
    if (!load_path.empty()) {
      io::load_checkpoint(load_path, *model, opt.get());
      std::printf("resumed from %s (step %zu), val_bpc %.4f\n", load_path.c_str(), opt->steps(),
                  bits_per_char(*model, held, eval_batch, seq));
    }

    // The untrained model's figure, so "the held-back text got better" is one comparison.
    const double initial_bpc = bits_per_char(*model, held, eval_batch, seq);
    std::printf("initial val_bpc %.4f\n", initial_bpc);
    const std::size_t per_epoch = steps > 0 ? std::min(steps, streams.windows()) : streams.windows();
    examples::Table curves{{"epoch", "train_bpc", "val_bpc", "seconds"}, {}};
    std::vector<double> losses;
    double val_bpc = 0;
    const auto start = std::chrono::steady_clock::now();
    for (int epoch = 1; epoch <= epochs; ++epoch) {
      model->reset();
      const auto epoch_start = std::chrono::steady_clock::now();
      examples::ProgressBar bar("epoch " + std::to_string(epoch) + "/" + std::to_string(epochs), per_epoch);
      for (std::size_t w = 0; w < per_epoch; ++w) {
        const auto [x, y] = streams.window(w);
        const Variable loss = next_char_loss((*model)(x), y);
        opt->zero_grad();
        loss.backward();
        opt->step();
        const double l = loss.item();
        if (!std::isfinite(l))
          throw Error("the training loss is no longer a number at epoch " + std::to_string(epoch) +
                      ", step " + std::to_string(w + 1) + "; lower --lr or --clip");
        losses.push_back(l);
        bar.update(batch * seq, l);
      }
      bar.finish();
      const double epoch_secs =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - epoch_start).count();
      val_bpc = bits_per_char(*model, held, eval_batch, seq);
      const double train_bpc = bar.mean_loss() / std::log(2.0);
      const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::printf("epoch %d  train_bpc %.4f  val_bpc %.4f  %.0f chars/s  epoch %.1fs  total %.1fs\n", epoch,
                  train_bpc, val_bpc, bar.examples_per_second(), epoch_secs, secs);
      std::fflush(stdout);
      curves.add({double(epoch), train_bpc, val_bpc, secs});
    }

    // The loss fell: the mean of the last steps against the first step's.
    const std::size_t tail = std::min<std::size_t>(10, losses.size());
    double last = 0;
    for (std::size_t i = losses.size() - tail; i < losses.size(); ++i) last += losses[i] / double(tail);
    std::printf("first_loss %.4f\nlast_loss %.4f\nloss_fell %d\n", losses.front(), last,
                last < losses.front() ? 1 : 0);
    std::printf("val_bpc_fell %d\n", val_bpc < initial_bpc ? 1 : 0);

    const std::string prefix = out_dir + "/char_lm_" + model_name;
    curves.write_csv(prefix + "_curves.csv");
    if (examples::plot_png(prefix + "_curves.csv", curves,
                           {{"train_bpc", "train (bits/char)"}, {"val_bpc", "held-back text (bits/char)"}},
                           prefix + "_curves.png", "char_lm: " + model_name + " on " + data, "epoch",
                           "bits per character"))
      std::printf("wrote %s_curves.csv and %s_curves.png\n", prefix.c_str(), prefix.c_str());
    else
      std::printf("wrote %s_curves.csv\n", prefix.c_str());
    if (!save_path.empty()) {
      io::save_checkpoint(save_path, *model, opt.get());
      std::printf("saved %s\n", save_path.c_str());
    }

    const std::vector<std::int64_t> prompt(held.begin(),
                                           held.begin() + std::min<std::size_t>(seq, held.size()));
    std::printf("sample (temperature %g, seed %llu), after \"%s\":\n%s\n", temperature,
                static_cast<unsigned long long>(seed), text.substr(split, prompt.size()).c_str(),
                sample(*model, vocab, prompt, sample_chars, temperature, seed).c_str());
    std::printf("val_bpc %.4f\n", val_bpc);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "char_lm: %s\n", e.what());
    return 1;
  }
  return 0;
}
