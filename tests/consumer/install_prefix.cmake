# Shared by the ctest drivers that build against an installed Tsumiki (included with include()):
# install_prefix(<prefix> <flags_var>) installs BUILD_DIR into a fresh <prefix> and sets <flags_var> to the
# list of `pkg-config --cflags --libs tsumiki` flags for it (LIBDIR names the install's library directory).
function(install_prefix prefix flags_var)
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
  message(STATUS "pkg-config --cflags --libs tsumiki: ${flags}")
  separate_arguments(flags UNIX_COMMAND "${flags}")
  set(${flags_var} ${flags} PARENT_SCOPE)
endfunction()
