#include "model/gguf_file.h"

#include <fmt/format.h>

#include <limits>

#include "model/byte_reader.h"
#include "model/model_error.h"
#include "tensor/type_traits.h"

namespace airtp::gguf {

namespace {

// Deeper nesting than this is never written by llama.cpp; the limit bounds recursion on hostile
// input.
constexpr int kMaxNesting = 4;
constexpr uint64_t kMaxAlignment = 1u << 24;
// Smallest possible encodings, used to reject counts no file of this size could hold before
// looping over them.
constexpr size_t kMinKvBytes = 8 + 4 + 1;
constexpr size_t kMinTensorInfoBytes = 8 + 4 + 8 + 4 + 8;

// Keys and tensor names come from the file. Quoted raw in an error message, a NUL would cut the
// message short (what() is a C string, so the actual problem would be lost), control characters
// would reach the terminal, invalid UTF-8 would break a JSON report of the error, and a
// megabyte-long name would make a megabyte of message. GGUF names are ASCII by convention, so
// every other byte is shown as \xNN.
std::string printable(std::string_view s) {
  constexpr size_t kMaxBytes = 96;
  std::string out;
  for (size_t i = 0; i < s.size() && i < kMaxBytes; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c >= 0x7f)
      out += fmt::format("\\x{:02x}", c);
    else
      out += static_cast<char>(c);
  }
  if (s.size() > kMaxBytes) out += fmt::format("...({} bytes)", s.size());
  return out;
}

std::string_view read_string(ByteReader& r, std::string_view what) {
  const size_t at = r.pos();
  const auto len = r.read<uint64_t>(what);
  if (len > r.remaining())
    r.fail(fmt::format("string length {} ({}) at offset {} exceeds the remaining {} bytes of the "
                       "file (truncated or corrupt)",
                       len, what, at, r.remaining()));
  return r.bytes(static_cast<size_t>(len), what);
}

void skip_value(ByteReader& r, uint32_t type, const std::string& key, int depth) {
  if (type == static_cast<uint32_t>(ValueType::STRING)) {
    read_string(r, "string");
  } else if (type == static_cast<uint32_t>(ValueType::ARRAY)) {
    if (depth >= kMaxNesting)
      r.fail(fmt::format("metadata '{}' nests arrays deeper than {} levels", printable(key), kMaxNesting));
    const auto elem = r.read<uint32_t>("array type");
    if (elem >= kValueTypeCount)
      r.fail(fmt::format("metadata '{}' is an array of unknown value type {}", printable(key), elem));
    const size_t at = r.pos();
    const auto n = r.read<uint64_t>("array count");
    const size_t min_size = elem == static_cast<uint32_t>(ValueType::STRING)  ? 8
                            : elem == static_cast<uint32_t>(ValueType::ARRAY) ? 12
                                                                               : value_type_size(elem);
    if (n > r.remaining() / min_size)
      r.fail(fmt::format("array count {} of metadata '{}' at offset {} exceeds what the remaining "
                         "{} bytes of the file can hold (truncated or corrupt)",
                         n, printable(key), at, r.remaining()));
    if (value_type_size(elem) != 0) {
      r.skip(static_cast<size_t>(n) * min_size, "array");
    } else {
      for (uint64_t i = 0; i < n; ++i) skip_value(r, elem, key, depth + 1);
    }
  } else {
    r.skip(value_type_size(type), "value");
  }
}

// Reads one validated scalar at `r` as int64/double; nullopt when the type is not numeric.
std::optional<int64_t> read_int(ByteReader& r, uint32_t type, bool& out_of_range) {
  out_of_range = false;
  switch (static_cast<ValueType>(type)) {
    case ValueType::U8: return r.read<uint8_t>("");
    case ValueType::I8: return r.read<int8_t>("");
    case ValueType::U16: return r.read<uint16_t>("");
    case ValueType::I16: return r.read<int16_t>("");
    case ValueType::U32: return r.read<uint32_t>("");
    case ValueType::I32: return r.read<int32_t>("");
    case ValueType::I64: return r.read<int64_t>("");
    case ValueType::U64: {
      const auto v = r.read<uint64_t>("");
      if (v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        out_of_range = true;
        return std::nullopt;
      }
      return static_cast<int64_t>(v);
    }
    default: return std::nullopt;
  }
}

}  // namespace

