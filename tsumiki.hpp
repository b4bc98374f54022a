// Tsumiki: one header for the whole library.
#pragma once

#include "autograd/apply.hpp"
#include "autograd/derivatives.hpp"
#include "autograd/engine.hpp"
#include "autograd/error.hpp"
#include "autograd/function.hpp"
#include "autograd/functional.hpp"
#include "autograd/grad_mode.hpp"
#include "autograd/gradcheck.hpp"
#include "autograd/ops.hpp"
#include "autograd/tensor.hpp"
#include "autograd/variable.hpp"
