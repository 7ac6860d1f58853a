-- Table and view handles: caspio.table / caspio.view and their methods.
local caspio, internal = ...
local native, json, usage, raise = internal.native, internal.json, internal.usage, internal.raise
local segment, where_clause, raw_mt = internal.segment, internal.where_clause, internal.raw_mt
local format = string.format

local Table = { __name = "caspio.table" }
Table.__index = Table
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

local function plain_where(where, verb, rest)
  if type(where) ~= "table" or getmetatable(where) == raw_mt then return where end
  for _, key in ipairs(OPTION_LIKE) do
    if where[key] ~= nil then
      local meant = key == "where" and type(where.where) == "table" and internal.literal(where.where) or "{State = \"CA\"}"
      usage("'%s' takes the where clause itself, not options: t:%s(%s%s), not t:%s({%s = …}%s)",
        verb, verb, meant, rest, verb, key, rest)
    end
  end
  return where
end

function Table:count(where)
  local query = { ["q.getPaginationInfo"] = true, ["q.pageNumber"] = 1, ["q.pageSize"] = 5 }
  local clause = where_clause(plain_where(where, "count", ""))
  if clause ~= "" then query["q.where"] = clause end
  local response = caspio.request("GET", self:path("/records"), { query = query })
  local pagination = type(response.json) == "table" and response.json.Pagination
  if type(pagination) ~= "table" or math.type(pagination.TotalCount) ~= "integer" then
    raise("http", "the answer has no Pagination.TotalCount", { status = response.status, request_id = response.request_id, method = "GET", url = self:path("/records") })
  end
  return pagination.TotalCount
end

local function writable(t, what)
  if t.kind == "views" then usage("%s: Caspio does not allow writing to views through the API", what) end
end
internal.writable = writable

local function guarded_where(t, where, opts, verb)
  internal.check_options(verb, opts)
  plain_where(where, verb, verb == "update" and ", fields" or "")
  -- t:delete({all = true}) would otherwise mean "WHERE all=1".
  if type(where) == "table" and getmetatable(where) ~= raw_mt and where.all == true and next(where, next(where)) == nil then
    usage("%s: {all = true} goes after the where clause: t:%s(nil, %s{all = true})", verb, verb, verb == "update" and "fields, " or "")
  end
  local clause = where_clause(where)
  if clause == "" then
    if not (opts and opts.all == true) then
      usage("refusing to %s every row of %s: give a where clause, or nil and then {all = true}: t:%s(nil, %s{all = true})",
        verb, t.name, verb, verb == "update" and "fields, " or "")
    end
    clause = "1=1"
  end
  return clause
end

--- Updates the rows matching `where`; returns RecordsAffected.
function Table:update(where, fields, opts)
  writable(self, "update")
  if type(fields) ~= "table" then usage("bad argument #2 to 'update' (table of fields expected)") end
  local clause = guarded_where(self, where, opts, "update")
  local body = caspio.put(self:path("/records"), fields, { ["q.where"] = clause })
  local affected = type(body) == "table" and body.RecordsAffected or 0
  native.count_rows(0, affected)
  return affected
end

--- Deletes the rows matching `where`; returns RecordsAffected.
function Table:delete(where, opts)
  writable(self, "delete")
  local clause = guarded_where(self, where, opts, "delete")
  local body = caspio.delete(self:path("/records"), { ["q.where"] = clause })
  local affected = type(body) == "table" and body.RecordsAffected or 0
  native.count_rows(0, affected)
  return affected
end

function Table:fields()
  local body = caspio.get(self:path("/fields"))
  return type(body) == "table" and body.Result or body
end
