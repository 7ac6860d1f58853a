import ArgumentParser
import CaspioModule
import LuaBridge


struct Caspio: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "caspio",
        abstract: "Automate Caspio databases with Lua 5.4 scripts.",
        discussion: """
            caspio SCRIPT [ARGS...] runs a Lua script as lua5.4 would, with the `caspio` module loaded; so does an executable script that starts with #!/usr/bin/env caspio. `caspio` alone on a terminal starts the REPL (`caspio repl`); with standard input from a pipe or file it runs that as a script.

            Options of caspio itself (-v, --profile, --sandbox, --log-level, …) may come before or after the subcommand: `caspio -v run job.lua` and `caspio run -v job.lua` are the same. `caspio help SUBCOMMAND` or `caspio SUBCOMMAND --help` describes a subcommand.

            \(ExitStatus.helpText)
            """,
        version: "caspio \(CaspioModule.version) (\(LuaState.luaRelease))",
        subcommands: [
            RunCommand.self, ReplCommand.self, AuthCommand.self, RequestCommand.self, SandboxCommand.self,
            UsageCommand.self, ProfileCommand.self, DoctorCommand.self, ExportCommand.self, ImportCommand.self, MirrorCommand.self,
            StoreCommand.self,
        ],
        defaultSubcommand: RunCommand.self
    )
}
