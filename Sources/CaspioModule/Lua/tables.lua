-- Table and view handles: caspio.table / caspio.view and their methods.
local caspio, internal = ...
local native, json, usage, raise = internal.native, internal.json, internal.usage, internal.raise
local segment, where_clause, raw_mt = internal.segment, internal.where_clause, internal.raw_mt
local format = string.format

local Table = { __name = "caspio.table" }
-- t.id: the id the base URL's version addresses it by (v4), nil where names are the address.
Table.__index = function(t, key)
  if key == "id" then return internal.dialect().id(t.kind, t.name) end
  return Table[key]
end
internal.Table = Table -- other chunks add methods (design, attachments, passwords)
Table.__tostring = function(t) return format("caspio.%s(%q)", t.kind == "views" and "view" or "table", t.name) end

local function handle(kind, name)
  if type(name) ~= "string" or name == "" then usage("a %s name is needed", kind == "views" and "view" or "table") end
  return setmetatable({ name = name, kind = kind }, Table)
end

function caspio.table(name) return handle("tables", name) end
-- For the chunks that add methods (columns.lua, upsert.lua, export.lua).
internal.Table = Table
function caspio.view(name) return handle("views", name) end

function Table:path(suffix)
  return self.kind .. "/" .. segment(self.name) .. (suffix or "")
end

local function copy(opts)
  local out = {}
  for k, v in pairs(opts or {}) do out[k] = v end
  return out
end

local function records(t, opts)
  opts = copy(opts)
  opts.view = t.kind == "views"
  return caspio.records(t.name, opts)
end

function Table:rows(opts)
  return records(self, internal.check_options("rows", opts))
end

