-- Paged listings: the one pager, caspio.records on it, and table handles.
local caspio, internal = ...
local native, json, usage, raise = internal.native, internal.json, internal.usage, internal.raise
local segment, where_clause, raw_mt = internal.segment, internal.where_clause, internal.raw_mt
local format, concat = string.format, table.concat

--- The page loop behind every paged listing, as an iterator that holds one page at a time.
--- spec.request(n) asks for page n (from 1) and returns the answer; spec.items(answer, n)
--- returns the answer's list. A page shorter than spec.size is the last: no request is made
--- for the empty page after it. spec.limit (optional) ends the listing after that many
--- items, without asking for another page; spec.count_rows adds the items to rows_read.
function internal.pager(spec)
  local size, limit = spec.size, spec.limit
  local number, items, position, seen, last = 0, nil, 0, 0, false
  return function()
    if limit and seen >= limit then return nil end
    if items == nil or position >= #items then
      if last then return nil end
      number = number + 1
      items, position = spec.items(spec.request(number), number), 0
      if spec.count_rows then native.count_rows(#items, 0) end
      if #items < size then last = true end
      if #items == 0 then return nil end
    end
    position = position + 1
    seen = seen + 1
    return items[position]
  end
end

--- A response's json.Result list; anything else is an HTTP error naming the request.
function internal.result_list(response, path)
  local result = type(response.json) == "table" and response.json.Result
  if type(result) ~= "table" then
    raise("http", "the answer has no Result list", { status = response.status, request_id = response.request_id, method = "GET", url = path })
  end
  return result
end

-- Records -----------------------------------------------------------------------------------

local function list_text(value)
  if type(value) == "table" then return concat(value, ",") end
  return value
end

local function records_query(opts)
  local query = {}
  local where = where_clause(opts.where)
  if where ~= "" then query["q.where"] = where end
  if opts.select then query["q.select"] = list_text(opts.select) end
  if opts.orderBy then query["q.orderBy"] = list_text(opts.orderBy) end
  if opts.groupBy then query["q.groupBy"] = list_text(opts.groupBy) end
  return query
end

local function page_size(opts)
  local size = opts.pageSize or 1000
  if math.type(size) ~= "integer" or size < 5 or size > 1000 then
    usage("pageSize must be an integer from 5 to 1000 (got %s)", tostring(size))
  end
  return size
end

--- Iterates over every row of a table (or view), one page in memory at a time.
function caspio.records(name, opts)
  if type(name) ~= "string" or name == "" then usage("bad argument #1 to 'records' (table name expected)") end
  opts = opts or {}
  local size = page_size(opts)
  local limit = opts.limit
  if limit ~= nil and (math.type(limit) ~= "integer" or limit < 0) then usage("limit must be a non-negative integer") end
  -- A small limit needs no large page: fetch only what it asks for (Caspio's minimum is 5).
  if limit ~= nil and opts.pageSize == nil then size = math.max(5, math.min(size, limit)) end
  local path = (opts.view and "views/" or "tables/") .. segment(name) .. "/records"
  local query = records_query(opts)
  query["q.pageSize"] = size
  return internal.pager({
    size = size, limit = limit, count_rows = true,
    request = function(number)
      query["q.pageNumber"] = number
      return caspio.request("GET", path, { query = query })
    end,
    items = function(response) return internal.result_list(response, path) end,
  })
end

-- Table handles -----------------------------------------------------------------------------

local Table = { __name = "caspio.table" }
Table.__index = Table
Table.__tostring = function(t) return format("caspio.%s(%q)", t.kind == "views" and "view" or "table", t.name) end

local function handle(kind, name)
  if type(name) ~= "string" or name == "" then usage("a %s name is needed", kind == "views" and "view" or "table") end
  return setmetatable({ name = name, kind = kind }, Table)
end

function caspio.table(name) return handle("tables", name) end
function caspio.view(name) return handle("views", name) end

function Table:path(suffix)
  return self.kind .. "/" .. segment(self.name) .. (suffix or "")
end

local function copy(opts)
  local out = {}
  for k, v in pairs(opts or {}) do out[k] = v end
  return out
end

function Table:rows(opts)
  opts = copy(opts)
  opts.view = self.kind == "views"
  return caspio.records(self.name, opts)
end

function Table:all(opts)
  local out = json.array({})
  for row in self:rows(opts) do out[#out + 1] = row end
  return out
end

function Table:first(opts)
  opts = copy(opts)
  opts.limit, opts.pageSize = 1, 5
  return self:rows(opts)()
end

function Table:count(where)
  local query = { ["q.getPaginationInfo"] = true, ["q.pageNumber"] = 1, ["q.pageSize"] = 5 }
  local clause = where_clause(where)
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

local function is_list(value)
  return type(value) == "table" and (json.is_array(value) or (value[1] ~= nil and type(value[1]) == "table"))
end

--- Inserts a row (or a list of rows, one request each) and returns what Caspio stored.
--- An empty table is an empty list (a batch that came out empty): nothing is sent.
function Table:insert(rows)
  writable(self, "insert")
  if type(rows) ~= "table" then usage("bad argument #1 to 'insert' (row or list of rows expected)") end
  if next(rows) == nil then return json.array({}) end
  local single = not is_list(rows)
  local list = single and { rows } or rows
  local inserted = json.array({})
  for i, row in ipairs(list) do
    local response = caspio.request("POST", self:path("/records"), { json = row, query = { response = "rows" } })
    local result = type(response.json) == "table" and response.json.Result
    inserted[i] = type(result) == "table" and result[1] or row
    native.count_rows(0, 1)
  end
  if single then return inserted[1] end
  return inserted
end

local function guarded_where(t, where, opts, verb)
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
