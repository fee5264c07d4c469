# cmake/install.cmake: what `cmake --install` puts where (GNUInstallDirs), the version header
# and the bash completion (issue 16). Included at the end of the top-level CMakeLists.txt, after
# the nta target; NTA_BASE_VERSION is set there.
#
#   bin/nta                                 the command
#   share/man/man1/nta.1                    its manual (FILES names the next path)
#   share/nta/nta-events.d                  the D script that records a live DTrace run
#   share/bash-completion/completions/nta   completion, made from the built nta's --help
include(GNUInstallDirs)

# nta --version: cmake/version.cmake writes the header at every build (git describe may change
# without CMake being rerun); main.c includes it.
find_package(Git QUIET)
set(NTA_GENERATED_DIR ${CMAKE_BINARY_DIR}/generated)
add_custom_target(nta_version
  COMMAND ${CMAKE_COMMAND} -D SRC=${CMAKE_SOURCE_DIR} -D OUT=${NTA_GENERATED_DIR}/nta_version.h
          -D BASE=${NTA_BASE_VERSION} -D GIT=${GIT_EXECUTABLE} -P ${CMAKE_SOURCE_DIR}/cmake/version.cmake
  BYPRODUCTS ${NTA_GENERATED_DIR}/nta_version.h
  COMMENT "nta version"
  VERBATIM)
add_dependencies(nta nta_version)
target_include_directories(nta PRIVATE ${NTA_GENERATED_DIR})

# The completion runs the nta just built, so it lists exactly the commands and options that nta
# has (a cross build would have to run it through an emulator).
set(NTA_COMPLETION ${CMAKE_BINARY_DIR}/completion/nta)
add_custom_command(OUTPUT ${NTA_COMPLETION}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/completion
  COMMAND bash ${CMAKE_SOURCE_DIR}/completion/gen-completion.sh
          $<TARGET_FILE:nta> ${CMAKE_SOURCE_DIR}/completion/nta.bash.in ${NTA_COMPLETION}
  DEPENDS nta ${CMAKE_SOURCE_DIR}/completion/gen-completion.sh ${CMAKE_SOURCE_DIR}/completion/nta.bash.in
  COMMENT "bash completion from nta --help"
  VERBATIM)
add_custom_target(nta_completion ALL DEPENDS ${NTA_COMPLETION})

install(TARGETS nta RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES man/nta.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES dtrace/nta-events.d DESTINATION ${CMAKE_INSTALL_DATADIR}/nta)
install(FILES ${NTA_COMPLETION} DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions)

# The tests of the above, here rather than in tests/CMakeLists.txt because they need
# NTA_BASE_VERSION and NTA_COMPLETION, set only now. tests/install/test_deb.sh (the Debian
# package, .ci/run) is not a ctest test: it builds nta a second time.
if(BUILD_TESTING)
  add_test(NAME install/cmake-install COMMAND bash ${CMAKE_SOURCE_DIR}/tests/install/test_cmake_install.sh
           $<TARGET_FILE:nta> ${CMAKE_BINARY_DIR} ${CMAKE_SOURCE_DIR} ${NTA_BASE_VERSION})
  add_test(NAME install/completion COMMAND bash ${CMAKE_SOURCE_DIR}/tests/install/test_completion.sh
           $<TARGET_FILE:nta> ${NTA_COMPLETION} ${CMAKE_SOURCE_DIR})
endif()
