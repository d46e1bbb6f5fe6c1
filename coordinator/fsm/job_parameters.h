// Ref::name placeholders in a job's command, as AWS Batch's `parameters`.
//
// A job definition gives default parameters, a submission overlays its own,
// and every "Ref::<name>" inside a command argument is replaced by the value
// of <name>. The name is the longest run of name characters ([A-Za-z0-9_-])
// after "Ref::"; a name with no parameter stays as written, as AWS leaves it.
// Values are inserted as is: a value holding "Ref::x" is not expanded again.
#pragma once

#include <string>
#include <vector>

#include "gantry/status.h"
#include "protocol/types.h"

namespace gantry::coordinator {

// The definition's defaults with the submission's values on top.
protocol::Parameters MergeParameters(const protocol::Parameters& defaults,
                                     const protocol::Parameters& overrides);

// `command` with every known Ref::name replaced. kInvalidArgument if the
// result would exceed protocol::kMaxCommandBytes (checked while expanding,
// so a hostile mix of many references and long values never allocates more
// than the limit). Pure.
Result<std::vector<std::string>> SubstituteParameters(const std::vector<std::string>& command,
                                                      const protocol::Parameters& parameters);

}  // namespace gantry::coordinator
