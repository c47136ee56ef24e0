// A layer probe (CMakeLists.txt): includes the one header named by TURNO_PROBE_HEADER, compiled
// with the include directories of one layer's target and nothing else.
#include TURNO_PROBE_HEADER
