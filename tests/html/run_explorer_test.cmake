# ctest driver: the graph explorer (to_html) in a real headless browser. Runs examples/backprop_explorer, then
# loads each page in Debian's Chromium with #selftest: the page clicks every node, checks that the details
# panel names it, walks every backward step and writes what it showed into the DOM, which --dump-dom returns.
#   cmake -DEXPLORER=<backprop_explorer> -DWORK=<dir> -P run_explorer_test.cmake
# Prints "SKIPPED: chromium not found" (the test's SKIP_REGULAR_EXPRESSION) without a browser.
find_program(CHROMIUM NAMES chromium chromium-browser)
if(NOT CHROMIUM)
  message(STATUS "SKIPPED: chromium not found")
  return()
endif()
file(REMOVE_RECURSE ${WORK})
execute_process(COMMAND ${EXPLORER} --out ${WORK} RESULT_VARIABLE rc OUTPUT_VARIABLE printed)
if(rc)
  message(FATAL_ERROR "backprop_explorer failed: ${rc}")
endif()

function(load_page page out_var)
  execute_process(
    COMMAND ${CHROMIUM} --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run
            --user-data-dir=${WORK}/profile --virtual-time-budget=5000 --dump-dom "file://${WORK}/${page}#selftest"
    OUTPUT_VARIABLE dom ERROR_QUIET RESULT_VARIABLE rc TIMEOUT 120)
  if(rc)
    message(FATAL_ERROR "chromium could not load ${page}: ${rc}")
  endif()
  string(REGEX MATCH "SELFTEST {[^<]*}" result "${dom}")
  if(NOT result)
    message(FATAL_ERROR "${page}: the page's script did not run (no SELFTEST result in the DOM)")
  endif()
  message(STATUS "${page}: ${result}")
  if(NOT result MATCHES "\"ok\":true")
    message(FATAL_ERROR "${page}: the self-test failed: ${result}")
  endif()
  set(${out_var} "${result}" PARENT_SCOPE)
endfunction()

# The shopping graph: 9 values and 4 functions, one element each; after the last step the page shows the
# gradients Tsumiki's backward() printed, which are the book's chapter-5 numbers.
load_page(shopping.html shop)
set(expects "\"nodes\":13" "\"steps\":4")
foreach(leaf apple apple_num orange orange_num tax)
  string(REGEX MATCH "grad ${leaf} ([^\n]*)" line "${printed}")
  if(NOT line)
    message(FATAL_ERROR "backprop_explorer printed no gradient for ${leaf}:\n${printed}")
  endif()
  list(APPEND expects "\"${leaf}\":\"grad ${CMAKE_MATCH_1}\"")
endforeach()
foreach(expect ${expects} "\"apple\":\"grad 2.2\"" "\"orange_num\":\"grad 165\"" "\"tax\":\"grad 650\"")
  string(FIND "${shop}" "${expect}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "shopping.html: expected ${expect} in ${shop}")
  endif()
endforeach()

# The two-layer net: its ops sit in module boxes, and its parameters get gradients.
load_page(two_layer_net.html net)
foreach(expect "\"fc1.W\":\"grad " "\"fc2.b\":\"grad " "\"steps\":")
  string(FIND "${net}" "${expect}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "two_layer_net.html: expected ${expect} in ${net}")
  endif()
endforeach()
file(READ ${WORK}/two_layer_net.html page)
foreach(module "net.fc1 (Linear)" "net.act (Sigmoid)" "net.fc2 (Linear)")
  string(FIND "${page}" "\"module\":\"${module}\"" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "two_layer_net.html: no node in module ${module}")
  endif()
endforeach()
message(STATUS "graph explorer: both pages passed in ${CHROMIUM}")
