// The merge loop both BPE tokenizers share (SentencePiece's merges by piece score, byte-level
// BPE's by merge rank): symbols of a string in a linked list, the best adjacent pair merged
// repeatedly, leftmost first on ties. Stale queue entries (a side merged meanwhile) are
// recognised by their recorded lengths and skipped.
#pragma once
#include <cstddef>
#include <optional>
#include <queue>
#include <vector>

namespace airtp {

struct MergeSymbol {
  size_t start, len;  // bytes of the string; len 0 once merged into its left neighbour
  int prev, next;     // -1 at the ends
};

// priority(l, r) -> std::optional<double>: how good merging symbols l and r is (higher first),
// or nullopt when their concatenation is not a merge. Afterwards the surviving symbols are
// reached from sym[0] through next.
template <class Priority>
void merge_symbols(std::vector<MergeSymbol>& sym, Priority priority) {
  struct Bigram {
    double priority;
    int left, right;
    size_t len;
  };
  auto worse = [](const Bigram& a, const Bigram& b) {
    return a.priority < b.priority || (a.priority == b.priority && a.left > b.left);
  };
  std::priority_queue<Bigram, std::vector<Bigram>, decltype(worse)> queue(worse);
  auto try_add = [&](int l, int r) {
    if (l < 0 || r < 0) return;
    if (const std::optional<double> p = priority(l, r))
      queue.push({*p, l, r, sym[static_cast<size_t>(l)].len + sym[static_cast<size_t>(r)].len});
  };
  for (size_t i = 1; i < sym.size(); ++i) try_add(static_cast<int>(i) - 1, static_cast<int>(i));
  while (!queue.empty()) {
    const Bigram b = queue.top();
    queue.pop();
    MergeSymbol& l = sym[static_cast<size_t>(b.left)];
    MergeSymbol& r = sym[static_cast<size_t>(b.right)];
    if (l.len == 0 || r.len == 0 || l.next != b.right || l.len + r.len != b.len) continue;
    l.len += r.len;
    r.len = 0;
    l.next = r.next;
    if (r.next >= 0) sym[static_cast<size_t>(r.next)].prev = b.left;
    try_add(l.prev, b.left);
    try_add(b.left, l.next);
  }
}

}  // namespace airtp
