import LuaBridge
import Testing

/// Argument and option checks, in process and with no server (a request would fail the case
/// with a config error): the message, and that it points at the script's line whichever side
/// (Lua or Swift) made the check.
@Suite struct UsageTests {
    static let requests: [(String, String)] = [
        (#"caspio.request(1, "tables")"#, "bad argument #1 to 'request' (method string expected)"),
        (#"caspio.request("", "tables")"#, "bad argument #1 to 'request' (method string expected)"),
        (#"caspio.request("GET")"#, "bad argument #2 to 'request' (path string expected)"),
        (#"caspio.request("GET", "tables", "nope")"#, #"the options of 'request' must be a table (got the string "nope")"#),
        (#"caspio.request("POST", "tables", {json = {}, body = "x"})"#, "give opts.json or opts.body, not both"),
        (#"caspio.request("GET", "tables", {query = {bad = {}}})"#, "opts.query.bad must be a string, number or boolean (got table)"),
        (#"caspio.request("GET", "tables", {query = {[1] = "x"}})"#, "opts.query: names must be strings"),
        (#"caspio.get("tables", 5)"#, "query must be a table (got the number 5)"),
        (#"caspio.request("GET", "tables", {headers = {X = print}})"#, "opts.headers.X must be a string, number or boolean (got function)"),
        (#"caspio.request("GET", "tables", {timeout = 0})"#, "timeout must be a positive number (got the number 0)"),
        (#"caspio.request("GET", "tables", {timeout = "soon"})"#, #"timeout must be a positive number (got the string "soon")"#),
        (#"caspio.post("tables", print)"#, "opts.json cannot be sent as JSON: "),
        (#"caspio.request("POST", "tables", {body = 42})"#, "body must be a string (got the number 42)"),
        (#"caspio.request("GET", "files/k", {save_to = ""})"#, "opts.save_to must be a file path"),
    ]

    static let concurrency: [(String, String)] = [
        ("caspio.map({1}, print, {concurrency = 0})", "concurrency must be a positive integer (got the number 0)"),
        ("caspio.map({1}, print, {concurrency = -1})", "concurrency must be a positive integer (got the number -1)"),
        ("caspio.map({1}, print, {concurrency = 2.5})", "concurrency must be a positive integer (got the number 2.5)"),
        (#"caspio.map({1}, print, {concurrency = "8"})"#, #"concurrency must be a positive integer (got the string "8")"#),
        ("caspio.map(nil, print)", "bad argument #1 to 'map' (list expected)"),
        ("caspio.map({}, nil)", "bad argument #2 to 'map' (function expected)"),
        (#"caspio.parallel("x")"#, "bad argument #1 to 'parallel' (list of functions expected)"),
        ("caspio.parallel({}, {concurrency = 0})", "concurrency must be a positive integer (got the number 0)"),
    ]

    static let records: [(String, String)] = [
        (#"caspio.records("")"#, "bad argument #1 to 'records' (table name expected)"),
        ("caspio.records(42)", "bad argument #1 to 'records' (table name expected)"),
        (#"caspio.records("T", {limit = -1})"#, "limit must be an integer of 0 or more (got the number -1)"),
        (#"caspio.records("T", {limit = 1.5})"#, "limit must be an integer of 0 or more (got the number 1.5)"),
        (#"caspio.table(""):first()"#, "a table name is needed"),
        ("caspio.view(42)", "a view name is needed"),
    ] + ["4", "1001", "0", "-5", "10.5"].map { size in
        (#"caspio.records("T", {pageSize = \#(size)})"#, "pageSize must be an integer from 5 to 1000 (got the number \(size))")
    } + [
        (#"caspio.records("T", {pageSize = "50"})"#, #"pageSize must be an integer from 5 to 1000 (got the string "50")"#),
        (#"caspio.table("T"):rows({pageSize = 4})"#, "pageSize must be an integer from 5 to 1000 (got the number 4)"),
        (#"caspio.view("V"):all({limit = -2})"#, "limit must be an integer of 0 or more (got the number -2)"),
        (#"caspio.records("T", {order = "none"})"#, #"order must be true or false (got the string "none")"#),
        (#"caspio.table("T"):all({exact = 1})"#, "exact must be true or false (got the number 1)"),
    ]

    /// Every options table is checked; a misspelling names the option meant, a
    /// where clause in the wrong place says where it goes.
    static let options: [(String, String)] = [
        (#"caspio.table("T"):all({State = "TX"})"#, #"unknown option 'State' to 'all' (did you mean {where = {State = "TX"}}?)"#),
        (#"caspio.table("T"):rows({State = "TX", N = 1})"#, #"unknown options 'N', 'State' to 'rows' (did you mean {where = {N = 1, State = "TX"}}?)"#),
        (#"caspio.table("T"):all({wher = {State = "TX"}})"#, "unknown option 'wher' to 'all' (did you mean 'where'?)"),
        (#"caspio.table("T"):all({orderby = "Name"})"#, "unknown option 'orderby' to 'all' (did you mean 'orderBy'?)"),
        (#"caspio.records("T", {pagesize = 10})"#, "unknown option 'pagesize' to 'records' (did you mean 'pageSize'?)"),
        (#"caspio.table("T"):first({limit = 3})"#, "'first' takes no option 'limit' (its options: where, select, orderBy, order, nulls)"),
        (#"caspio.table("T"):first({view = true})"#, "'first' takes no option 'view' (its options: where, select, orderBy, order, nulls)"),
        (#"caspio.table("T"):all({view = true})"#, "'all' takes no option 'view' (its options: where, select, orderBy, groupBy, pageSize, limit, order, exact, concurrency, nulls)"),
        (#"caspio.table("T"):count({where = {State = "CA"}})"#, #"'count' takes the where clause itself, not options: t:count({State = "CA"}), not t:count({where = …})"#),
        (#"caspio.table("T"):update({where = {State = "CA"}}, {N = 1})"#, #"'update' takes the where clause itself, not options: t:update({State = "CA"}, fields), not t:update({where = …}, fields)"#),
        (#"caspio.table("T"):delete({orderBy = "N"})"#, #"'delete' takes the where clause itself, not options: t:delete({State = "CA"}), not t:delete({orderBy = …})"#),
        (#"caspio.table("T"):delete(nil, {al = true})"#, "unknown option 'al' to 'delete' (did you mean 'all'?)"),
        (#"caspio.table("T"):all("State = 'TX'")"#, #"the options of 'all' must be a table (got the string "State = 'TX'")"#),
        (#"caspio.request("GET", "tables", {qeury = {}})"#, "unknown option 'qeury' to 'request' (did you mean 'query'?)"),
        (#"caspio.request("GET", "tables", {verbose = true})"#, "unknown option 'verbose' to 'request' (its options: query, json, body, content_type, headers, timeout, check, save_to, principal)"),
        (#"caspio.map({}, print, {concurency = 2})"#, "unknown option 'concurency' to 'map' (did you mean 'concurrency'?)"),
        (#"caspio.files.list({pagesize = 10})"#, "unknown option 'pagesize' to 'list' (did you mean 'pageSize'?)"),
        (#"caspio.files.upload("x", {overwite = true})"#, "unknown option 'overwite' to 'upload' (did you mean 'overwrite'?)"),
        (#"caspio.table("T"):all({[1] = "x"})"#, "the options of 'all' are name = value pairs (got a number key)"),
        (#"caspio.table("T"):all({select = 5})"#, "select must be a string or a list of strings (got the number 5)"),
    ]

    static let writes: [(String, String)] = [
        (#"caspio.table("T"):insert(5)"#, "bad argument #1 to 'insert' (row or list of rows expected)"),
        (#"caspio.table("T"):update({N = 1})"#, "bad argument #2 to 'update' (table of fields expected)"),
    ] + [#"t:delete()"#, #"t:delete({})"#, #"t:delete("")"#, #"t:delete(nil, {all = false})"#].map {
        ("local t = caspio.table('T'); " + $0, "refusing to delete every row of T: give a where clause, or nil and then {all = true}: t:delete(nil, {all = true})")
    } + [#"t:update(nil, {Name = "x"})"#, #"t:update({}, {Name = "x"})"#].map {
        ("local t = caspio.table('T'); " + $0, "refusing to update every row of T: give a where clause, or nil and then {all = true}: t:update(nil, fields, {all = true})")
    } + [
        (#"caspio.table("T"):delete({all = true})"#, "delete: {all = true} goes after the where clause: t:delete(nil, {all = true})"),
        (#"caspio.table("T"):update({all = true}, {Name = "x"})"#, "update: {all = true} goes after the where clause: t:update(nil, fields, {all = true})"),
    ]

    static let running: [(String, String)] = [
        ("caspio.sleep(-1)", "bad argument #1 to 'sleep' (seconds expected)"),
        (#"caspio.sleep("1")"#, "bad argument #1 to 'sleep' (seconds expected)"),
        ("caspio.sleep()", "bad argument #1 to 'sleep' (seconds expected)"),
        ("caspio.sleep(0/0)", "bad argument #1 to 'sleep' (seconds expected)"),
        ("caspio.env()", "bad argument #1 to 'env' (variable name expected)"),
        ("caspio.atexit(5)", "bad argument #1 to 'atexit' (function expected)"),
        ("caspio.state.get(5)", "bad argument #1 to 'get' (string key expected)"),
        ("caspio.state.set(nil, 1)", "bad argument #1 to 'set' (string key expected)"),
        // No script file and no --state: nowhere to keep the state.
        (#"caspio.state.get("k")"#, "caspio.state needs a script file to derive its file from, or --state FILE (CASPIO_STATE)"),
        ("caspio.state.path()", "caspio.state needs a script file to derive its file from, or --state FILE (CASPIO_STATE)"),
    ]

    static let files: [(String, String)] = [
        ("caspio.files.upload(5)", "bad argument #1 to 'upload' (local file path expected)"),
        (#"caspio.files.download("k", 5)"#, "bad argument #2 to 'download' (local file path expected)"),
        (#"caspio.files.download("", "x")"#, "a file key or a /path is needed"),
        ("caspio.files.info(nil)", "a file key or a /path is needed"),
        ("caspio.files.delete(42)", "a file key or a /path is needed"),
        (#"caspio.attachments.download(1, "F", 7, "x")"#, "a table name is needed"),
        (#"caspio.attachments.download("T", "F", 1.5, "x")"#, "bad argument #2 to 'attachment' (the record's PK_ID expected, got the number 1.5)"),
    ]

    /// Design, attachments, passwords, folders, webhooks, tasks, apps, directories: misuse
    /// is refused before any request.
    static let rest: [(String, String)] = [
        ("caspio.create_table()", "bad argument #1 to 'create_table' (a table {Name = …, Fields = {…}} expected, got nil)"),
        (#"caspio.create_table({Fields = {}})"#, "bad argument #1 to 'create_table' (Name, a string, expected, got nil)"),
        (#"caspio.table("T"):field()"#, "bad argument #1 to 'field' (field name expected, got nil)"),
        (#"caspio.table("T"):update_field("F")"#, "bad argument #2 to 'update_field' (a table of changes expected, got nil)"),
        (#"caspio.view("V"):delete_field("F")"#, "delete_field: a view's fields are its tables' fields"),
        (#"caspio.table("T"):attachment("F", 1):download()"#, "bad argument #1 to 'download' (local file path expected, got nil)"),
        (#"caspio.table("T"):attachments("F", {where = 5})"#, "where must be a string or a table (got the number 5)"),
        (#"caspio.table("T"):delete_attachments("F", {})"#, #"refusing to delete the F attachments of every row of T: give a where clause, or nil and then {all = true}: t:delete_attachments("F", nil, {all = true})"#),
        (#"caspio.table("T"):delete_attachments("F", {all = true})"#, #"delete_attachments: {all = true} goes after the where clause: t:delete_attachments("F", nil, {all = true})"#),
        (#"caspio.table("T"):set_attachment_info("F", {N = 1})"#, "bad argument #3 to 'set_attachment_info' (a table of changes, e.g. {FileName = \"photo.png\"} expected, got nil)"),
        (#"caspio.table("T"):set_password("P", {N = 1})"#, "bad argument #3 to 'set_password' (the password, a non-empty string, expected; got nil)"),
        (#"caspio.table("T"):clear_password("P", nil, {al = true})"#, "unknown option 'al' to 'clear_password' (did you mean 'all'?)"),
        (#"caspio.view("V"):set_password("P", {N = 1}, "x")"#, "set_password: password fields belong to tables"),
        (#"caspio.files.folders({pageSize = 1})"#, "pageSize must be an integer from 5 to 1000 (got the number 1)"),
        (#"caspio.files.folder("")"#, "a folder is an external key or a /path (got the string \"\")"),
        (#"caspio.files.folder("/")"#, "caspio.files.folder: the root folder has no record"),
        ("caspio.webhooks.create()", "bad argument #1 to 'create' (a webhook {Name = …, OutgoingUrls = {…}} expected, got nil)"),
        (#"caspio.webhooks.update("id")"#, "bad argument #2 to 'update' (a table of changes expected, got nil)"),
        (#"caspio.webhooks.delete_event("id")"#, "bad argument #2 to 'delete_event' (event id expected, got nil)"),
        ("caspio.tasks.run()", "bad argument #1 to 'run' (task external key expected, got nil)"),
        (#"caspio.apps.deploy_all("k", "yes")"#, #"bad argument #2 to 'deploy_all' (true to deploy, false to undeploy; got the string "yes")"#),
        (#"caspio.apps.datapage("k")"#, "bad argument #2 to 'datapage' (DataPage AppKey expected, got nil)"),
        ("caspio.directory()", "bad argument #1 to 'directory' (directory id expected, got nil)"),
        (#"caspio.directory("D"):delete(nil)"#, #"refusing to delete every user of caspio.directory("D"): give a where clause, or nil and then {all = true}: d:delete(nil, {all = true})"#),
        (#"caspio.directory("D"):update({Email = "a"})"#, "bad argument #2 to 'update' (a table of fields expected, got nil)"),
        (#"caspio.directory("D"):users({view = true})"#, "'users' takes no option 'view'"),
        (#"caspio.directory("D"):activate({})"#, "bad argument #1 to 'activate' (a UserGUID or a list of them expected, got a table)"),
        (#"caspio.directory("D"):activate("g", {send_email = "no"})"#, #"send_email must be true or false (got the string "no")"#),
    ]

    static let checks: [(String, String)] = [requests, concurrency, records, options, writes, running, files, rest].flatMap { $0 }

    @Test(arguments: checks)
    func pointsAtTheScriptsLine(call: String, message: String) async throws {
        let lua = try InProcessLua()
        let error = await lua.error("local before = 1\n\(call)\nreturn 'not reached'")
        #expect(error?.message.hasPrefix("script.lua:2: " + message) == true, "\(error?.message ?? "")")
        // A plain string, as Lua's own argument errors are, not an error table.
        #expect(error?.value.stringValue != nil)
    }

    /// The same checks reached through pcall, a function of the script, and a map task.
    static let paths = [
        "pcall(print); local ok, err = pcall(%@); error(err, 0)",
        "local function f() %@ end\nf()",
        "caspio.map({1}, function() %@ end)",
    ]

    static let calls = [
        (#"caspio.request, "GET", "tables", "nope""#, #"caspio.request("GET", "tables", "nope")"#, #"the options of 'request' must be a table (got the string "nope")"#),
        (#"caspio.records, "T", {pageSize = 4}"#, #"caspio.records("T", {pageSize = 4})"#, "pageSize must be an integer from 5 to 1000 (got the number 4)"),
        ("caspio.sleep, -1", "caspio.sleep(-1)", "bad argument #1 to 'sleep' (seconds expected)"),
        (#"caspio.where, {N = {}}"#, #"caspio.where({N = {}})"#, "caspio.where: the list for N is empty"),
    ]

    @Test(arguments: paths, calls)
    func pointsAtTheScriptsLineWhateverThePath(path: String, call: (String, String, String)) async throws {
        let lua = try InProcessLua()
        let code = path.hasPrefix("pcall") ? call.0 : call.1
        let source = path.replacingOccurrences(of: "%@", with: code)
        let message = await lua.failure(source)
        // Every path makes the call on line 1; a map task's error says which item it was.
        let prefix = path.hasPrefix("caspio.map") ? "item 1: " : ""
        #expect(message == "\(prefix)script.lua:1: \(call.2)", "\(source)")
    }
}
