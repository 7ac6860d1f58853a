-- The targets of caspio.mirror: a dialect per kind of database says how it stores Caspio's
-- types, quotes names and is opened; internal.mirror_target reads a target's text.
local caspio, internal = ...
local native, raise = internal.native, internal.raise
local format = string.format

-- A dialect: how a kind of database stores Caspio's types, quotes names, is opened, begins a
-- transaction and lists a table's columns. (mirror.lua's statements are SQLite's; most of them,
-- ON CONFLICT … DO UPDATE included, PostgreSQL reads as they are.)

local sqlite = { name = "sqlite" }

-- Caspio's field types to SQLite's column types; any other type is text.
local SQLITE_TYPES = {
  INTEGER = "INTEGER", AUTONUMBER = "INTEGER", NUMBER = "REAL", CURRENCY = "NUMERIC", ["YES/NO"] = "BOOLEAN",
  -- ISO 8601 text, as Caspio writes it and SQLite's date functions read it.
  ["DATE/TIME"] = "TIMESTAMP", TIMESTAMP = "TIMESTAMP",
}

function sqlite.column_type(caspio_type) return SQLITE_TYPES[caspio_type] or "TEXT" end

function sqlite.quote(name) return '"' .. name:gsub('"', '""') .. '"' end

function sqlite.open(location, dry_run)
  local db = native.sqlite_open(location)
  -- Readers keep reading the last committed copy while a table is rewritten.
  if not dry_run then db:exec("PRAGMA journal_mode=WAL") end
  return db
end

function sqlite.begin(db) db:exec("BEGIN IMMEDIATE") end

-- The columns of `name` in the target ({name, type} in order), or nil when it has none.
function sqlite.columns(db, name)
  local rows = db:run("SELECT name, type FROM pragma_table_info(?) ORDER BY cid", name)
  if #rows == 0 then return nil end
  local out = {}
  for i, row in ipairs(rows) do out[i] = { name = row[1], type = row[2] } end
  return out
end

--- The target a text names: `sqlite:PATH` (also `sqlite://PATH`). A text naming nothing we can
--- write is a configuration error, raised before any call to Caspio.
function internal.mirror_target(text)
  if type(text) ~= "string" or text == "" then
    raise("config", "a mirror needs a target: sqlite:PATH (e.g. sqlite:caspio.db)")
  end
  local scheme, rest = text:match("^(%a[%w+.-]*):(.*)$")
  scheme = scheme and scheme:lower()
  if scheme == "sqlite" then
    local path = rest:gsub("^//", "")
    if path == "" then raise("config", format("the target %q names no file: write sqlite:PATH (e.g. sqlite:caspio.db)", text)) end
    return { dialect = sqlite, location = path, text = text }
  end
  if scheme == "postgres" or scheme == "postgresql" then
    raise("config", format("the target %q: PostgreSQL targets are not supported yet; use sqlite:PATH", text))
  end
  raise("config", format("the target %q is not one caspio mirrors to: write sqlite:PATH (e.g. sqlite:caspio.db)", text))
end
