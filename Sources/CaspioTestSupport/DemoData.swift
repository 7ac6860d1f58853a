import Foundation

extension EmulatedCaspio {
    /// The states the demo customers live in, in the order they are handed out.
    public static let demoStates = ["CA", "NY", "TX", "WA", "OR"]

    /// An emulator seeded with the tables that examples/*.lua use (see `seedDemo`).
    public static func demo(customers: Int = 250) async throws -> EmulatedCaspio {
        let caspio = try await EmulatedCaspio.start()
        try caspio.seedDemo(customers: customers)
        return caspio
    }

    /// Adds `customers` rows to the table `Customers` (made if missing): `{PK_ID, Name, State,
    /// Email}`, with names `Customer 001`…, states cycling through `demoStates`, and e-mail
    /// addresses in mixed case (`Customer001@Example.COM`) for the examples to normalise.
    public func seedDemo(customers: Int = 250) throws {
        if try !sandbox.hasTable("Customers") {
            try createTable("Customers", fields: [("PK_ID", "AUTONUMBER"), ("Name", "STRING"), ("State", "STRING"), ("Email", "STRING")])
        }
        let rows = (1...max(1, customers)).prefix(customers).map { i -> [String: Any] in
            let number = String(format: "%03d", i)
            return ["Name": "Customer \(number)", "State": Self.demoStates[(i - 1) % Self.demoStates.count], "Email": "Customer\(number)@Example.COM"]
        }
        let json = String(decoding: try JSONSerialization.data(withJSONObject: rows, options: [.sortedKeys]), as: UTF8.self)
        try sandbox.insert(rowsJSON: json, into: "Customers")
    }
}