std::string TensorInfo::shape() const {
  std::string s = "[";
  for (int i = 0; i < n_dims; ++i) s += fmt::format("{}{}", i ? ", " : "", ne[i]);
  return s + "]";
}

void File::fail(std::string_view msg) const { throw ModelError(fmt::format("{}: {}", path_, msg)); }

File File::open(const std::string& path) {
  File f;
  f.path_ = path;
  f.map_ = map_file(path);
  ByteReader r(f.map_.data, f.map_.size, path);

  const auto magic = r.read<uint32_t>("GGUF magic");
  if (magic != kMagic)
    r.fail(fmt::format("not a GGUF file: wrong magic 0x{:08x} (expected \"GGUF\")", magic));
  f.version_ = r.read<uint32_t>("GGUF version");
  if (f.version_ != 2 && f.version_ != 3)
    r.fail(fmt::format("unsupported GGUF version {} (airtp reads versions 2 and 3)", f.version_));
  const auto n_tensors = r.read<uint64_t>("tensor count");
  const auto n_kv = r.read<uint64_t>("metadata count");
  if (n_kv > r.remaining() / kMinKvBytes)
    r.fail(fmt::format("metadata count {} exceeds what the remaining {} bytes of the file can hold "
                       "(truncated or corrupt)",
                       n_kv, r.remaining()));
  if (n_tensors > r.remaining() / kMinTensorInfoBytes)
    r.fail(fmt::format("tensor count {} exceeds what the remaining {} bytes of the file can hold "
                       "(truncated or corrupt)",
                       n_tensors, r.remaining()));

  for (uint64_t i = 0; i < n_kv; ++i) {
    r.set_context(fmt::format("metadata #{}", i));
    std::string key(read_string(r, "key"));
    r.set_context(fmt::format("metadata '{}'", printable(key)));
    Value v;
    v.type = r.read<uint32_t>("value type");
    if (v.type >= kValueTypeCount)
      r.fail(fmt::format("metadata '{}' has unknown value type {}", printable(key), v.type));
    v.pos = r.pos();
    skip_value(r, v.type, key, 0);
    if (v.type == static_cast<uint32_t>(ValueType::ARRAY)) {
      std::memcpy(&v.elem_type, f.map_.data + v.pos, 4);
      std::memcpy(&v.count, f.map_.data + v.pos + 4, 8);
    }
    if (!f.values_.emplace(key, v).second) r.fail(fmt::format("duplicate metadata key '{}'", printable(key)));
    f.keys_.push_back(std::move(key));
  }

  if (const Value* a = f.find("general.alignment")) {
    ByteReader ar(f.map_.data, f.map_.size, path);
    ar.skip(a->pos, "");
    bool oor = false;
    const auto al = read_int(ar, a->type, oor);
    if (!al)
      r.fail(fmt::format("metadata 'general.alignment' has type {}, expected an integer",
                         value_type_name(a->type)));
    if (*al < 8 || static_cast<uint64_t>(*al) > kMaxAlignment || (*al & (*al - 1)) != 0)
      r.fail(fmt::format("general.alignment = {} is not a power of two in [8, {}]", *al, kMaxAlignment));
    f.alignment_ = static_cast<uint32_t>(*al);
  }

  f.tensors_.reserve(static_cast<size_t>(n_tensors));
  for (uint64_t i = 0; i < n_tensors; ++i) {
    TensorInfo t;
    r.set_context(fmt::format("tensor #{}", i));
    t.name = std::string(read_string(r, "name"));
    const std::string name = printable(t.name);
    // A metadata key where a tensor should start: the header promised fewer key-value pairs than
    // the file holds (a zero or too small metadata count), and everything after would be misread.
    for (const char* prefix : {"general.", "tokenizer.", "llama."})
      if (t.name.rfind(prefix, 0) == 0)
        r.fail(fmt::format("tensor #{} is named '{}', a metadata key: the header's metadata count ({}) is smaller "
                           "than the metadata the file holds",
                           i, name, n_kv));
    r.set_context(fmt::format("tensor '{}'", name));
    const auto n_dims = r.read<uint32_t>("dimension count");
    if (n_dims == 0 || n_dims > static_cast<uint32_t>(kMaxDims))
      r.fail(fmt::format("tensor '{}' has {} dimensions (1 to {} supported)", name, n_dims, kMaxDims));
    t.n_dims = static_cast<int>(n_dims);
    unsigned __int128 count = 1;
    for (int d = 0; d < t.n_dims; ++d) {
      t.ne[d] = r.read<uint64_t>("shape");
      count *= t.ne[d];
      if (count > f.map_.size * static_cast<unsigned __int128>(8))  // even 1 bit/value overflows
        r.fail(fmt::format("tensor '{}' has an absurd shape (more values than the {}-byte file can hold): the "
                           "tensor-info region is corrupt, or the header's tensor or metadata count ({} tensors, "
                           "{} key-value pairs) is wrong",
                           name, f.map_.size, n_tensors, n_kv));
    }
    t.ggml_type = r.read<uint32_t>("type");
    const auto dt = dtype_from_ggml(t.ggml_type);
    if (!dt) {
      const std::string type_name = ggml_type_name(t.ggml_type);
      if (type_name.empty())
        r.fail(fmt::format("tensor '{}' has unknown tensor type {}", name, t.ggml_type));
      std::vector<std::string_view> known;
      for (const auto& tr : all_types())
        if (!tr.activation_only) known.push_back(tr.name);
      r.fail(fmt::format("tensor '{}' has unsupported tensor type {} ({}); airtp reads {}", name, type_name,
                         t.ggml_type, fmt::join(known, ", ")));
    }
    t.type = *dt;
    const TypeTraits& tr = type_traits(t.type);
    if (t.ne[0] % static_cast<uint64_t>(tr.block_size) != 0)
      r.fail(fmt::format("{} tensor '{}' has row length {}, not a multiple of {}", tr.name, name, t.ne[0],
                         tr.block_size));
    const unsigned __int128 rows = count / (t.ne[0] ? t.ne[0] : 1);
    const unsigned __int128 row_bytes = t.ne[0] / static_cast<uint64_t>(tr.block_size) * tr.block_bytes;
    const unsigned __int128 nbytes = t.ne[0] ? rows * row_bytes : 0;
    t.offset = r.read<uint64_t>("data offset");
    if (t.offset % f.alignment_ != 0)
      r.fail(fmt::format("tensor '{}' data offset {} is misaligned (not a multiple of the alignment {})",
                         name, t.offset, f.alignment_));
    if (nbytes > f.map_.size)
      r.fail(fmt::format("truncated file: tensor '{}' {} needs {} bytes, but the file has {} bytes",
                         name, t.shape(), static_cast<uint64_t>(nbytes), f.map_.size));
    t.nbytes = static_cast<size_t>(nbytes);
    if (!f.tensor_index_.emplace(t.name, f.tensors_.size()).second)
      r.fail(fmt::format("duplicate tensor name '{}'", name));
    f.tensors_.push_back(std::move(t));
  }

  r.set_context("");
  const uint64_t end_of_infos = r.pos();
  f.data_offset_ = static_cast<size_t>((end_of_infos + f.alignment_ - 1) / f.alignment_ * f.alignment_);
  for (TensorInfo& t : f.tensors_) {
    const unsigned __int128 begin = static_cast<unsigned __int128>(f.data_offset_) + t.offset;
    const unsigned __int128 end = begin + t.nbytes;
    if (end > f.map_.size)
      r.fail(fmt::format("truncated file: data of tensor '{}' ends at byte {}, but the file has {} bytes",
                         printable(t.name), static_cast<long double>(end), f.map_.size));
    t.data = f.map_.data + static_cast<size_t>(begin);
  }
  return f;
}

