// Force-included into src/tensor/kernels.cpp by fuzz/CMakeLists.txt (clang 14 only): the CPU
// check answers "no AVX2", so the fuzz build runs the portable kernels. See the CMake comment.
#pragma once
#define __builtin_cpu_supports(feature) 0
