// What `taxonn generate` writes for a config: the templates, the shared
// encodings (taxonn_defs.vh, from the golden model's enums), one specialized
// wrapper per weighted layer for each PE kind and the activation unit, a file
// list and the resolved config. Everything is built in memory first, so a bad
// config leaves no file behind.
#pragma once

#include <string>
#include <vector>

#include "config.hpp"
#include "pe_interface.hpp"
#include "vast.hpp"

namespace taxonn {

struct GeneratedFile {
  std::string path;  // relative to the output folder
  std::string content;
};

std::string defs_vh();
// The templates, embedded in the binary at build time (rtl_templates/*.v).
struct Template {
  const char* name;
  const char* text;
};
const std::vector<Template>& embedded_templates();
// The templates generate_design() uses: the embedded ones, or after
// use_template_dir() the files of the same names in that folder (a user's
// modified datapath; the tests' deliberately broken copy).
const std::vector<Template>& templates();
// Every embedded template must be in `dir`; a missing one is a ConfigError.
void use_template_dir(const std::string& dir);

std::vector<GeneratedFile> generate_design(const Config& c);

// Write the files into `dir` (created if missing). The files are first written
// into a temporary folder beside it and then moved in, so an interrupted run
// leaves no half-written file in `dir`.
void write_files(const std::string& dir, const std::vector<GeneratedFile>& files);

}  // namespace taxonn
