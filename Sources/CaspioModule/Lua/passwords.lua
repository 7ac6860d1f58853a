-- Password fields: Caspio sets and clears them only here, never through records. A value
-- handed to set_password is registered as a secret first, so no log line or message shows it.
local caspio, internal = ...
local usage, format = internal.usage, string.format
local Table, name_arg = internal.Table, internal.name_arg

local function password_table(t, what)
  if t.kind == "views" then usage("%s: password fields belong to tables; use caspio.table(...):%s", what, what) end
end

--- The names of the table's password fields (a list).
function Table:password_fields()
  password_table(self, "password_fields")
  return internal.dialect().password_fields(self:path())
end

local function shape(t, field, what, after)
  return { before = format("%q, ", field), after = after, what = format("%s the %s of every row of %s", what, field, t.name) }
end

--- Sets the password in `field` of the rows matching `where`; returns RecordsAffected.
function Table:set_password(field, where, value, opts)
  password_table(self, "set_password")
  name_arg(field, 1, "set_password", "password field name")
  if type(value) ~= "string" or value == "" then
    usage("bad argument #3 to 'set_password' (the password, a non-empty string, expected; got %s)", type(value))
  end
  internal.secret(value)
  local clause = internal.guarded_where(self, where, opts, "set_password", shape(self, field, "set", "value, "))
  return internal.dialect().set_passwords(self:path(), field, clause, value)
end

--- Clears the password in `field` of the rows matching `where`; returns RecordsAffected.
function Table:clear_password(field, where, opts)
  password_table(self, "clear_password")
  name_arg(field, 1, "clear_password", "password field name")
  local clause = internal.guarded_where(self, where, opts, "clear_password", shape(self, field, "clear", ""))
  return internal.dialect().set_passwords(self:path(), field, clause, nil)
end
