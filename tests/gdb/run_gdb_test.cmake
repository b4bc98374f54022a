# Runs gdb in batch mode on gdb_target with the Tsumiki pretty-printers and checks the printed forms.
#   cmake -DTARGET=<gdb_target> -DPRINTERS=<tsumiki_printers.py> -DSOURCE=<gdb_target.cpp> \
#         -P run_gdb_test.cmake
# Prints "SKIPPED: gdb not found" (the test's SKIP_REGULAR_EXPRESSION) when gdb is not installed.
foreach(var TARGET PRINTERS SOURCE)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "run_gdb_test.cmake: -D${var}=... is required")
  endif()
endforeach()

find_program(GDB gdb)
if(NOT GDB)
  message(STATUS "SKIPPED: gdb not found")
  return()
endif()

# The lines of gdb_target.cpp that the printers must name (marked LEAF_X and OP_Y in the source).
file(STRINGS ${SOURCE} lines)
set(n 0)
foreach(line IN LISTS lines)
  math(EXPR n "${n} + 1")
  if(line MATCHES "// LEAF_X")
    set(leaf_line ${n})
  elseif(line MATCHES "// OP_Y")
    set(op_line ${n})
  endif()
endforeach()
if(NOT leaf_line OR NOT op_line)
  message(FATAL_ERROR "markers LEAF_X / OP_Y not found in ${SOURCE}")
endif()
get_filename_component(src_name ${SOURCE} NAME)
string(REPLACE "." "\\." src ${src_name})

execute_process(
  COMMAND ${GDB} -batch -nx
    -iex "set debuginfod enabled off"
    -ex "set pagination off"
    -ex "set confirm off"
    -ex "source ${PRINTERS}"
    -ex "break inspect"
    -ex "run"
    -ex "print v"
    -ex "continue"
    -ex "print v"
    -ex "print *v.impl_._M_ptr->creator._M_ptr"
    -ex "up"
    -ex "print t"
    -ex "print s"
    -ex "print none"
    -ex "print empty_tensor"
    -ex "print big"
    -ex "print idx"
    -ex "continue"
    -ex "print v"
    -ex "up"
    -ex "print *y.impl_._M_ptr->creator._M_ptr"
    -ex "kill"
    ${TARGET}
  OUTPUT_VARIABLE out
  ERROR_VARIABLE err
  RESULT_VARIABLE rc
  TIMEOUT 100)
message("---- gdb output ----\n${out}")
if(err)
  message("---- gdb stderr ----\n${err}")
endif()

# tanh(matmul(x, W)) with x = [[.1 .2 .3] [.4 .5 .6]], W = [[1 0] [0 1] [.5 .5]]: tanh([[.25 .35] [.7 .8]]).
set(expect
  # The leaf x before backward, with its data as a child.
  "[=:] Variable 'x' float32 \\(2, 3\\) leaf at ${src}:${leaf_line}, requires_grad, grad: none = {data = Tensor float32 \\(2, 3\\) \\[0\\.1, 0\\.2, 0\\.3, 0\\.4, 0\\.5, 0\\.6\\]}"
  # y = tanh(matmul(x, W)), named "logits".
  "[=:] Variable 'logits' float32 \\(2, 2\\) = tanh at ${src}:${op_line}, requires_grad, grad: none = {data = Tensor float32 \\(2, 2\\) \\[0\\.24491[0-9]*, 0\\.33637[0-9]*, 0\\.60436[0-9]*, 0\\.66403[0-9]*\\]}"
  # Its creator, with the matmul result as its input.
  "= Function tanh \\[gen [0-9]+\\] at ${src}:${op_line} -> float32 \\(2, 2\\) = {input0 = Variable float32 \\(2, 2\\) = matmul at ${src}:${op_line}, requires_grad, grad: none = {data = Tensor float32 \\(2, 2\\) \\[0\\.25, 0\\.35, 0\\.7[0-9]*, 0\\.8[0-9]*\\]}}"
  # Tensor, Shape and the undefined forms; more than 6 values end with "...".
  "= Tensor float32 \\(2, 2\\) \\[0\\.24491[0-9]*, 0\\.33637[0-9]*, 0\\.60436[0-9]*, 0\\.66403[0-9]*\\]\n"
  "\\$[0-9]+ = \\(2, 2\\)\n"
  "= Variable undefined\n"
  "= Tensor undefined\n"
  "= Tensor float64 \\(10,\\) \\[0, 1, 2, 3, 4, 5, \\.\\.\\.\\]\n"
  "= Tensor int64 \\(3,\\) \\[0, 1, 2\\]\n"
  # After y.backward(ones): x has a gradient (a child too), (1 - tanh^2) W^T, and y's creator is released.
  # (Every element's [ and ] balance: CMake does not split a list inside square brackets.)
  "[=:] Variable 'x' float32 \\(2, 3\\) leaf at ${src}:${leaf_line}, requires_grad, grad: float32 \\(2, 3\\) = {data = Tensor float32 \\(2, 3\\) \\[0\\.1, [0-9., ]*\\], grad = Variable float32 \\(2, 3\\) [^\n]*\\[0\\.9400[0-9]*, 0\\.8868[0-9]*, 0\\.9134[0-9]*, 0\\.6347[0-9]*, 0\\.5590[0-9]*, 0\\.5968[0-9]*\\]}}"
  "= Function tanh \\[gen [0-9]+\\] at ${src}:${op_line} -> float32 \\(2, 2\\) \\(released\\)")

set(failed 0)
list(LENGTH expect n_expect)
foreach(re IN LISTS expect)
  if(NOT out MATCHES "${re}")
    message(SEND_ERROR "gdb output does not match: ${re}")
    set(failed 1)
  endif()
endforeach()
if(out MATCHES "<error|no debug info|Python Exception")
  message(SEND_ERROR "a printer failed (see the output above)")
  set(failed 1)
endif()
if(failed)
  message(FATAL_ERROR "gdb pretty-printer test failed (gdb exit code ${rc})")
endif()
message(STATUS "gdb pretty-printers: all ${n_expect} checks passed")