--- Every row, in order. Every page is wanted, so once the first has counted them the rest
--- are read `concurrency` at a time (as caspio.map's), each asked for as another arrives.
function Table:all(opts)
  opts = copy(internal.check_options("all", opts))
  opts.prefetch = math.min(opts.concurrency or 4, internal.MAX_CONCURRENCY) - 1
  opts.concurrency = nil
  local out = json.array({})
  for row in records(self, opts) do out[#out + 1] = row end
  return out
end

function Table:first(opts)
  opts = copy(internal.check_options("first", opts))
  opts.limit, opts.pageSize = 1, 5
  return records(self, opts)()
end

-- count, update and delete take the where clause itself: options there (`{where = …}`)
-- would be read as fields, and {where = {…}} is a list for "where" that Caspio cannot know.
local OPTION_LIKE = { "where", "select", "orderBy", "groupBy", "pageSize" }

local function plain_where(where, verb, rest, before)
  if type(where) ~= "table" or getmetatable(where) == raw_mt then return where end
  before = before or ""
  for _, key in ipairs(OPTION_LIKE) do
    if where[key] ~= nil then
      local meant = key == "where" and type(where.where) == "table" and internal.literal(where.where) or "{State = \"CA\"}"
      usage("'%s' takes the where clause itself, not options: t:%s(%s%s%s), not t:%s(%s{%s = …}%s)",
        verb, verb, before, meant, rest, verb, before, key, rest)
    end
  end
  return where
end

function Table:count(where)
  local dialect = internal.dialect()
  local clause = where_clause(plain_where(where, "count", ""))
  return dialect.matching(self:path("/records"), clause ~= "" and clause or nil, true)
end


--- The SQL of a write's where clause, refusing an empty one unless opts.all is true.
--- `shape` is how the call reads around the clause, for the messages: `before` the
--- arguments ahead of it (`"Photo", `), `after` those behind it (`fields, `), `what` what
--- it would do (`delete every row of Customers`), `receiver` what the call is on (`t`); by
--- default those of t:update and t:delete.
function internal.guarded_where(t, where, opts, verb, shape)
  shape = shape or {}
  local before, after = shape.before or "", shape.after or (verb == "update" and "fields, " or "")
  local what = shape.what or (verb .. " every row of " .. t.name)
  local call = (shape.receiver or "t") .. ":" .. verb
  internal.check_options(verb, opts)
  plain_where(where, verb, after ~= "" and ", " .. after:gsub(",%s*$", "") or "", before)
  -- t:delete({all = true}) would otherwise mean "WHERE all=1".
  if type(where) == "table" and getmetatable(where) ~= raw_mt and where.all == true and next(where, next(where)) == nil then
    usage("%s: {all = true} goes after the where clause: %s(%snil, %s{all = true})", verb, call, before, after)
  end
  local clause = where_clause(where)
  local every = clause ~= "" and internal.always_true(clause)
  if every and not (opts and opts.all == true) then
    usage("refusing to %s: the where clause %s is true of every row; to mean every row: %s(%snil, %s{all = true})",
      what, format("%q", clause), call, before, after)
  end
  if clause == "" or every then
    if not (opts and opts.all == true) then
      usage("refusing to %s: give a where clause, or nil and then {all = true}: %s(%snil, %s{all = true})",
        what, call, before, after)
    end
    -- Every row there is, as the caller's dialect says it (nil: none, nothing to send).
    if shape.every_row then return shape.every_row() end
    return "1=1"
  end
  return clause
end
local guarded_where = internal.guarded_where

--- The count a write's answer names (RecordsAffected, or `key`), 0 when it names none.
function internal.affected(body, key)
  local count = type(body) == "table" and body[key or "RecordsAffected"]
  return math.type(count) == "integer" and count or 0
end

-- {all = true} on a table: the dialect's clause for every row.
local function every_row(t, dialect)
  return { every_row = function() return dialect.every_row(t:path("/records")) end }
end

--- Updates the rows matching `where`; returns the count of rows affected (v3: one PUT;
--- v4: one bulk PATCH).
function Table:update(where, fields, opts)
  if type(fields) ~= "table" then usage("bad argument #2 to 'update' (table of fields expected)") end
  local dialect = internal.dialect()
  local clause = guarded_where(self, where, opts, "update", every_row(self, dialect))
  if clause == nil then return 0 end
  local affected = dialect.update_where(self:path("/records"), clause, fields)
  native.count_rows(0, affected)
  return affected
end

--- Deletes the rows matching `where`; returns the count of rows affected (v3: one DELETE;
--- v4: one bulk DELETE).
function Table:delete(where, opts)
  local dialect = internal.dialect()
  local clause = guarded_where(self, where, opts, "delete", every_row(self, dialect))
  if clause == nil then return 0 end
  local affected = dialect.delete_where(self:path("/records"), clause)
  native.count_rows(0, affected)
  return affected
end

-- By PK_ID: v4 addresses a record by it; v3 emulates that with the where clause PK_ID = pk.

local function pk_argument(pk, verb)
  if math.type(pk) == "float" and math.tointeger(pk) then pk = math.tointeger(pk) end
  if math.type(pk) ~= "integer" and not (type(pk) == "string" and pk ~= "") then
    usage("bad argument #1 to '%s' (a PK_ID expected, got %s)", verb, internal.describe(pk))
  end
  return pk
end

--- The record whose PK_ID is `pk`, or nil when there is none.
function Table:get(pk)
  return internal.dialect().record(self:path("/records"), pk_argument(pk, "get"))
end

--- Changes the fields `values` of record `pk`: 1, or 0 when no record has that PK_ID.
function Table:patch(pk, values)
  pk = pk_argument(pk, "patch")
  if type(values) ~= "table" or next(values) == nil then usage("bad argument #2 to 'patch' (table of fields expected)") end
  local affected = internal.dialect().patch_record(self:path("/records"), pk, values)
  native.count_rows(0, affected)
  return affected
end

--- Deletes record `pk`: 1, or 0 when no record has that PK_ID.
function Table:remove(pk)
  local affected = internal.dialect().remove_record(self:path("/records"), pk_argument(pk, "remove"))
  native.count_rows(0, affected)
  return affected
end

function Table:fields()
  return internal.dialect().fields(self:path("/fields"))
end
