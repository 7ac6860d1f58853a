-- The targets of caspio.mirror: a dialect per kind of database says how it stores Caspio's
-- types, quotes names and is opened; internal.mirror_target reads a target's text.
local caspio, internal = ...
local native, raise = internal.native, internal.raise
local format = string.format

-- A dialect: how a kind of database stores Caspio's types, quotes names, is opened, begins a
-- transaction, lists a table's columns and finishes renaming a table. mirror.lua's statements
-- are the SQL both read (ON CONFLICT … DO UPDATE, IS DISTINCT FROM, `?` parameters, which a
-- PostgreSQL connection numbers itself).

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

function sqlite.renamed() end

local postgres = { name = "postgres" }

-- Caspio's field types to PostgreSQL's, written as its catalog names them (format_type), so
-- that a column's type compares with the field's; any other type is text.
local POSTGRES_TYPES = {
  INTEGER = "bigint", AUTONUMBER = "bigint", NUMBER = "double precision", CURRENCY = "numeric", ["YES/NO"] = "boolean",
  -- Caspio's dates are naive wall-clock times.
  ["DATE/TIME"] = "timestamp without time zone", TIMESTAMP = "timestamp without time zone",
}

function postgres.column_type(caspio_type) return POSTGRES_TYPES[caspio_type] or "text" end

postgres.quote = sqlite.quote

function postgres.open(location) return native.postgres_open(location) end

function postgres.begin(db) db:exec("BEGIN") end

function postgres.columns(db, name)
  local rows = db:run([[SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute
    WHERE attrelid = to_regclass(?) AND attnum > 0 AND NOT attisdropped ORDER BY attnum]], postgres.quote(name))
  if #rows == 0 then return nil end
  local out = {}
  for i, row in ipairs(rows) do out[i] = { name = row[1], type = row[2] } end
  return out
end

-- A renamed table keeps its primary key's index name (NAME__caspio_new_pkey), which the next
-- copy's new table would take again: it becomes NAME_pkey, as if made under its name.
function postgres.renamed(db, name)
  local rows = db:run([[SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
    WHERE i.indrelid = to_regclass(?) AND i.indisprimary]], postgres.quote(name))
  if rows[1] and rows[1][1] ~= name .. "_pkey" then
    db:exec(format("ALTER INDEX %s RENAME TO %s", postgres.quote(rows[1][1]), postgres.quote(name .. "_pkey")))
  end
end

local TARGETS = "sqlite:PATH or postgres://USER@HOST/DATABASE"

--- The target a text names: `sqlite:PATH` (also `sqlite://PATH`) or a `postgres://` URL,
--- read as --store reads one. A text naming nothing we can write is a configuration error,
--- raised before any call to Caspio.
function internal.mirror_target(text)
  if type(text) ~= "string" or text == "" then
    raise("config", "a mirror needs a target: " .. TARGETS .. " (e.g. sqlite:caspio.db)")
  end
  local scheme, rest = text:match("^(%a[%w+.-]*):(.*)$")
  scheme = scheme and scheme:lower()
  if scheme == "sqlite" then
    local path = rest:gsub("^//", "")
    if path == "" then raise("config", format("the target %q names no file: write sqlite:PATH (e.g. sqlite:caspio.db)", text)) end
    return { dialect = sqlite, location = path, text = text }
  end
  if scheme == "postgres" or scheme == "postgresql" then
    return { dialect = postgres, location = text, text = text }
  end
  -- A password in the text (scheme://user:password@host) is never shown.
  local shown = text:gsub("^([^/]*//[^/@:]*):[^/@]*@", "%1:***@")
  raise("config", format("the target %q is not one caspio mirrors to: write %s (e.g. sqlite:caspio.db)", shown, TARGETS))
end