const Value* File::find(std::string_view key) const {
  auto it = values_.find(std::string(key));
  return it == values_.end() ? nullptr : &it->second;
}

const Value& File::require(std::string_view key) const {
  const Value* v = find(key);
  if (!v) fail(fmt::format("missing metadata key '{}'", printable(key)));
  return *v;
}

const TensorInfo* File::find_tensor(std::string_view name) const {
  auto it = tensor_index_.find(std::string(name));
  return it == tensor_index_.end() ? nullptr : &tensors_[it->second];
}

std::optional<int64_t> File::get_int_opt(std::string_view key) const {
  const Value* v = find(key);
  if (!v) return std::nullopt;
  ByteReader r(map_.data, map_.size, path_);
  r.skip(v->pos, "");
  bool oor = false;
  auto x = read_int(r, v->type, oor);
  if (oor) fail(fmt::format("metadata '{}' is out of range", printable(key)));
  if (!x)
    fail(fmt::format("metadata '{}' has type {}, expected an integer", printable(key), value_type_name(v->type)));
  return x;
}

int64_t File::get_int(std::string_view key) const {
  require(key);
  return *get_int_opt(key);
}

std::optional<double> File::get_float_opt(std::string_view key) const {
  const Value* v = find(key);
  if (!v) return std::nullopt;
  ByteReader r(map_.data, map_.size, path_);
  r.skip(v->pos, "");
  if (v->type == static_cast<uint32_t>(ValueType::F32)) return r.read<float>("");
  if (v->type == static_cast<uint32_t>(ValueType::F64)) return r.read<double>("");
  fail(fmt::format("metadata '{}' has type {}, expected a float", printable(key), value_type_name(v->type)));
}

