-- The Lua half of the `caspio` module: what is easiest to say in Lua (errors' text, paging,
-- table handles, where clauses, the concurrency scheduler) on top of the host's primitives.
local caspio, native, json = ...

local format, concat, unpack = string.format, table.concat, table.unpack

-- Errors ------------------------------------------------------------------------------------

local error_mt = native.error_metatable
error_mt.__name = "caspio.error"
error_mt.__tostring = function(e)
  local head
  if e.kind == "http" then
    head = "HTTP " .. tostring(e.status or "?")
  elseif e.kind == "auth" then
    head = e.status and ("authentication failed (HTTP " .. e.status .. ")") or "authentication failed"
  else
    head = tostring(e.kind) .. " error"
  end
  if e.code and e.code ~= "" then head = head .. " " .. e.code end
  local context = {}
  if e.method and e.url then context[#context + 1] = e.method .. " " .. e.url
  elseif e.url then context[#context + 1] = e.url end
  if e.request_id and e.request_id ~= "" then context[#context + 1] = "request " .. e.request_id end
  local text = head .. ": " .. tostring(e.message)
  if #context > 0 then text = text .. " (" .. concat(context, ", ") .. ")" end
  if e.index then text = "item " .. e.index .. ": " .. text end
  return text
end

local function raise(kind, message, fields)
  local e = fields or {}
  e.kind, e.message = kind, message
  error(setmetatable(e, error_mt), 0)
end

local getinfo = debug.getinfo

--- Raises a usage error that points at the script's line: the first caller outside this
--- prelude (and outside C functions such as pcall). `level` is only the fallback, because a
--- fixed level is wrong as soon as the same check is reached through different paths (or
--- through a tail call).
local function usage(level, message, ...)
  local at = 2
  while true do
    local info = getinfo(at, "S")
    if info == nil then at = level + 1; break end
    if info.source ~= "=[caspio]" and info.what ~= "C" then break end
    at = at + 1
  end
  error(format(message, ...), at)
end

-- Requests ----------------------------------------------------------------------------------

local WAITING = setmetatable({}, { __name = "caspio.waiting" })
-- Coroutines run by caspio.map: their requests yield to the scheduler instead of blocking.
local scheduled = setmetatable({}, { __mode = "k" })

local function await(ticket)
  local co, main = coroutine.running()
  if not main and scheduled[co] then
    return coroutine.yield(WAITING, ticket)
  end
  local done, ok, value, http_error = native.wait(ticket)
  if done == nil then error(native.stop_message()) end
  return ok, value, http_error
end

function caspio.request(method, path, opts)
  if type(method) ~= "string" then usage(2, "bad argument #1 to 'request' (method string expected)") end
  if type(path) ~= "string" then usage(2, "bad argument #2 to 'request' (path string expected)") end
  if opts ~= nil and type(opts) ~= "table" then usage(2, "bad argument #3 to 'request' (table of options expected)") end
  local started, ticket = pcall(native.start, method, path, opts)
  if not started then
    -- A bad option is the script's mistake: say so at the script's line, not the prelude's.
    if type(ticket) == "string" then usage(2, "%s", (ticket:gsub("^%[caspio%]:%d+: ", ""))) end
    error(ticket, 0)
  end
  local ok, value, http_error = await(ticket)
  if not ok then error(value, 0) end
  if http_error and not (opts and opts.check == false) then error(http_error, 0) end
  return value
end

local function decoded(response)
  if response.json ~= nil then return response.json end
  return response
end

function caspio.get(path, query)
  return decoded(caspio.request("GET", path, { query = query }))
end

function caspio.post(path, value, query)
  return decoded(caspio.request("POST", path, { json = value, query = query }))
end

function caspio.put(path, value, query)
  return decoded(caspio.request("PUT", path, { json = value, query = query }))
end

function caspio.delete(path, query)
  return decoded(caspio.request("DELETE", path, { query = query }))
end

caspio.auth = native.auth
caspio.refresh = native.refresh
caspio.token = native.token
caspio.stats = native.stats

-- Concurrency -------------------------------------------------------------------------------

local MAX_CONCURRENCY = 16

local function concurrency_of(opts)
  local n = opts and opts.concurrency or 4
  if math.type(n) ~= "integer" or n < 1 then
    usage(3, "concurrency must be a positive integer (got %s)", tostring(n))
  end
  return math.min(n, MAX_CONCURRENCY)
end

--- Runs fn(item, index) for every item, up to `concurrency` requests in flight at once.
--- Results come back in input order. On the first error no new item starts, requests still
--- in flight are cancelled, their tasks closed, and the error is raised with its index.
function caspio.map(list, fn, opts)
  if type(list) ~= "table" then usage(2, "bad argument #1 to 'map' (list expected)") end
  if type(fn) ~= "function" then usage(2, "bad argument #2 to 'map' (function expected)") end
  local limit = concurrency_of(opts)
  local count = #list
  local results = json.array({})
  local waiting, running, next_index = {}, 0, 1
  local failure, failure_index

  local function step(co, index, ...)
    local ok, first, second = coroutine.resume(co, ...)
    if not ok then
      running = running - 1
      if failure == nil then failure, failure_index = first, index end
    elseif coroutine.status(co) == "dead" then
      running = running - 1
      results[index] = first
    elseif first == WAITING then
      waiting[second] = { co = co, index = index }
    else
      running = running - 1
      coroutine.close(co)
      if failure == nil then
        failure, failure_index = "a task yielded outside a request; resume your own coroutines inside the task", index
      end
    end
  end

  while true do
    while failure == nil and running < limit and next_index <= count do
      local index = next_index
      next_index = next_index + 1
      local co = coroutine.create(fn)
      scheduled[co] = true
      running = running + 1
      step(co, index, list[index], index)
    end
    if failure ~= nil or running == 0 then break end
    local tickets = {}
    for ticket in pairs(waiting) do tickets[#tickets + 1] = ticket end
    local ticket, ok, value, http_error = native.wait(unpack(tickets))
    if ticket == nil then error(native.stop_message()) end
    local task = waiting[ticket]
    waiting[ticket] = nil
    step(task.co, task.index, ok, value, http_error)
  end

  if failure ~= nil then
    local tickets = {}
    for ticket, task in pairs(waiting) do
      tickets[#tickets + 1] = ticket
      coroutine.close(task.co)
    end
    if #tickets > 0 then native.cancel(unpack(tickets)) end
    if getmetatable(failure) == error_mt then
      failure.index = failure_index
      error(failure, 0)
    end
    error(format("item %d: %s", failure_index, tostring(failure)), 0)
  end
  return results
end

--- Runs the functions concurrently (as caspio.map) and returns their results in order.
function caspio.parallel(functions, opts)
  if type(functions) ~= "table" then usage(2, "bad argument #1 to 'parallel' (list of functions expected)") end
  return caspio.map(functions, function(f) return f() end, opts)
end

-- Where clauses -----------------------------------------------------------------------------

local raw_mt = { __name = "caspio.where.raw" }
raw_mt.__tostring = function(r) return r.sql end

local function literal(value, field)
  local kind = type(value)
  if kind == "string" then
    return "'" .. value:gsub("'", "''") .. "'"
  elseif math.type(value) == "integer" then
    return format("%d", value)
  elseif kind == "number" then
    if value ~= value or value == math.huge or value == -math.huge then
      usage(4, "caspio.where: %s is %s, which SQL cannot compare", field, tostring(value))
    end
    -- The shortest text that reads back as the same float: 0.1, not 0.10000000000000001,
    -- which SQL Server reads as a decimal literal that a DECIMAL column's 0.10 never equals.
    local text
    for digits = 15, 17 do
      text = format("%." .. digits .. "g", value)
      if tonumber(text) == value then break end
    end
    return text
  elseif kind == "boolean" then
    return value and "1" or "0"
  elseif getmetatable(value) == raw_mt then
    return value.sql
  end
  usage(4, "caspio.where: %s has a %s value (use strings, numbers, booleans, lists, json.null or caspio.where.raw)", field, kind)
end

local function where_clause(where)
  if where == nil then return "" end
  if type(where) == "string" then return where end
  if getmetatable(where) == raw_mt then return where.sql end
  if type(where) ~= "table" then usage(3, "a where clause must be a string or a table (got %s)", type(where)) end
  local fields = {}
  for field in pairs(where) do
    if type(field) ~= "string" or not field:match("^[%a_][%w_]*$") then
      usage(3, "caspio.where: %s is not a field name", tostring(field))
    end
    fields[#fields + 1] = field
  end
  table.sort(fields)
  local parts = {}
  for _, field in ipairs(fields) do
    local value = where[field]
    if value == json.null then
      parts[#parts + 1] = field .. " IS NULL"
    elseif type(value) == "table" and getmetatable(value) ~= raw_mt then
      if #value == 0 then usage(3, "caspio.where: the list for %s is empty", field) end
      local items = {}
      for i, item in ipairs(value) do items[i] = literal(item, field) end
      parts[#parts + 1] = field .. " IN (" .. concat(items, ", ") .. ")"
    else
      parts[#parts + 1] = field .. "=" .. literal(value, field)
    end
  end
  return concat(parts, " AND ")
end

caspio.where = setmetatable({
  raw = function(sql)
    if type(sql) ~= "string" then usage(2, "bad argument #1 to 'raw' (string expected)") end
    return setmetatable({ sql = sql }, raw_mt)
  end,
}, { __call = function(_, where) return where_clause(where) end })

-- Records -----------------------------------------------------------------------------------

local function segment(name)
  return (name:gsub("[^%w%-%._~]", function(c) return format("%%%02X", c:byte()) end))
end

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
    usage(3, "pageSize must be an integer from 5 to 1000 (got %s)", tostring(size))
  end
  return size
end

--- Iterates over every row of a table (or view), one page in memory at a time.
function caspio.records(name, opts)
  if type(name) ~= "string" or name == "" then usage(2, "bad argument #1 to 'records' (table name expected)") end
  opts = opts or {}
  local size = page_size(opts)
  local limit = opts.limit
  if limit ~= nil and (math.type(limit) ~= "integer" or limit < 0) then usage(2, "limit must be a non-negative integer") end
  -- A small limit needs no large page: fetch only what it asks for (Caspio's minimum is 5).
  if limit ~= nil and opts.pageSize == nil then size = math.max(5, math.min(size, limit)) end
  local path = (opts.view and "views/" or "tables/") .. segment(name) .. "/records"
  local query = records_query(opts)
  query["q.pageSize"] = size
  local page, rows, position, seen, last_page = 0, nil, 0, 0, false
  return function()
    if limit and seen >= limit then return nil end
    if rows == nil or position >= #rows then
      if last_page then return nil end
      page = page + 1
      query["q.pageNumber"] = page
      local response = caspio.request("GET", path, { query = query })
      local result = type(response.json) == "table" and response.json.Result
      if type(result) ~= "table" then
        raise("http", "the answer has no Result list", { status = response.status, request_id = response.request_id, method = "GET", url = path })
      end
      rows, position = result, 0
      native.count_rows(#rows, 0)
      if #rows < size then last_page = true end
      if #rows == 0 then return nil end
    end
    position = position + 1
    seen = seen + 1
    return rows[position]
  end
end

-- Table handles -----------------------------------------------------------------------------

local Table = { __name = "caspio.table" }
Table.__index = Table
Table.__tostring = function(t) return format("caspio.%s(%q)", t.kind == "views" and "view" or "table", t.name) end

local function handle(kind, name)
  if type(name) ~= "string" or name == "" then usage(3, "a %s name is needed", kind == "views" and "view" or "table") end
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
  if t.kind == "views" then usage(3, "%s: Caspio does not allow writing to views through the API", what) end
end

local function is_list(value)
  return type(value) == "table" and (json.is_array(value) or (value[1] ~= nil and type(value[1]) == "table"))
end

--- Inserts a row (or a list of rows, one request each) and returns what Caspio stored.
--- An empty table is an empty list (a batch that came out empty): nothing is sent.
function Table:insert(rows)
  writable(self, "insert")
  if type(rows) ~= "table" then usage(2, "bad argument #1 to 'insert' (row or list of rows expected)") end
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
    usage(4, "%s: {all = true} goes after the where clause: t:%s(nil, %s{all = true})", verb, verb, verb == "update" and "fields, " or "")
  end
  local clause = where_clause(where)
  if clause == "" then
    if not (opts and opts.all == true) then
      usage(4, "refusing to %s every row of %s: give a where clause, or nil and then {all = true}: t:%s(nil, %s{all = true})",
        verb, t.name, verb, verb == "update" and "fields, " or "")
    end
    clause = "1=1"
  end
  return clause
end

--- Updates the rows matching `where`; returns RecordsAffected.
function Table:update(where, fields, opts)
  writable(self, "update")
  if type(fields) ~= "table" then usage(2, "bad argument #2 to 'update' (table of fields expected)") end
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

-- Files and attachments --------------------------------------------------------------------

local MIME = {
  pdf = "application/pdf", png = "image/png", jpg = "image/jpeg", jpeg = "image/jpeg", gif = "image/gif",
  txt = "text/plain", csv = "text/csv", json = "application/json", zip = "application/zip",
  xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

local function basename(path)
  return path:match("([^/]+)$") or path
end

local function read_file(path)
  local file, problem = io.open(path, "rb")
  if not file then raise("config", "cannot read " .. path .. ": " .. tostring(problem)) end
  local data = file:read("a")
  file:close()
  return data
end

-- One file as multipart/form-data, as Caspio's upload endpoints expect.
local function multipart(field, filename, data)
  local boundary = format("caspio-%08x%08x%08x", math.random(0, 0x7fffffff), math.random(0, 0x7fffffff), os.time())
  local mime = MIME[(filename:match("%.([%w]+)$") or ""):lower()] or "application/octet-stream"
  local safe_name = filename:gsub('[%c"\\]', "_")
  local body = concat({
    "--", boundary, "\r\n",
    'Content-Disposition: form-data; name="', field, '"; filename="', safe_name, '"\r\n',
    "Content-Type: ", mime, "\r\n\r\n",
    data, "\r\n--", boundary, "--\r\n",
  })
  return body, "multipart/form-data; boundary=" .. boundary
end

local function file_target(key_or_path)
  if type(key_or_path) ~= "string" or key_or_path == "" then usage(3, "a file key or a /path is needed") end
  if key_or_path:sub(1, 1) == "/" then return "files/path", { filePath = key_or_path } end
  return "files/" .. segment(key_or_path), nil
end

caspio.files = {}

--- Uploads a local file (to a folder given by its external key); overwrite = true replaces a
--- file of the same name. Returns {Name, ExternalKey}.
function caspio.files.upload(local_path, opts)
  if type(local_path) ~= "string" then usage(2, "bad argument #1 to 'upload' (local file path expected)") end
  opts = opts or {}
  local name = opts.name or basename(local_path)
  local method, field = "POST", "Files"
  if opts.overwrite then method, field = "PUT", "File" end
  local body, content_type = multipart(field, name, read_file(local_path))
  local response = caspio.request(method, "files", {
    body = body, content_type = content_type, query = opts.folder and { externalKey = opts.folder } or nil,
  })
  local result = type(response.json) == "table" and response.json.Result
  if type(result) == "table" and result[1] ~= nil then return result[1] end
  return result or response
end

--- Downloads a file (by external key, or by "/folder/name" path) to local_path, streaming it
--- to disk; the file appears only once complete. Returns local_path.
function caspio.files.download(key_or_path, local_path)
  if type(local_path) ~= "string" then usage(2, "bad argument #2 to 'download' (local file path expected)") end
  local path, query = file_target(key_or_path)
  caspio.request("GET", path, { query = query, save_to = local_path })
  return local_path
end

--- Iterates over the files of a folder (opts.folder, an external key), page by page.
function caspio.files.list(opts)
  opts = opts or {}
  local size = opts.pageSize or 100
  local query = { pageSize = size, externalKey = opts.folder, sortField = opts.sortField, sortDescending = opts.sortDescending }
  local page, items, position, last_page = 0, nil, 0, false
  return function()
    if items == nil or position >= #items then
      if last_page then return nil end
      page = page + 1
      query.pageNumber = page
      local body = caspio.get("files", query)
      items, position = (type(body) == "table" and body.Result) or {}, 0
      if #items < size then last_page = true end
      if #items == 0 then return nil end
    end
    position = position + 1
    return items[position]
  end
end

function caspio.files.info(key_or_path)
  local path, query = file_target(key_or_path)
  local body = caspio.get(path .. "/fileInfo", query)
  return type(body) == "table" and body.Result or body
end

function caspio.files.delete(key_or_path)
  local path, query = file_target(key_or_path)
  caspio.request("DELETE", path, { query = query })
  return true
end

caspio.attachments = {}

local function attachment_path(table_name, field, pk)
  if type(table_name) ~= "string" or type(field) ~= "string" then usage(3, "table and field names are needed") end
  if math.type(pk) ~= "integer" and type(pk) ~= "string" then usage(3, "the record's PK_ID is needed") end
  return "tables/" .. segment(table_name) .. "/attachments/" .. segment(field) .. "/" .. segment(tostring(pk))
end

--- Stores a local file in the attachment field of the record with PK_ID = pk.
function caspio.attachments.upload(table_name, field, pk, local_path)
  local body, content_type = multipart("File", basename(local_path), read_file(local_path))
  caspio.request("PUT", attachment_path(table_name, field, pk), { body = body, content_type = content_type })
  return true
end

--- Streams the attachment of the record with PK_ID = pk to local_path.
function caspio.attachments.download(table_name, field, pk, local_path)
  caspio.request("GET", attachment_path(table_name, field, pk), { save_to = local_path })
  return local_path
end

-- Running scripts ---------------------------------------------------------------------------

caspio.log = {}
for name, level in pairs({ trace = "trace", debug = "debug", info = "info", warn = "warning", error = "error" }) do
  caspio.log[name] = function(message, ...)
    if select("#", ...) > 0 then message = format(message, ...) end
    native.log(level, tostring(message))
  end
end

function caspio.sleep(seconds)
  if type(seconds) ~= "number" or seconds < 0 then usage(2, "bad argument #1 to 'sleep' (seconds expected)") end
  native.sleep(seconds)
end

function caspio.env(name)
  if type(name) ~= "string" then usage(2, "bad argument #1 to 'env' (variable name expected)") end
  return os.getenv(name)
end

-- Unattended runs ---------------------------------------------------------------------------

-- atexit handlers run after the script ends, however it ends (error, Ctrl-C, timeout,
-- SIGTERM); the host pops them one by one, last registered first, through the registry.
local atexit_handlers = {}

function caspio.atexit(fn)
  if type(fn) ~= "function" and not (getmetatable(fn) or {}).__call then
    usage(2, "bad argument #1 to 'atexit' (function expected)")
  end
  atexit_handlers[#atexit_handlers + 1] = fn
end

debug.getregistry()["caspio.next_atexit"] = function()
  return table.remove(atexit_handlers)
end

-- caspio.state: read once on first use (runs of one script are serialised by --lock), and
-- written back whole, atomically, on every set.
local state_values

local function state_table()
  if state_values == nil then
    local text = native.state_read()
    if text == nil or text == "" then
      state_values = {}
    else
      local ok, decoded = pcall(json.decode, text)
      if not ok or type(decoded) ~= "table" or json.is_array(decoded) then
        raise("config", "the state file " .. native.state_path() .. " does not hold a JSON object")
      end
      state_values = decoded
    end
  end
  return state_values
end

local function state_key(key, name)
  if type(key) ~= "string" then usage(3, "bad argument #1 to '%s' (string key expected)", name) end
end

caspio.state = {}

--- The value stored under key, or nil.
function caspio.state.get(key)
  state_key(key, "get")
  return state_table()[key]
end

--- Stores a JSON value under key (nil removes it) and writes the file before returning.
function caspio.state.set(key, value)
  state_key(key, "set")
  local values = state_table()
  local old = values[key]
  values[key] = value
  local ok, text = pcall(json.encode, values, { sort_keys = true })
  if not ok then
    values[key] = old
    usage(2, "caspio.state.set: %s is not a JSON value (%s)", key, tostring(text))
  end
  native.state_write(text .. "\n")
end

--- A copy of everything stored.
function caspio.state.all()
  local copy = {}
  for k, v in pairs(state_table()) do copy[k] = v end
  return copy
end

--- The path of the state file.
function caspio.state.path() return native.state_path() end

-- caspio.config is resolved on first use, so that scripts that never call the API need no
-- account configured.
setmetatable(caspio, {
  __index = function(t, key)
    if key == "config" then
      local config = native.config()
      rawset(t, "config", config)
      return config
    end
  end,
})
