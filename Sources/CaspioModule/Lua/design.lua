-- Design: the account's tables and views, and the fields of each (t:fields is in tables.lua).
local caspio, internal = ...
local json, usage = internal.json, internal.usage
local Table, segment, call = internal.Table, internal.segment, internal.call
local name_arg, table_arg = internal.name_arg, internal.table_arg

--- The names of the account's tables (a list).
function caspio.tables()
  return json.array(internal.dialect().names("tables"))
end

--- The names of the account's views (a list).
function caspio.views()
  return json.array(internal.dialect().names("views"))
end

--- Creates a table from {Name =, Note =, Fields = {{Name =, Type =, Unique =}, …}} and
--- returns its handle.
function caspio.create_table(def)
  table_arg(def, 1, "create_table", "a table {Name = …, Fields = {…}}")
  name_arg(def.Name, 1, "create_table", "Name, a string,")
  if type(def.Fields) ~= "table" or def.Fields[1] == nil then
    usage("create_table: Fields must be a list of field definitions, e.g. {{Name = \"Title\", Type = \"STRING\"}}")
  end
  -- Caspio gives every table its PK_ID (AUTONUMBER) itself, and a table has one AUTONUMBER.
  for _, field in ipairs(def.Fields) do
    if type(field) == "table" and field.Type == "AUTONUMBER" and tostring(field.Name):upper() ~= "PK_ID" then
      usage("create_table: Caspio adds PK_ID (AUTONUMBER) to every table itself, and a table has one AUTONUMBER field: make %s an INTEGER, or use PK_ID", tostring(field.Name))
    end
  end
  caspio.request("POST", "tables", { json = def })
  return caspio.table(def.Name)
end

--- The table's (or view's) design: {Name, Note, …}.
function Table:design()
  return call("GET", self:path())
end

--- One field's definition: {Name, Type, Unique, Label, Description, …}.
function Table:field(name)
  name_arg(name, 1, "field", "field name")
  return call("GET", self:path("/fields/" .. segment(name)))
end

-- Views' fields come from their tables: Caspio changes them only in its own designer.
local function designable(t, what)
  if t.kind == "views" then
    usage("%s: a view's fields are its tables' fields; change the table (caspio.table(...):%s) or the view in Caspio", what, what)
  end
end

--- Adds a field {Name =, Type =, Unique =, Label =, Description =}.
function Table:add_field(def)
  designable(self, "add_field")
  table_arg(def, 1, "add_field", "a field definition {Name = …, Type = …}")
  name_arg(def.Name, 1, "add_field", "Name, a string,")
  caspio.request("POST", self:path("/fields"), { json = def })
  return true
end

--- Changes a field: {Name =, Label =, Description =, Unique =} (Caspio refuses a new Type).
function Table:update_field(name, changes)
  designable(self, "update_field")
  name_arg(name, 1, "update_field", "field name")
  table_arg(changes, 2, "update_field", "a table of changes")
  caspio.request("PUT", self:path("/fields/" .. segment(name)), { json = changes })
  return true
end

--- Deletes a field and its data.
function Table:delete_field(name)
  designable(self, "delete_field")
  name_arg(name, 1, "delete_field", "field name")
  caspio.request("DELETE", self:path("/fields/" .. segment(name)))
  return true
end
