# cmake/install.cmake: the version header (issue 16). Included at the end of the top-level
# CMakeLists.txt, after the nta target; NTA_BASE_VERSION is set there.

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
