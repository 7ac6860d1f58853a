/// The exit codes a monitor can act on; documented in the README and in `caspio --help`.
enum ExitStatus: Int32 {
    case success = 0
    case scriptError = 1
    case usage = 2
    case authentication = 3
    case budget = 4
    case httpError = 5
    case locked = 75
    case timeout = 124
    case interrupted = 130
    case terminated = 143

    static let helpText = """
        Exit codes:
          0    success
          1    script error (a Lua error the script did not catch)
          2    usage or configuration error
          3    authentication failure
          4    request budget exhausted
          5    HTTP error not caught by the script
          75   another run holds the lock
          124  timeout
          130  interrupted (Ctrl-C)
          143  terminated (SIGTERM), after clean-up handlers ran
        """
}
