#include "serve/ranks.h"

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

namespace airtp::serve {
namespace {

using nlohmann::json;

bool distributed(Session& s) { return static_cast<int>(s.transport().local_devices().size()) < s.transport().n_devices(); }

}  // namespace

void announce_generation(Session& s, const GenerationParams& p) {
  if (!distributed(s)) return;
  s.share_text(json{{"op", "generate"},
                    {"prompt", p.prompt},
                    {"max_tokens", p.max_tokens},
                    {"temperature", p.temperature},
                    {"top_p", p.top_p},
                    {"top_k", p.top_k},
                    {"seed", p.seed},
                    {"stop", p.stop},
                    {"end_tokens", p.end_tokens}}
                   .dump());
}

void announce_stop(Session& s) {
  if (distributed(s)) s.share_text(json{{"op", "stop"}}.dump());
}

void follow(Session& s) {
  for (;;) {
    const json m = json::parse(s.share_text("", true));
    if (m.at("op") == "stop") return;
    GenerationParams p;
    p.prompt = m.at("prompt").get<std::vector<int>>();
    p.max_tokens = m.at("max_tokens");
    p.temperature = m.at("temperature");
    p.top_p = m.at("top_p");
    p.top_k = m.at("top_k");
    p.seed = m.at("seed");
    p.stop = m.at("stop").get<std::vector<std::string>>();
    p.end_tokens = m.at("end_tokens").get<std::vector<int>>();
    try {
      generate(s, p, [](const TokenEvent&) { return true; });
    } catch (const std::invalid_argument&) {
      // Refused before its first collective, as on rank 0, which answers the client.
    }
  }
}

}  // namespace airtp::serve
