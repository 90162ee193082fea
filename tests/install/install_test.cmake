# Installs the build into a fresh prefix and runs the default scenario from it,
# outside the source and build trees: the installed moeplan must find its
# bundled data under <prefix>/share/moeplan.
#   cmake -DBUILD_DIR=... -DPREFIX=... -P install_test.cmake
file(REMOVE_RECURSE "${PREFIX}")
execute_process(COMMAND "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${PREFIX}"
                RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cmake --install failed (${rc}): ${err}")
endif()
foreach(f bin/moeplan share/moeplan/scenarios/deepseek-v3-pretrain-2048xH800.yaml share/moeplan/hardware/h800.yaml
          share/moeplan/models/deepseek-v3/config.json share/moeplan/topologies/h800-cluster-2048.yaml)
  if(NOT EXISTS "${PREFIX}/${f}")
    message(FATAL_ERROR "the install lacks ${f}")
  endif()
endforeach()
file(MAKE_DIRECTORY "${PREFIX}/elsewhere")
execute_process(COMMAND "${CMAKE_COMMAND}" -E env --unset=MOEPLAN_DATA_DIR
                        "${PREFIX}/bin/moeplan" simulate -q --report report.json
                WORKING_DIRECTORY "${PREFIX}/elsewhere" RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the installed moeplan failed on the default scenario (${rc}):\n${out}\n${err}")
endif()
file(READ "${PREFIX}/elsewhere/report.json" report)
string(JSON scenario GET "${report}" scenario)
string(JSON step GET "${report}" step_time_s)
if(NOT scenario STREQUAL "deepseek-v3-pretrain-2048xH800" OR step LESS_EQUAL 0)
  message(FATAL_ERROR "unexpected report: scenario ${scenario}, step ${step}")
endif()
message(STATUS "installed moeplan simulated ${scenario}: step ${step} s")
file(REMOVE_RECURSE "${PREFIX}")
