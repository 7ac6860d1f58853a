-- Views and attachments: read a view like a table, write through a one-table view, and
-- keep the files of a FILE field (download, upload, list, rename, delete).
-- Run it: caspio run --sandbox examples/views-and-attachments.lua  (without --sandbox: CASPIO_* set;
-- it needs the sandbox's tables Customers and Staff (Photo FILE field) and views NewYorkCustomers, CaliforniaOrders).

-- A view reads like a table: count, first, rows, all.
local ny = caspio.view("NewYorkCustomers")
print(("%d customers in NY; the first by name is %s"):format(ny:count(), ny:first({ orderBy = "Customers_Name" }).Customers_Name))

-- Caspio lets a script write through a view of one table; a join's refusal is its error.
ny:update({ Customers_Name = "Customer 002" }, { Customers_Email = "customer002@example.com" })
local ok, refusal = pcall(function()
  caspio.view("CaliforniaOrders"):update({ Customers_Name = "Customer 001" }, { Orders_Quantity = 1 })
end)
print("a join refuses writes:", not ok and refusal.status)

-- One record's attachment: download streams to disk, atomically.
local staff = caspio.table("Staff")
local photo = staff:attachment("Photo", 1)
photo:download("ada.txt")
print("downloaded", photo:info().FileName)

-- Upload a file as record 2's attachment, then list and rename.
local f = assert(io.open("ben.txt", "wb"))
f:write("a photo of Ben")
f:close()
staff:attachment("Photo", 2):upload("ben.txt")
staff:set_attachment_info("Photo", { PK_ID = 2 }, { FileName = "ben-2024.txt" })
for info in staff:attachments("Photo") do print("attachment", info.PK_ID, info.FileName, info.Size) end

-- Delete the attachments of chosen records (the records stay); no where clause is refused.
print("deleted", staff:delete_attachments("Photo", { PK_ID = 2 }))
os.remove("ada.txt")
os.remove("ben.txt")
