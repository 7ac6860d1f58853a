import CaspioCommands

/// `caspio`: everything is in CaspioCommands, which tests link.
@main
enum Entry {
    static func main() {
        CommandLineMain.main()
    }
}
