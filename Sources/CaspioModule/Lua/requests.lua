-- Requests (caspio.request and its shorthands) and the caspio.map scheduler.
local caspio, internal = ...
local native, json, usage = internal.native, internal.json, internal.usage
local format, unpack = string.format, table.unpack

--- A name as one URL path segment: a table called "a/b" must not become two segments.
function internal.segment(name)
  return (name:gsub("[^%w%-%._~]", function(c) return format("%%%02X", c:byte()) end))
end

local WAITING = setmetatable({}, { __name = "caspio.waiting" })
-- Coroutines run by caspio.map: their requests yield to the scheduler instead of blocking.
local scheduled = setmetatable({}, { __mode = "k" })

local function await(ticket)
  local co, main = coroutine.running()
  if not main and scheduled[co] then
    return coroutine.yield(WAITING, ticket)
  end
  local done = native.wait(ticket)
  if done == nil then error(native.stop_message()) end
  return done.ok, done.value, done.http_error
end

-- A 404 for a table, view or field that does not exist names the nearest ones that do: the
-- listing is asked once per run, and only after such an error.
local listings = {}

local function names_in(listing)
  if listings[listing] == nil then
    listings[listing] = false
    local ok, response = pcall(caspio.request, "GET", listing, { check = false })
    local result = ok and response.status == 200 and type(response.json) == "table" and response.json.Result
    if type(result) == "table" then
      local names = {}
      for _, item in ipairs(result) do
        local name = type(item) == "table" and item.Name or item
        if type(name) == "string" then names[#names + 1] = name end
      end
      listings[listing] = names
    end
  end
  return listings[listing] or nil
end

local function decoded(segment)
  return (segment:gsub("%%(%x%x)", function(hex) return string.char(tonumber(hex, 16)) end))
end

-- " (did you mean 'Customers'?)", or the names there are when none is near.
local function missing(what, name, listing)
  local names = names_in(listing)
  -- A listing that could not be read, or that is empty, tells nothing.
  if names == nil or #names == 0 then return nil end
  for _, known in ipairs(names) do
    if known == name then return nil end
  end
  local near = native.nearest(name, unpack(names))
  if near ~= "" then return near end
  local shown = {}
  for i = 1, math.min(#names, 10) do shown[i] = names[i] end
  return format(" (no %s '%s'; the %ss are: %s%s)", what, name, what, table.concat(shown, ", "), #names > 10 and ", …" or "")
end

local function explain_not_found(e, path)
  local v2 = internal.v2_hint and internal.v2_hint(path)
  if v2 then e.message = e.message .. v2 return end
  local kind, name, rest = path:gsub("^/+", ""):match("^(%a+)/([^/?]+)(.*)$")
  if kind ~= "tables" and kind ~= "views" then return end
  local what = kind == "tables" and "table" or "view"
  local hint = missing(what, decoded(name), kind)
  -- A view asked for as a table (or the reverse) says so, rather than listing the others:
  -- the other listing is asked (once per run) only when no name is near.
  local other = kind == "tables" and "views" or "tables"
  for _, known in ipairs(hint and hint:find("^ %(no ") and names_in(other) or {}) do
    if known == decoded(name) then
      hint = other == "views"
        and format(" (%s is a view: read it with caspio.view(%q), or caspio export --view)", known, known)
        or format(" (%s is a table: use caspio.table(%q))", known, known)
      break
    end
  end
  local field = rest:match("^/fields/([^/?]+)")
  if hint == nil and field then hint = missing("field", decoded(field), kind .. "/" .. name .. "/fields") end
  if hint then e.message = e.message .. hint end
end

--- The hook before sending: nil, or a function(method, path, opts) that every request of the
--- module passes, its options checked, before it is sent. It returns nil to let the request
--- go, or a response table that answers it instead (dry runs, dryrun.lua, answer writes so).
internal.before_send = nil

-- Caspio's message naming a field it rejected: SQL Server's "Invalid column name 'X'", the
-- sandbox's SQLite "no such column: X", or "field 'X'".
local FIELD_PATTERNS = { "[Cc]olumn name '([^']+)'", "no such column: ([%w_]+)", "[Ff]ield '([^']+)'", "[Cc]olumn '([^']+)'" }

-- A 4xx or 500 naming a field: which clause of the request had it (q.where… on v3, or the
-- body), and the nearest fields the table or view has when it has no such field.
local function explain_rejected_field(e, pending)
  local kind, name = pending.path:gsub("^/+", ""):match("^(%a+)/([^/?]+)/records")
  if kind ~= "tables" and kind ~= "views" then return end
  local message, field = tostring(e.message), nil
  for _, pattern in ipairs(FIELD_PATTERNS) do
    field = message:match(pattern)
    if field then break end
  end
  if not field then return end
  local clauses = {}
  for key, value in pairs(pending.query or {}) do
    if type(key) == "string" and internal.dialect().is_clause(key) and tostring(value):find(field, 1, true) then clauses[#clauses + 1] = key end
  end
  table.sort(clauses)
  if #clauses == 0 and pending.has_body then clauses[1] = "the body" end
  local where = #clauses > 0 and ("in " .. table.concat(clauses, " and ")) or nil
  local hint = missing("field", field, kind .. "/" .. name .. "/fields")
  if hint and where then
    e.message = message .. " (" .. where .. "; " .. hint:gsub("^ %(", "")
  elseif hint then
    e.message = message .. hint
  elseif where then
    e.message = message .. " (" .. where .. ")"
  end
end

--- Starts a request and returns at once: the pending request, for internal.receive (the
--- pager asks for pages ahead this way). native.cancel(pending.ticket) abandons it.
function internal.send(method, path, opts)
  -- Which options and their kinds are checked here; native.start checks the arguments and
  -- what is inside the options (query values, JSON), and raises at the script's line.
  internal.check_options("request", opts)
  -- The base URL's version: ids for names on v4, and its refusals, before anything is sent.
  if type(path) == "string" then path = internal.dialect().outgoing(method, path) end
  if opts and type(opts.json) == "table" then
    local body = internal.dates_as_text(opts.json)
    if body ~= opts.json then
      local copy = {}
      for k, v in pairs(opts) do copy[k] = v end
      copy.json, opts = body, copy
    end
  end
  if internal.before_send then
    local answer = internal.before_send(method, path, opts)
    if answer ~= nil then return { answer = answer, path = path } end
  end
  return {
    ticket = native.start(method, path, opts), path = path, check = not (opts and opts.check == false),
    query = opts and opts.query, has_body = opts ~= nil and (opts.json ~= nil or opts.body ~= nil),
  }
end

--- Waits for a pending request: its response, or its error raised.
function internal.receive(pending)
  if pending.answer then return pending.answer end
  local ok, value, http_error = await(pending.ticket)
  if not ok then error(value, 0) end
  if http_error and pending.check then
    -- A record asked for by PK_ID that is not there (pending.absent): nil, not an error.
    if pending.absent and http_error.status == 404 then return nil end
    if http_error.status == 404 and http_error.code ~= "FieldNotFound" then
      explain_not_found(http_error, pending.path)
    elseif http_error.status == 404 or http_error.status == 400 or http_error.status == 500 then
      explain_rejected_field(http_error, pending)
    end
    error(http_error, 0)
  end
  return value
end

function caspio.request(method, path, opts)
  return internal.receive(internal.send(method, path, opts))
end

local function decoded_body(response)
  if response.json ~= nil then return response.json end
  return response
end

function caspio.get(path, query)
  local response = caspio.request("GET", path, { query = query })
  -- A read answered 204 has nothing to give: an empty answer would pass for one.
  if response.status == 204 then
    internal.raise("http", "no content, where an answer was expected", { status = 204, method = "GET", url = path })
  end
  return decoded_body(response)
end

function caspio.post(path, value, query)
  return decoded_body(caspio.request("POST", path, { json = value, query = query }))
end

function caspio.put(path, value, query)
  return decoded_body(caspio.request("PUT", path, { json = value, query = query }))
end

function caspio.delete(path, query)
  return decoded_body(caspio.request("DELETE", path, { query = query }))
end

caspio.auth = native.auth
caspio.refresh = native.refresh
caspio.token = native.token
caspio.stats = native.stats

-- Concurrency -------------------------------------------------------------------------------

local MAX_CONCURRENCY = 16
internal.MAX_CONCURRENCY = MAX_CONCURRENCY

local function concurrency_of(opts)
  return math.min(internal.check_options("map", opts).concurrency or 4, MAX_CONCURRENCY)
end

--- Runs fn(item, index) for every item, up to `concurrency` requests in flight at once.
--- Results come back in input order. On the first error no new item starts, requests still
--- in flight are cancelled, their tasks closed, and the error is raised with its index.
function caspio.map(list, fn, opts)
  if type(list) ~= "table" then usage("bad argument #1 to 'map' (list expected)") end
  if type(fn) ~= "function" then usage("bad argument #2 to 'map' (function expected)") end
  local limit = concurrency_of(opts)
  local count = #list
  local results = json.array({})
  local waiting, running, next_index = {}, 0, 1
  -- `failed`, not `failure ~= nil`: a task may fail with error(nil).
  local failed, failure, failure_index, stopped = false, nil, nil, false

  local function fail(index, value)
    if not failed then failed, failure, failure_index = true, value, index end
  end

  local function step(co, index, ...)
    local ok, first, second = coroutine.resume(co, ...)
    if not ok then
      running = running - 1
      -- An error does not unwind a coroutine: closing it runs its <close> variables.
      coroutine.close(co)
      fail(index, first)
    elseif coroutine.status(co) == "dead" then
      running = running - 1
      results[index] = first
    elseif first == WAITING then
      waiting[second] = { co = co, index = index }
    else
      running = running - 1
      coroutine.close(co)
      fail(index, "a task yielded outside a request; resume your own coroutines inside the task")
    end
  end

  while true do
    while not failed and running < limit and next_index <= count do
      local index = next_index
      next_index = next_index + 1
      local co = coroutine.create(fn)
      scheduled[co] = true
      running = running + 1
      step(co, index, list[index], index)
    end
    if failed or running == 0 then break end
    local tickets = {}
    for ticket in pairs(waiting) do tickets[#tickets + 1] = ticket end
    local done = native.wait(unpack(tickets))
    if done == nil then
      stopped = true
      fail(nil, native.stop_message())
      break
    end
    local task = waiting[done.ticket]
    waiting[done.ticket] = nil
    step(task.co, task.index, done.ok, done.value, done.http_error)
  end

  if failed then
    local tickets = {}
    for ticket, task in pairs(waiting) do
      tickets[#tickets + 1] = ticket
      coroutine.close(task.co)
    end
    if #tickets > 0 then native.cancel(unpack(tickets)) end
    if stopped then error(failure) end
    if getmetatable(failure) == internal.error_metatable then
      failure.index = failure_index
      error(failure, 0)
    end
    error(format("item %d: %s", failure_index, tostring(failure)), 0)
  end
  return results
end

--- Runs the functions concurrently (as caspio.map) and returns their results in order.
function caspio.parallel(functions, opts)
  if type(functions) ~= "table" then usage("bad argument #1 to 'parallel' (list of functions expected)") end
  internal.check_options("parallel", opts)
  return caspio.map(functions, function(f) return f() end, opts)
end
