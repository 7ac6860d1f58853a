-- Files: upload a small generated CSV, find it in the listing, download it back, delete it.
-- Run it: caspio run --sandbox examples/files.lua [FOLDER_KEY]  (without --sandbox: CASPIO_* set; the root
-- folder when no folder's external key is given). It reads the table Customers (Name, State).
local folder = arg[1]

local function csv(value)
  value = tostring(value)
  if value:find('[,"\r\n]') then value = '"' .. value:gsub('"', '""') .. '"' end
  return value
end

-- A small report in a temporary file.
local lines = { "Name,State" }
for row in caspio.table("Customers"):rows({ select = { "Name", "State" }, orderBy = "Name", limit = 10 }) do
  lines[#lines + 1] = csv(row.Name) .. "," .. csv(row.State)
end
local content = table.concat(lines, "\r\n") .. "\r\n"
local source = os.tmpname()
local f = assert(io.open(source, "wb"))
f:write(content)
f:close()

-- Upload it under a name of our own (the temporary file's name means nothing).
local name = ("caspio-example-%d.csv"):format(os.time())
local uploaded = caspio.files.upload(source, { name = name, folder = folder })
print("uploaded", uploaded.Name, uploaded.ExternalKey)

-- list iterates over the folder's files, page by page.
local found
for file in caspio.files.list({ folder = folder }) do
  if file.ExternalKey == uploaded.ExternalKey then found = file end
end
assert(found and found.Size == #content, "the upload is not in the listing")
assert(caspio.files.info(uploaded.ExternalKey).Name == name)

-- download streams to disk; the file appears only once it is complete.
local copy = os.tmpname()
caspio.files.download(uploaded.ExternalKey, copy)
local g = assert(io.open(copy, "rb"))
local back = g:read("a")
g:close()
assert(back == content, "the download differs from the upload")
print(("downloaded %d bytes, identical"):format(#back))

caspio.files.delete(uploaded.ExternalKey)
os.remove(source)
os.remove(copy)
