# ctest driver: the gdb pretty-printers against an installed Tsumiki. Installs into a scratch prefix, builds
# gdb_target.cpp with `g++ -O0 -g` and nothing but the installed tree (pkg-config), and runs
# run_gdb_test.cmake with the installed printers.
#   cmake -DBUILD_DIR=<build> -DSOURCE=<gdb_target.cpp> -DLIBDIR=<lib> -DCXX=<g++> -P run_installed.cmake
find_program(GDB gdb)
if(NOT GDB)
  message(STATUS "SKIPPED: gdb not found")
  return()
endif()
include(${CMAKE_CURRENT_LIST_DIR}/../consumer/install_prefix.cmake)
set(prefix ${BUILD_DIR}/gdb-installed-prefix)
install_prefix(${prefix} flags)
set(exe ${BUILD_DIR}/gdb-installed-target)
execute_process(COMMAND ${CXX} -std=c++20 -O0 -g ${SOURCE} -o ${exe} ${flags} RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "g++ -O0 -g gdb_target.cpp $(pkg-config --cflags --libs tsumiki) failed: ${rc}")
endif()
get_filename_component(here ${CMAKE_CURRENT_LIST_FILE} DIRECTORY)
execute_process(COMMAND ${CMAKE_COMMAND} -DTARGET=${exe} -DPRINTERS=${prefix}/share/tsumiki/gdb/tsumiki_printers.py
                        -DSOURCE=${SOURCE} -P ${here}/run_gdb_test.cmake
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}${err}")
if(rc)
  message(FATAL_ERROR "the printers failed against the installed tree")
endif()
