import Foundation

/// The built-in demo: Customers, Products and Orders as they have always been (tests and
/// examples depend on their exact contents), and the rest of an account (docs/sandbox.md).
extension Seed {

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
    static func loadDemo(into store: Store, staffTable: Bool) throws {
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
        try apply(extras(staffTable: staffTable), to: store, origin: "the demo")
    }

    /// Fixed ids, so that scripts and docs can name the demo's objects.
    static func id(_ n: Int) -> String { String(format: "00000000-0000-4000-8000-%012d", n) }

    /// Everything but the three tables, as a seed document. `staffTable` adds the Staff table
    /// (FILE, PASSWORD, LIST and TIMESTAMP fields; `Updated` is stamped on insert and update).
    static func extras(staffTable: Bool) -> JSON {
        let staff = """
            "Tables": [{"Name": "Staff", "Fields": [
                {"Name": "Name", "Type": "STRING"}, {"Name": "Email", "Type": "STRING", "Unique": true},
                {"Name": "Joined", "Type": "DATE/TIME"}, {"Name": "Skills", "Type": "LIST-STRING"},
                {"Name": "Photo", "Type": "FILE"}, {"Name": "Password", "Type": "PASSWORD"},
                {"Name": "Updated", "Type": "TIMESTAMP", "OnInsert": true, "OnUpdate": true}],
              "Rows": [
                {"Name": "Ada Park", "Email": "ada@example.com", "Joined": "2021-03-01T00:00:00", "Skills": {"1": "SQL", "2": "Lua"}, "Password": "demo-ada", "Updated": "2024-01-05T09:00:00"},
                {"Name": "Ben Ortiz", "Email": "ben@example.com", "Joined": "2022-07-15T09:30:00", "Skills": {"1": "Support"}, "Password": "demo-ben", "Updated": "2024-01-05T09:00:00"},
                {"Name": "Cy Tan", "Email": "cy@example.com", "Joined": "2024-01-05T00:00:00", "Skills": {}, "Password": "demo-cy", "Updated": "2024-01-05T09:00:00"}]}],
            "Attachments": [{"Table": "Staff", "Field": "Photo", "PK_ID": 1, "Name": "ada.txt", "ContentType": "text/plain", "Text": "a photo of Ada"}],
            """
        let staffView = """
            ,
              {"Name": "StaffPhotos", "Tables": ["Staff"], "Fields": ["Staff.Name", "Staff.Photo"], "Note": "Attachments through a view"}
            """
        let text = """
            {\(staffTable ? staff : "")
            "Views": [
              {"Name": "CaliforniaOrders", "Tables": ["Customers", "Orders"], "Join": "Orders.Customer_ID = Customers.PK_ID",
               "Where": "Customers.State = 'CA'", "Fields": ["Customers.Name", "Customers.Email", "Orders.Quantity", "Orders.Shipped"],
               "Note": "Orders of customers in CA: a join, read-only"},
              {"Name": "NewYorkCustomers", "Tables": ["Customers"], "Where": "Customers.State = 'NY'",
               "Fields": ["Customers.Name", "Customers.Email"], "Note": "One table: writable"}\(staffTable ? staffView : "")],
            "Folders": [
              {"Name": "Reports", "ExternalKey": "\(id(101))", "Files": [{"Name": "readme.txt", "ExternalKey": "\(id(111))", "Text": "Exports land here."}],
               "Folders": [{"Name": "2024", "ExternalKey": "\(id(102))", "Files": [{"Name": "q1.csv", "ExternalKey": "\(id(112))", "ContentType": "text/csv", "Text": "Quarter,Orders\\r\\nQ1,120\\r\\n"}]}]},
              {"Name": "Imports", "ExternalKey": "\(id(103))", "Files": [
                {"Name": "new-products.csv", "ExternalKey": "\(id(113))", "ContentType": "text/csv", "Text": "Name,Price\\r\\nGlue stick,2.1\\r\\nScissors,6.5\\r\\n"}]}],
            "Webhooks": [{"Id": "\(id(201))", "Name": "Order changes", "Description": "Posts order changes to a local listener",
              "OutgoingUrls": ["http://127.0.0.1:9/caspio-webhook"], "CallThrottling": 5, "Secret": "demo-webhook-secret", "Enabled": false,
              "Events": [{"Id": "\(id(202))", "EventType": "table.recordInsert", "ObjectName": "Orders"},
                         {"Id": "\(id(203))", "EventType": "table.recordUpdate", "ObjectName": "Orders", "ObjectFields": ["Shipped"]}]}],
            "Tasks": [
              {"ExternalKey": "\(id(301))", "Name": "Export customers", "Kind": "Export", "Table": "Customers", "Folder": "/Reports",
               "FileName": "customers.csv", "Status": "Active", "TaskTimeZone": "UTC", "Frequency": "Daily", "Note": "Customers to /Reports/customers.csv"},
              {"ExternalKey": "\(id(302))", "Name": "Import new products", "Kind": "Import", "Table": "Products", "Folder": "/Imports",
               "FileName": "new-products.csv", "Status": "Active", "TaskTimeZone": "UTC", "Frequency": "Manual", "Note": "/Imports/new-products.csv into Products"}],
            "Applications": [{"ExternalKey": "\(id(401))", "AppName": "Order Desk", "DateCreated": "2024-01-05T09:00:00", "DateModified": "2024-01-05T09:00:00",
              "DataPages": [
                {"AppKey": "\(id(402))", "Name": "Customer search", "Type": "Search and Report", "Path": "/Order Desk/Customer search", "Deployed": true,
                 "DateCreated": "2024-01-05T09:00:00", "DateModified": "2024-01-05T09:00:00", "CreatedBy": "sandbox", "ModifiedBy": "sandbox", "Note": null},
                {"AppKey": "\(id(403))", "Name": "Order form", "Type": "Submission Form", "Path": "/Order Desk/Order form", "Deployed": false,
                 "DateCreated": "2024-01-05T09:00:00", "DateModified": "2024-01-05T09:00:00", "CreatedBy": "sandbox", "ModifiedBy": "sandbox", "Note": null}]}],
            "FlexApplications": [{"Id": "\(id(601))", "Name": "Field Sales", "DateCreated": "2026-07-02T09:00:00", "Note": "A Flex app: listed, read, never deleted"}],
            "Directories": [{"Id": "\(id(501))", "Name": "Customer portal", "Users": [
              {"UserGUID": "\(id(511))", "Email": "ann@example.com", "FirstName": "Ann", "LastName": "Lee", "Status": "Active", "DateCreated": "2024-01-05T09:00:00"},
              {"UserGUID": "\(id(512))", "Email": "bo@example.com", "FirstName": "Bo", "LastName": "Kim", "Status": "Inactive", "DateCreated": "2024-01-06T09:00:00"},
              {"UserGUID": "\(id(513))", "Email": "cal@example.com", "FirstName": "Cal", "LastName": "Ruiz", "Status": "Inactive", "DateCreated": "2024-01-07T09:00:00"}]}]
            }
            """
        return JSON.parse(Array(text.utf8))!
    }
}