std::optional<bool> File::get_bool_opt(std::string_view key) const {
  const Value* v = find(key);
  if (!v) return std::nullopt;
  if (v->type != static_cast<uint32_t>(ValueType::BOOL))
    fail(fmt::format("metadata '{}' has type {}, expected bool", printable(key), value_type_name(v->type)));
  return map_.data[v->pos] != 0;
}

std::optional<std::string> File::get_string_opt(std::string_view key) const {
  const Value* v = find(key);
  if (!v) return std::nullopt;
  if (v->type != static_cast<uint32_t>(ValueType::STRING))
    fail(fmt::format("metadata '{}' has type {}, expected string", printable(key), value_type_name(v->type)));
  ByteReader r(map_.data, map_.size, path_);
  r.skip(v->pos, "");
  return std::string(read_string(r, key));
}

std::string File::get_string(std::string_view key) const {
  require(key);
  return *get_string_opt(key);
}

std::vector<std::string> File::get_string_array(std::string_view key) const {
  const Value& v = require(key);
  if (v.type != static_cast<uint32_t>(ValueType::ARRAY) ||
      v.elem_type != static_cast<uint32_t>(ValueType::STRING))
    fail(fmt::format("metadata '{}' is not an array of strings", printable(key)));
  ByteReader r(map_.data, map_.size, path_);
  r.skip(v.pos + 12, "");
  std::vector<std::string> out;
  out.reserve(static_cast<size_t>(v.count));  // validated against the file size at open
  for (uint64_t i = 0; i < v.count; ++i) out.emplace_back(read_string(r, key));
  return out;
}

std::vector<float> File::get_float_array(std::string_view key) const {
  const Value& v = require(key);
  const bool f32 = v.elem_type == static_cast<uint32_t>(ValueType::F32);
  const bool f64 = v.elem_type == static_cast<uint32_t>(ValueType::F64);
  if (v.type != static_cast<uint32_t>(ValueType::ARRAY) || !(f32 || f64))
    fail(fmt::format("metadata '{}' is not an array of floats", printable(key)));
  ByteReader r(map_.data, map_.size, path_);
  r.skip(v.pos + 12, "");
  std::vector<float> out(static_cast<size_t>(v.count));
  for (float& x : out) x = f32 ? r.read<float>(key) : static_cast<float>(r.read<double>(key));
  return out;
}

std::vector<int64_t> File::get_int_array(std::string_view key) const {
  const Value& v = require(key);
  if (v.type != static_cast<uint32_t>(ValueType::ARRAY) ||
      v.elem_type == static_cast<uint32_t>(ValueType::STRING) ||
      v.elem_type == static_cast<uint32_t>(ValueType::ARRAY))
    fail(fmt::format("metadata '{}' is not an array of integers", printable(key)));
  ByteReader r(map_.data, map_.size, path_);
  r.skip(v.pos + 12, "");
  std::vector<int64_t> out;
  out.reserve(static_cast<size_t>(v.count));
  for (uint64_t i = 0; i < v.count; ++i) {
    bool oor = false;
    const auto x = read_int(r, v.elem_type, oor);
    if (!x) fail(fmt::format("metadata '{}' is not an array of integers", printable(key)));
    out.push_back(*x);
  }
  return out;
}

}  // namespace airtp::gguf
