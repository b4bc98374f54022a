# ctest driver: the gdb pretty-printers against an installed Tsumiki. Installs into a scratch prefix, builds
# gdb_target.cpp with `g++ -O0 -g` and nothing but the installed tree (pkg-config), and runs
# run_gdb_test.cmake with the installed printers.
#   cmake -DBUILD_DIR=<build> -DSOURCE=<gdb_target.cpp> -DLIBDIR=<lib> -DCXX=<g++> -P run_installed.cmake
find_program(GDB gdb)
if(NOT GDB)
  message(STATUS "SKIPPED: gdb not found")
  return()
endif()
set(prefix ${BUILD_DIR}/gdb-installed-prefix)
file(REMOVE_RECURSE ${prefix})
execute_process(COMMAND ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix} RESULT_VARIABLE rc OUTPUT_QUIET)
if(rc)
  message(FATAL_ERROR "install failed: ${rc}")
endif()
find_program(PKG_CONFIG pkg-config REQUIRED)
set(ENV{PKG_CONFIG_PATH} ${prefix}/${LIBDIR}/pkgconfig)
execute_process(COMMAND ${PKG_CONFIG} --cflags --libs tsumiki OUTPUT_VARIABLE flags RESULT_VARIABLE rc
                OUTPUT_STRIP_TRAILING_WHITESPACE)
if(rc)
  message(FATAL_ERROR "pkg-config does not know tsumiki: ${rc}")
endif()
separate_arguments(flags UNIX_COMMAND "${flags}")
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
