#include "detail/kernels.hpp"
