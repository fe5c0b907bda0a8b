#include "serve/chat_template.h"

namespace airtp::serve {
namespace {

// Llama 2 chat: the system prompt folds into the first user turn; each finished exchange is
// closed by EOS and the next opens with BOS, as Meta's reference code writes them.
std::string render_llama2(const std::vector<ChatMessage>& messages) {
  std::string out, system;
  bool first_user = true;
  for (const auto& m : messages) {
    if (m.role == "system") {
      system += m.content;
    } else if (m.role == "user") {
      if (!first_user) out += "<s>";
      out += "[INST] ";
      if (first_user && !system.empty()) out += "<<SYS>>\n" + system + "\n<</SYS>>\n\n";
      out += m.content + " [/INST]";
      first_user = false;
    } else {
      out += " " + m.content + " </s>";
    }
  }
  return out;
}

std::string render_llama3(const std::vector<ChatMessage>& messages) {
  std::string out;
  for (const auto& m : messages)
    out += "<|start_header_id|>" + m.role + "<|end_header_id|>\n\n" + m.content + "<|eot_id|>";
  return out + "<|start_header_id|>assistant<|end_header_id|>\n\n";
}

std::string render_chatml(const std::vector<ChatMessage>& messages) {
  std::string out;
  for (const auto& m : messages) out += "<|im_start|>" + m.role + "\n" + m.content + "<|im_end|>\n";
  return out + "<|im_start|>assistant\n";
}

// A model trained on plain text (the bundled KJV model) knows no turns: the messages' text,
// one per line, is what it continues.
std::string render_plain(const std::vector<ChatMessage>& messages) {
  std::string out;
  for (const auto& m : messages) out += (out.empty() ? "" : "\n") + m.content;
  return out;
}

// What marks each family's Jinja source; the first match wins, so the more specific come first.
struct Marker {
  std::string_view text, template_name;
};
constexpr Marker kMarkers[] = {
    {"<|start_header_id|>", "llama3"},
    {"<|im_start|>", "chatml"},
    {"[INST]", "llama2"},
};

}  // namespace

const std::vector<ChatTemplate>& chat_templates() {
  static const std::vector<ChatTemplate> table = {
      {"llama2", "Llama 2 chat: [INST] ... [/INST]", render_llama2, {}},
      {"llama3", "Llama 3 instruct: <|start_header_id|>role<|end_header_id|> ... <|eot_id|>", render_llama3,
       {"<|eot_id|>"}},
      {"chatml", "ChatML: <|im_start|>role ... <|im_end|>", render_chatml, {"<|im_end|>"}},
      {"plain", "no turns: the messages' text, one per line (models trained on plain text)", render_plain, {}},
  };
  return table;
}

const ChatTemplate* find_chat_template(std::string_view name) {
  for (const auto& t : chat_templates())
    if (t.name == name) return &t;
  return nullptr;
}

const ChatTemplate& recognise_chat_template(std::string_view jinja) {
  for (const auto& m : kMarkers)
    if (jinja.find(m.text) != std::string_view::npos) return *find_chat_template(m.template_name);
  return *find_chat_template("plain");
}

std::string chat_template_names() {
  std::string s;
  for (const auto& t : chat_templates()) s += (s.empty() ? "" : ", ") + std::string(t.name);
  return s;
}

}  // namespace airtp::serve
