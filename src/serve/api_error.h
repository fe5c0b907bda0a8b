// A request the server refuses, in OpenAI's error shape: {"error": {"message", "type", "code"}}.
#pragma once
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

namespace airtp::serve {

class ApiError : public std::runtime_error {
 public:
  ApiError(int status, std::string message, std::string type = "invalid_request_error", std::string code = "")
      : std::runtime_error(std::move(message)), status_(status), type_(std::move(type)), code_(std::move(code)) {}
  int status() const { return status_; }
  nlohmann::json to_json() const {
    return {{"error", {{"message", what()}, {"type", type_}, {"code", code_.empty() ? nlohmann::json(nullptr) : nlohmann::json(code_)}}}};
  }

 private:
  int status_;
  std::string type_, code_;
};

}  // namespace airtp::serve
