#include "protocol/codec.h"
#include <gtest/gtest.h>
TEST(Messages, Placeholder) {}
