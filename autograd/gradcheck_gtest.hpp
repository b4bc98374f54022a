// GoogleTest form of gradcheck, header-only so the library itself never links GoogleTest:
//
//   EXPECT_GRADCHECK(f, {x, w});
//   EXPECT_GRADGRADCHECK(f, {x, w});
#pragma once

#include <gtest/gtest.h>

#include "gradcheck.hpp"

namespace tsumiki::testing {

inline ::testing::AssertionResult as_assertion(const GradcheckResult& r) {
  if (r.ok) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << r.report;
}

}  // namespace tsumiki::testing

#define EXPECT_GRADCHECK(f, ...) \
  EXPECT_TRUE(::tsumiki::testing::as_assertion(::tsumiki::gradcheck(f, __VA_ARGS__)))
#define EXPECT_GRADGRADCHECK(f, ...) \
  EXPECT_TRUE(::tsumiki::testing::as_assertion(::tsumiki::gradgradcheck(f, __VA_ARGS__)))
