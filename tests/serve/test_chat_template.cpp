// The chat templates: each family's markup, and the recognition of a model file's Jinja source.
#include <gtest/gtest.h>

#include "serve/chat_template.h"

namespace {
using namespace airtp::serve;

const std::vector<ChatMessage> kChat = {{"system", "Be brief."}, {"user", "Hi"}, {"assistant", "Hello."}, {"user", "Who?"}};

TEST(ChatTemplate, EachFamilyRendersItsMarkup) {
  EXPECT_EQ(find_chat_template("llama3")->render(kChat),
            "<|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|>"
            "<|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>"
            "<|start_header_id|>assistant<|end_header_id|>\n\nHello.<|eot_id|>"
            "<|start_header_id|>user<|end_header_id|>\n\nWho?<|eot_id|>"
            "<|start_header_id|>assistant<|end_header_id|>\n\n");
  EXPECT_EQ(find_chat_template("chatml")->render(kChat),
            "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n"
            "<|im_start|>assistant\nHello.<|im_end|>\n<|im_start|>user\nWho?<|im_end|>\n<|im_start|>assistant\n");
  EXPECT_EQ(find_chat_template("llama2")->render(kChat),
            "[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nHi [/INST] Hello. </s><s>[INST] Who? [/INST]");
  EXPECT_EQ(find_chat_template("plain")->render(kChat), "Be brief.\nHi\nHello.\nWho?");
}

TEST(ChatTemplate, RecognisesModelFilesTemplates) {
  // Excerpts of the templates the models' GGUF files carry.
  EXPECT_EQ(recognise_chat_template("{% for message in messages %}{{ '<|start_header_id|>' + message['role'] }}").name, "llama3");
  EXPECT_EQ(recognise_chat_template("{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n'}}").name, "chatml");
  EXPECT_EQ(recognise_chat_template("{{ bos_token + '[INST] ' + content.strip() + ' [/INST]' }}").name, "llama2");
  EXPECT_EQ(recognise_chat_template("").name, "plain");
  EXPECT_EQ(recognise_chat_template("{{ something else }}").name, "plain");
  EXPECT_EQ(find_chat_template("nope"), nullptr);
  EXPECT_EQ(chat_template_names(), "llama2, llama3, chatml, plain");
}

}  // namespace
