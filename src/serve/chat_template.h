// Chat templates: how a conversation becomes the prompt text a model was trained to continue.
// One table holds every family airtp knows (chat_template.cpp); a model file's own template
// (GGUF tokenizer.chat_template, a Jinja program airtp does not run) is recognised by its
// markers, and a front end may name one instead.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace airtp::serve {

struct ChatMessage {
  std::string role;  // system | user | assistant
  std::string content;
};

struct ChatTemplate {
  std::string_view name;
  std::string_view description;
  // Text of the conversation up to the assistant's turn (the model writes the rest). BOS is not
  // part of it: the tokenizer adds it as the vocabulary asks.
  std::string (*render)(const std::vector<ChatMessage>& messages);
  // Control tokens that end the assistant's turn besides EOS/EOT ("<|im_end|>"): spelled as
  // text, looked up in the vocabulary by the caller.
  std::vector<std::string_view> end_of_turn;
};

const std::vector<ChatTemplate>& chat_templates();
// The template named `name`; null for an unknown name.
const ChatTemplate* find_chat_template(std::string_view name);
// The template a model file's Jinja source looks like; the plain-text fallback when it is empty
// or matches no family.
const ChatTemplate& recognise_chat_template(std::string_view jinja);
// "llama2, llama3, chatml, plain", for help and error messages.
std::string chat_template_names();

}  // namespace airtp::serve
