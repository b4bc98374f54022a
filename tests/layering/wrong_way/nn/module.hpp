#include "../optim/optimizer.hpp"
#include "autograd/tensor.hpp"
