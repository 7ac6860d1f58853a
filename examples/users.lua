-- Users: sync a directory from a table. Every row of Staff gets a user in the directory
-- (added, then activated); users whose e-mail is in no row are deactivated.
-- Run it: caspio run --sandbox examples/users.lua [DIRECTORY_ID]  (without --sandbox: CASPIO_* set;
-- the first directory when none is given). It reads the table Staff (Name, Email).
local directory_id = arg[1] or caspio.directories()[1].Id
local directory = caspio.directory(directory_id)

-- The users there are, by e-mail (lower-case: e-mail addresses compare so).
local users = {}
for user in directory:users({ select = { "UserGUID", "Email", "Status" } }) do users[user.Email:lower()] = user end

local wanted, added, activated = {}, 0, 0
for row in caspio.table("Staff"):rows({ select = { "Name", "Email" } }) do
  local email = row.Email:lower()
  wanted[email] = true
  local user = users[email]
  if user == nil then
    local first, last = row.Name:match("^(%S+)%s*(.*)$")
    user = directory:add({ Email = email, FirstName = first, LastName = last })
    added = added + 1
  end
  if user.Status ~= "Active" then
    directory:activate(user.UserGUID, { send_email = false })
    activated = activated + 1
  end
end

-- Users no row wants any more: set Inactive, in one request.
local gone = {}
for email, user in pairs(users) do
  if not wanted[email] and user.Status == "Active" then gone[#gone + 1] = user.UserGUID end
end
local deactivated = #gone > 0 and directory:update({ UserGUID = gone }, { Status = "Inactive" }) or 0
print(("added %d, activated %d, deactivated %d"):format(added, activated, deactivated))
