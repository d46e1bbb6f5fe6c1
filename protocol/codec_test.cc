#include "protocol/codec.h"
#include <gtest/gtest.h>
TEST(Codec, Placeholder) {}
