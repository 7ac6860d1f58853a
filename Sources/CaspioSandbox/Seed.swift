import Foundation

/// Tables to start with: the built-in demo, or a JSON file given with `--seed`:
/// `{"Tables":[{"Name":"T","Fields":[{"Name":"F","Type":"STRING"}],"Rows":[{"F":"x"}]}]}`.
/// Both are deterministic, so examples and tests can assert exact numbers.
enum Seed {
    struct Failure: Error, CustomStringConvertible { var description: String }

    static func load(path: String, into store: Store) throws {
        guard let data = FileManager.default.contents(atPath: path) else { throw Failure(description: "cannot read seed file \(path)") }
        guard let document = JSON.parse(Array(data)), case .array(let tables)? = document["Tables"] else {
            throw Failure(description: "\(path): expected {\"Tables\": [{\"Name\", \"Fields\", \"Rows\"}]}")
        }
        try store.locked {
            try store.transaction {
                for table in tables {
                    guard case .string(let name)? = table["Name"], case .array(let fields)? = table["Fields"] else {
                        throw Failure(description: "\(path): each table needs Name and Fields")
                    }
                    let definitions = try fields.map { field -> Store.Field in
                        guard case .string(let n)? = field["Name"], case .string(let t)? = field["Type"] else {
                            throw Failure(description: "\(path): table \(name): each field needs Name and Type")
                        }
                        return Store.Field(name: n, type: t.uppercased())
                    }
                    try create(name, definitions, store: store, path: path)
                    if case .array(let rows)? = table["Rows"] {
                        for row in rows { try insert(row, table: name, store: store, path: path) }
                    }
                }
            }
        }
    }

    private static func create(_ name: String, _ fields: [Store.Field], store: Store, path: String) throws {
        do { try store.createTable(name, fields: fields) } catch let error as APIError {
            throw Failure(description: "\(path): table \(name): \(error.message)")
        }
    }

    private static func insert(_ row: JSON, table: String, store: Store, path: String) throws {
        do { _ = try store.insertRecord(table, body: row) } catch let error as APIError {
            throw Failure(description: "\(path): table \(table): \(error.message)")
        }
    }

    // MARK: The demo

    /// The states demo customers live in, in the order they are handed out.
    static let states = ["CA", "NY", "TX", "WA", "OR"]
    static let customerCount = 250
    static let products: [(String, Double)] = [
        ("Notebook", 3.5), ("Pencil", 0.8), ("Stapler", 12.0), ("Desk lamp", 29.9), ("Paper clips", 1.25),
        ("Monitor stand", 45.0), ("Whiteboard", 60.0), ("Marker set", 7.4),
    ]

    /// Customers (250: `Customer 001`… cycling through `states`, e-mail addresses in mixed case
    /// for the examples to normalise), Products (8), Orders (500, each customer two, with a
    /// product and a quantity derived from the numbers, no randomness).
    static func loadDemo(into store: Store) throws {
        try store.locked {
            try store.transaction {
                try store.createTable("Customers", fields: [
                    .init(name: "Name", type: "STRING"), .init(name: "State", type: "STRING"), .init(name: "Email", type: "STRING"),
                ])
                try store.createTable("Products", fields: [.init(name: "Name", type: "STRING"), .init(name: "Price", type: "CURRENCY")])
                try store.createTable("Orders", fields: [
                    .init(name: "Customer_ID", type: "INTEGER"), .init(name: "Product_ID", type: "INTEGER"),
                    .init(name: "Quantity", type: "INTEGER"), .init(name: "Shipped", type: "YES/NO"),
                ])
                for i in 1...customerCount {
                    let number = String(format: "%03d", i)
                    try store.db.query("INSERT INTO \"Customers\" (Name, State, Email) VALUES (?, ?, ?)", [
                        .text("Customer \(number)"), .text(states[(i - 1) % states.count]), .text("Customer\(number)@Example.COM"),
                    ])
                }
                for (name, price) in products {
                    try store.db.query("INSERT INTO \"Products\" (Name, Price) VALUES (?, ?)", [.text(name), .real(price)])
                }
                for i in 1...(customerCount * 2) {
                    try store.db.query("INSERT INTO \"Orders\" (Customer_ID, Product_ID, Quantity, Shipped) VALUES (?, ?, ?, ?)", [
                        .integer((i - 1) / 2 + 1), .integer((i - 1) % products.count + 1), .integer(i % 7 + 1), .integer(i % 3 == 0 ? 0 : 1),
                    ])
                }
            }
        }
    }
}
