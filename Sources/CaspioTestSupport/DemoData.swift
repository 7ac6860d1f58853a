import Foundation

extension FakeCaspio {
    /// The states the demo customers live in, in the order they are handed out.
    public static let demoStates = ["CA", "NY", "TX", "WA", "OR"]

    /// A fake seeded with the tables that examples/*.lua use (see `seedDemo`).
    public static func demo(customers: Int = 250) throws -> FakeCaspio {
        let fake = try FakeCaspio()
        fake.seedDemo(customers: customers)
        return fake
    }

    /// Adds `customers` rows to the table `Customers`: `{PK_ID, Name, State, Email}`, with
    /// names `Customer 001`…, states cycling through `demoStates`, and e-mail addresses in
    /// mixed case (`Customer001@Example.COM`) for the examples to normalise.
    public func seedDemo(customers: Int = 250) {
        state.withLockedValue { s in
            var rows = s.records.tables["Customers"] ?? []
            for i in stride(from: 1, through: customers, by: 1) {
                let number = String(format: "%03d", i)
                rows.append([
                    "PK_ID": .int(s.records.nextID), "Name": .string("Customer \(number)"),
                    "State": .string(Self.demoStates[(i - 1) % Self.demoStates.count]),
                    "Email": .string("Customer\(number)@Example.COM"),
                ])
                s.records.nextID += 1
            }
            s.records.tables["Customers"] = rows
        }
    }
}
