// The rows of the type table (tensor/type_traits.cpp), one per file of this folder.
#pragma once
#include "tensor/type_traits.h"

namespace airtp {

TypeTraits f32_type();
TypeTraits f16_type();
TypeTraits q8_0_type();
TypeTraits q8_k_type();
TypeTraits q4_0_type();
TypeTraits q4_1_type();
TypeTraits q5_0_type();
TypeTraits q5_1_type();
TypeTraits q6_k_type();
TypeTraits q2_k_type();
TypeTraits q3_k_type();
TypeTraits q4_k_type();
TypeTraits q5_k_type();

}  // namespace airtp
