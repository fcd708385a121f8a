# Second stage: generate the co-simulation RTL, harnesses and glue with the
# tools just built, then build verilator_tb/ as an external project on them,
# linking the simulation kit this project compiled (sim_kit.json).
add_executable(taxonn_tb_harness ${CMAKE_SOURCE_DIR}/verilator_tb/harness_gen.cpp)
target_link_libraries(taxonn_tb_harness PRIVATE taxonn_harness CLI11::CLI11)

set(TAXONN_TB_GEN ${CMAKE_BINARY_DIR}/tb_gen)
# The PE testbenches' configs: the width/activation/rounding sweep of the
# tests, and the default config of `make`.
set(TAXONN_TB_CONFIGS pe_sweep mlp_small)
# The network testbenches' configs (tb_net): the default config on random
# samples, a mix of roundings, activations and partial folds on random
# samples, the MNIST MLP unfolded and folded (make test), two small CNNs on
# random samples (cnn_stoch: stochastic through conv and max pooling), the
# 784-100-10 network of the regression and the benchmark, and LeNet-5.
set(TAXONN_TB_NET_CONFIGS mlp_small mlp_mixed mlp_mnist mlp_mnist_folded mlp_mnist100 cnn_small cnn_stoch lenet5_mnist)
set(gen_cmds)
set(cfg_files)
foreach(cfg IN LISTS TAXONN_TB_NET_CONFIGS)
  list(APPEND net_cfg_files ${CMAKE_SOURCE_DIR}/configs/${cfg}.json)
  if(NOT cfg IN_LIST TAXONN_TB_CONFIGS)
    list(APPEND gen_cmds COMMAND taxonn generate --config ${CMAKE_SOURCE_DIR}/configs/${cfg}.json
                                 --out ${TAXONN_TB_GEN}/${cfg})
    list(APPEND cfg_files ${CMAKE_SOURCE_DIR}/configs/${cfg}.json)
  endif()
endforeach()
foreach(cfg IN LISTS TAXONN_TB_CONFIGS)
  list(APPEND gen_cmds COMMAND taxonn generate --config ${CMAKE_SOURCE_DIR}/configs/${cfg}.json
                               --out ${TAXONN_TB_GEN}/${cfg})
  list(APPEND cfg_files ${CMAKE_SOURCE_DIR}/configs/${cfg}.json)
  list(APPEND pe_cfg_files ${CMAKE_SOURCE_DIR}/configs/${cfg}.json)
endforeach()
add_custom_command(
  OUTPUT ${TAXONN_TB_GEN}/stamp
  ${gen_cmds}
  COMMAND taxonn_tb_harness --out ${TAXONN_TB_GEN}/harness --pe-config ${pe_cfg_files} --net-config ${net_cfg_files}
  COMMAND ${CMAKE_COMMAND} -E touch ${TAXONN_TB_GEN}/stamp
  DEPENDS taxonn taxonn_tb_harness ${cfg_files}
  COMMENT "Generating the co-simulation RTL, harnesses and glue")
add_custom_target(tb_gen ALL DEPENDS ${TAXONN_TB_GEN}/stamp)

cmake_host_system_information(RESULT TAXONN_TB_JOBS QUERY NUMBER_OF_LOGICAL_CORES)
include(ExternalProject)
string(REPLACE ";" "|" net_cfg_arg "${TAXONN_TB_NET_CONFIGS}")
ExternalProject_Add(verilator_tb
  SOURCE_DIR ${CMAKE_SOURCE_DIR}/verilator_tb
  BINARY_DIR ${CMAKE_BINARY_DIR}/verilator_tb
  LIST_SEPARATOR |
  CMAKE_ARGS -DTAXONN_ROOT=${CMAKE_SOURCE_DIR} -DTAXONN_GEN_DIR=${TAXONN_TB_GEN}
             -DTAXONN_SIM_KIT=${CMAKE_BINARY_DIR}/sim_kit.json
             "-DTAXONN_TB_NET_CONFIGS=${net_cfg_arg}"
             -DCMAKE_BUILD_TYPE=${CMAKE_BUILD_TYPE}
  # A bare --parallel would start every compile at once (load ~50 on 2 cores).
  BUILD_COMMAND ${CMAKE_COMMAND} --build <BINARY_DIR> --parallel ${TAXONN_TB_JOBS}
  INSTALL_COMMAND ""
  BUILD_ALWAYS ON
  DEPENDS tb_gen)

# The testbenches' own tests run as one ctest entry of this project.
add_test(NAME cosim
  COMMAND ${CMAKE_CTEST_COMMAND} --test-dir ${CMAKE_BINARY_DIR}/verilator_tb --output-on-failure)
