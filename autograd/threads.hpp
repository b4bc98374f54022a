// Threads used by the BLAS kernels (matrix products). Other kernels run on the calling thread.
#pragma once

namespace tsumiki {

void set_num_threads(int n);  // n >= 1
int get_num_threads();

}  // namespace tsumiki
