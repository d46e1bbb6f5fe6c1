#include "coordinator/fsm/job_parameters.h"

#include <gtest/gtest.h>

namespace gantry::coordinator {
namespace {

using Args = std::vector<std::string>;

TEST(JobParameters, SubmissionOverridesDefinitionDefaults) {
  const protocol::Parameters merged = MergeParameters({{"a", "def"}, {"b", "def"}}, {{"b", "sub"}, {"c", "sub"}});
  EXPECT_EQ(merged, (protocol::Parameters{{"a", "def"}, {"b", "sub"}, {"c", "sub"}}));
}

TEST(JobParameters, ReplacesEveryOccurrenceInsideArguments) {
  auto out = SubstituteParameters({"cp", "Ref::src", "--to=Ref::dst/Ref::src.bak", "Ref::src-x"},
                                  {{"src", "in.txt"}, {"dst", "/out"}, {"src-x", "dash"}});
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  // The name is the longest run of name characters, so Ref::src-x is its own name.
  EXPECT_EQ(*out, (Args{"cp", "in.txt", "--to=/out/in.txt.bak", "dash"}));
}

TEST(JobParameters, UnknownReferencesStayAsWritten) {
  auto out = SubstituteParameters({"Ref::nope", "Ref::", "xRef::a:Ref::"}, {{"a", "1"}});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, (Args{"Ref::nope", "Ref::", "x1:Ref::"}));
}

TEST(JobParameters, ValuesAreNotExpandedAgain) {
  auto out = SubstituteParameters({"Ref::a"}, {{"a", "Ref::b"}, {"b", "no"}});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(*out, (Args{"Ref::b"}));
}

TEST(JobParameters, ExpansionBeyondCommandLimitIsRejected) {
  const std::string big(64 * 1024, 'x');
  auto out = SubstituteParameters({"Ref::v Ref::v Ref::v"}, {{"v", big}});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(out.status().message().find("parameters"), std::string::npos);
}

}  // namespace
}  // namespace gantry::coordinator
