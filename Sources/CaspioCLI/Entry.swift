import CLuaShim

@main
enum Entry {
    static func main() {
        // Ctrl-C and SIGTERM must reach us even if the parent spawned us with them blocked.
        caspio_unblock_signals()
        Caspio.main()
    }
}
