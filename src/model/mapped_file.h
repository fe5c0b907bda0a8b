// A whole file mapped read-only into memory. Models view their weights in place, so the mapping
// lives as long as any Model holding `keep` (Model::storage).
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace airtp {

struct MappedFile {
  const uint8_t* data = nullptr;  // nullptr for an empty file
  size_t size = 0;
  std::shared_ptr<void> keep;     // unmaps when the last owner lets go
};

// Throws ModelError "<path>: cannot open <what>: <reason>" when the file is missing or unreadable.
MappedFile map_file(const std::string& path, const char* what = "model file");

// Drops this process's resident pages lying wholly inside [p, p + n) of a read-only file mapping
// (map_file's): they stop counting towards its memory, and a later read faults them back in from
// the page cache. A device that copied its shard out of a matrix releases the matrix this way,
// so a rank's resident memory is its shard, not the file. Never call it on anonymous memory,
// whose contents it would discard.
void release_mapped_pages(const void* p, size_t n);

}  // namespace airtp
