# Writes OUTPUT: a C++ file defining turno::api::openapi_yaml() as the text of INPUT.
file(READ ${INPUT} TURNO_YAML)
file(WRITE ${OUTPUT} "// Generated from schemas/openapi.yaml by api/embed_openapi.cmake.\n"
  "#include <string_view>\n"
  "namespace turno::api {\n"
  "std::string_view openapi_yaml() {\n"
  "  static constexpr char kText[] = R\"turno_openapi(${TURNO_YAML})turno_openapi\";\n"
  "  return {kText, sizeof(kText) - 1};\n"
  "}\n"
  "}  // namespace turno::api\n")
