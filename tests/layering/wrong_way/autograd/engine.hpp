#include "../nn/module.hpp"
