// airtp tokenize: a text's tokens under a model's tokenizer, as llama.cpp's llama-tokenize prints
// them. Reads only the tokenizer, so vocabulary-only GGUF files work.
#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/command.h"
#include "cli/parameter_flags.h"
#include "cli/run_options.h"
#include "model/model.h"
#include "util/parameter_error.h"

namespace airtp::cli {
namespace {

struct Options {
  std::string model, prompt, file;
  bool ids = false, json = false, no_bos = false, no_parse_special = false;
  bool prompt_given = false, file_given = false;
};

// A piece for a terminal: valid UTF-8 as it is, control characters and bytes of incomplete
// sequences (a byte-fallback token's half character) escaped.
std::string shown(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const size_t len = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
    bool valid = len > 0 && i + len <= s.size();
    for (size_t k = 1; valid && k < len; ++k) valid = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
    if (!valid) {
      out += fmt::format("\\x{:02x}", c);
      ++i;
    } else if (c == '\n') {
      out += "\\n", ++i;
    } else if (c == '\t') {
      out += "\\t", ++i;
    } else if (c < 0x20 || c == 0x7f) {
      out += fmt::format("\\x{:02x}", c), ++i;
    } else {
      out.append(s.substr(i, len));
      i += len;
    }
  }
  return out;
}

std::string read_text(const Options& o) {
  if (o.prompt_given == o.file_given) throw ParameterError("prompt", "or --file: give exactly one");
  if (o.prompt_given) return o.prompt;
  std::ifstream f(o.file, std::ios::binary);
  if (!f) throw std::runtime_error(fmt::format("{}: cannot open the text file", o.file));
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

int run(const Options& o) {
  const std::string text = read_text(o);
  const Tokenizer tok = load_tokenizer(o.model);
  const std::vector<int> ids = tok.encode(text, tok.add_bos() && !o.no_bos, !o.no_parse_special);
  // Control tokens by name; other tokens as the text they stand for (with SentencePiece's
  // leading space, as llama-tokenize shows it).
  auto piece = [&](int id) {
    return tok.type(id) == Tokenizer::PieceType::Control ? tok.piece(id) : tok.decode(-1, id);
  };
  if (o.json) {
    nlohmann::json pieces = nlohmann::json::array();
    for (int id : ids) pieces.push_back(shown(piece(id)));
    const nlohmann::json j = {{"model", o.model},
                              {"tokenizer", tok.kind_name()},
                              {"pretokenizer", tok.pretokenizer()},
                              {"vocab_size", tok.vocab_size()},
                              {"n_tokens", ids.size()},
                              {"ids", ids},
                              {"pieces", pieces}};
    std::cout << j.dump(2) << "\n";
  } else if (o.ids) {
    std::cout << fmt::format("[{}]\n", fmt::join(ids, ", "));
  } else {
    for (int id : ids) std::cout << fmt::format("{:>6} -> '{}'\n", id, shown(piece(id)));
  }
  return 0;
}

const Register reg{{"tokenize", "Print a text's tokens under a model's tokenizer (vocabulary-only GGUF files too)",
                    [](CLI::App& app) {
                      auto o = std::make_shared<Options>();
                      o->model = default_model_path();
                      app.add_option("-m,--model", o->model, "Model or vocabulary file (GGUF, or llama2.c with tokenizer.bin)")
                          ->capture_default_str();
                      auto* prompt = add_parameter(app, "-p,--prompt", "prompt", o->prompt, "Text to tokenize");
                      auto* file = app.add_option("-f,--file", o->file, "Read the text from this file");
                      app.add_flag("--ids", o->ids, "Print only the ids, as [1, 2, 3]");
                      app.add_flag("--json", o->json, "Print one JSON object (ids and pieces)");
                      app.add_flag("--no-bos", o->no_bos, "Do not prepend BOS even where the vocabulary adds it");
                      app.add_flag("--no-parse-special", o->no_parse_special,
                                   "Read control-token text such as <|endoftext|> as plain text");
                      return [o, prompt, file] {
                        o->prompt_given = prompt->count() > 0;
                        o->file_given = file->count() > 0;
                        return run(*o);
                      };
                    }}};

}  // namespace
}  // namespace airtp::cli
