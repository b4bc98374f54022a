// Every primitive op: one header per family in ops/, each beside the .cpp that defines the forward and the
// backward side by side. Binary ops broadcast with NumPy's rules; both inputs must have the same dtype (a
// scalar takes the dtype of the other side). Axes may be negative (counted from the end). Every op takes a
// trailing `site` that defaults to the caller's source location: errors and graph records name the user's
// line.
#pragma once

#include "ops/arithmetic.hpp"
#include "ops/checkpoint.hpp"
#include "ops/conv.hpp"
#include "ops/indexing.hpp"
#include "ops/math.hpp"
#include "ops/matmul.hpp"
#include "ops/pooling.hpp"
#include "ops/reduce.hpp"
#include "ops/shape.hpp"
