// Shared by the test folders: a call must throw std::invalid_argument whose message names the
// offending parameter (the project's rule for bad input).
#pragma once
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace airtp::test {

template <class F>
void expect_invalid(F&& f, const std::string& needle) {
  try {
    f();
    FAIL() << "no exception, expected one mentioning '" << needle << "'";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

}  // namespace airtp::test
