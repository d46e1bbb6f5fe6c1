// gantry: one binary for every role. Each role registers its subcommand(s);
// a subcommand's callback ends by throwing CLI::RuntimeError(code) when it
// wants a non-zero exit status.
#include <CLI/CLI.hpp>

#include <csignal>

#include "client/commands.h"
#include "client/dev/dev_command.h"
#include "coordinator/server/coordinator_command.h"
#include "node/agent_command.h"
#include "node/sandbox_exec_command.h"

int main(int argc, char** argv) {
  // A closed socket or pipe must be an error return, never a dead process.
  std::signal(SIGPIPE, SIG_IGN);
  CLI::App app{"gantry: batch jobs on fleets of machines you own"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Show help for every command");
  gantry::AddCoordinatorCommand(app);
  gantry::AddAgentCommand(app);
  gantry::AddSandboxExecCommand(app);
  gantry::AddDevCommand(app);
  gantry::AddClientCommands(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::RuntimeError& e) {
    return e.get_exit_code();  // a verb's own failure; it has said why
  } catch (const CLI::ParseError& e) {
    // Help requests exit 0; bad usage exits 2, as shells expect.
    int code = app.exit(e);
    return code == 0 ? 0 : 2;
  }
  return 0;
}
