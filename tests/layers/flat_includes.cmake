# Fails when a source of a layer (api/, engine/, projections/, snapshots/) includes a quoted
# header by a path ("history/x.h", "../x.h"). The layers' include directories only hold when
# includes are flat: engine/ is a public include directory, and a path through it would reach
# the folders under it (base/, internal/, history/) whatever the targets allow.
# Usage: cmake -DSOURCE_DIR=<repository> -P flat_includes.cmake
set(layers api engine projections snapshots)
set(patterns)
foreach(layer ${layers})
  list(APPEND patterns ${SOURCE_DIR}/${layer}/*.h ${SOURCE_DIR}/${layer}/*.cc)
endforeach()
file(GLOB_RECURSE sources ${patterns})
list(LENGTH sources source_count)
if(source_count EQUAL 0)
  message(FATAL_ERROR "no sources under ${SOURCE_DIR}: wrong SOURCE_DIR")
endif()
set(offenders)
foreach(source ${sources})
  file(STRINGS ${source} includes REGEX "^[ \t]*#[ \t]*include[ \t]*\"[^\"]*/")
  foreach(line ${includes})
    file(RELATIVE_PATH relative ${SOURCE_DIR} ${source})
    list(APPEND offenders "${relative}: ${line}")
  endforeach()
endforeach()
if(offenders)
  list(JOIN offenders "\n  " listed)
  message(FATAL_ERROR "includes by path in a layer (include \"x.h\" instead):\n  ${listed}")
endif()
message(STATUS "${source_count} sources of ${layers}: every quoted include is flat")
