#include "../../functional/conv.hpp"
Variable f() { return apply("lit", {}, site, fwd, bwd); }
