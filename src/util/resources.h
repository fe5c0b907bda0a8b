// Where airtp's data files (the bundled model, experiment configs, scenario files) are found at
// run time. Nothing is baked into the binary: they are looked up next to the executable, in
// the source tree it was built in (build/airtp -> ..), or in an installed share/airtp.
#pragma once
#include <optional>
#include <string>
#include <vector>

namespace airtp {

// Directories searched for a relative data path, in order: the working directory, the
// executable's directory, its parent (a build tree inside the source tree), and
// <prefix>/share/airtp of an installed binary. $AIRTP_DATA_DIR, if set, comes first.
std::vector<std::string> data_search_dirs();

// `relative` (e.g. "models/airtp-kjv-q8_0.gguf") in the first search directory that has it.
std::optional<std::string> find_data_file(const std::string& relative);

// A user-given path: as given when it exists or is absolute, else the first data directory that
// has it, else as given (so that the error about a missing file names what the user wrote).
std::string resolve_data_path(const std::string& path);

// `git rev-parse --short HEAD` of the source tree the data was found in ("" if there is none).
std::string source_commit();

}  // namespace airtp
