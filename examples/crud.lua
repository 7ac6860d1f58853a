-- Create, read, update and delete rows through a table handle.
-- Run it: caspio run --sandbox examples/crud.lua  (without --sandbox: your account, CASPIO_* set)
-- It works on the table Customers (Name, State, Email) and removes the rows it adds.
local customers = caspio.table("Customers")
local before = customers:count()

-- insert: a row, or a list of rows (one request each); returns them as Caspio stored them.
local ada = customers:insert({ Name = "Ada Lovelace", State = "CA", Email = "ada@example.com" })
print("inserted", ada.PK_ID, ada.Name)
local more = customers:insert({
  { Name = "Grace Hopper", State = "NY", Email = "grace@example.com" },
  { Name = "Kate O'Neil", State = "NY", Email = "kate@example.com" },
})
assert(#more == 2)

-- Where tables are quoted for you: the name becomes 'Kate O''Neil'.
local kate = customers:first({ where = { Name = "Kate O'Neil" } })
assert(kate and kate.Email == "kate@example.com")

-- update changes the rows that match and returns how many did.
assert(customers:update({ PK_ID = ada.PK_ID }, { State = "WA" }) == 1)
assert(customers:first({ where = { PK_ID = ada.PK_ID } }).State == "WA")

-- A missing where clause is refused rather than taken as "every row".
local ok, err = pcall(customers.delete, customers)
assert(not ok)
print("refused: " .. tostring(err):match("refusing.*"))

-- A list becomes IN (...): one request deletes all three.
local deleted = customers:delete({ PK_ID = { ada.PK_ID, more[1].PK_ID, more[2].PK_ID } })
assert(deleted == 3)
assert(customers:count() == before)
print(("deleted %d; back to %d rows"):format(deleted, before))
