-- Dry runs (--dry-run, CASPIO_DRY_RUN=1): every request of the module passes
-- internal.before_send (requests.lua's hook), so this one hook sees them all. Reads go out;
-- a write (any method but GET and HEAD: records, uploads, file deletes, task runs,
-- deployments) is logged as what it would have sent and answered with a stand-in. Token
-- grants are the client's, below this, and still happen: reads need them.
local caspio, internal = ...
local native, json = internal.native, internal.json
local format, concat = string.format, table.concat

if not native.dry_run() then return end

local count_rows = native.count_rows
-- Rows a stand-in "wrote" were not written: caspio.stats and --summary count reads only.
native.count_rows = function(read) count_rows(read, 0) end
local counts, order = {}, {}
-- Every stand-in for a write by condition answers the count it matches (one read): the
-- dialect need not count the rows first as well.
internal.stand_in_counts = true

local function short(opts)
  if opts == nil then return "" end
  if opts.json ~= nil then
    local ok, text = pcall(json.encode, opts.json, { sort_keys = true })
    text = ok and text or "(JSON)"
    if #text > 120 then text = text:sub(1, 117) .. "…" end
    return " " .. text
  end
  if opts.body then return format(" (%d bytes%s)", #opts.body, opts.content_type and ", " .. opts.content_type or "") end
  return ""
end

local function query_text(query)
  if type(query) ~= "table" then return "" end
  local parts = {}
  for name, value in pairs(query) do parts[#parts + 1] = name .. "=" .. tostring(value) end
  table.sort(parts)
  return #parts > 0 and "?" .. concat(parts, "&") or ""
end

-- A write that changes or deletes rows affects those its where clause matches: count them
-- (`records`: the records path of a table or view). An answer that counts no total is an
-- error naming the read: "0 rows" would be a guess about rows that may be there.
local function matching(records, where)
  local kind = records:match("^(%a+)/[^/]+/records$")
  if kind ~= "tables" and kind ~= "views" then return nil end
  return internal.dialect().matching(records, where, true)
end

-- The writes the base URL's version answers without a body, or with a 200 (objects.lua).
local function no_content(method, path)
  for _, rule in ipairs(internal.dialect().NO_CONTENT) do
    if rule[1] == method and path:find(rule[2]) and not (rule.unless and path:find(rule.unless)) then return true end
  end
  return false
end

local function ok_post(path)
  for _, pattern in ipairs(internal.dialect().OK_POSTS) do
    if path:find(pattern) then return true end
  end
  return false
end

-- Inserted rows get stand-in PK_IDs after the table's highest (read once per table), so that
-- a script that inserts and then works on the row by its PK_ID runs through.
local next_pk, stand_in_ids = {}, {}

local function stand_in_pk(kind, name)
  local key = kind .. "/" .. name
  if next_pk[key] == nil then
    local highest = 0
    local dialect = internal.dialect()
    local query = dialect.records_query({ select = "PK_ID", orderBy = "PK_ID DESC" })
    dialect.page(query, 1, 5)
    local ok, result = pcall(function() return dialect.rows(caspio.request("GET", key .. "/records", { query = query }), key .. "/records") end)
    local top = ok and type(result) == "table" and type(result[1]) == "table" and tonumber(result[1].PK_ID)
    if top then highest = math.tointeger(top) or 0 end
    next_pk[key] = highest + 1
  end
  local pk = next_pk[key]
  next_pk[key] = pk + 1
  local ids = stand_in_ids[key] or { first = pk }
  ids.last, stand_in_ids[key] = pk, ids
  return pk
end

-- A where clause that names one stand-in row by its PK_ID matches that row.
local function names_stand_in(records, where)
  local key = records:match("^(%a+/[^/]+)/records$")
  local pk = math.tointeger(tonumber(type(where) == "string" and where:match("^%s*PK_ID%s*=%s*(%d+)%s*$") or nil))
  local ids = key and stand_in_ids[key]
  return ids ~= nil and pk ~= nil and pk >= ids.first and pk <= ids.last
end

-- Other objects a create makes (webhooks, events, users, files) get a placeholder id that says it
-- is one, numbered in the run; the answer shows no secret of Caspio's either.
local placeholders = 0

local function placeholder()
  placeholders = placeholders + 1
  return "dry-run-" .. placeholders
end

-- The objects a create sent: its JSON body (a list of them in bulk), or, for an upload, an
-- object a file part of its multipart body, named as the file (under `rule.upload`); nil
-- when the request carries none.
local function sent_objects(rule, opts)
  if rule.upload then
    if type(opts.body) ~= "string" then return nil end
    local objects = {}
    for name in opts.body:gmatch('Content%-Disposition: form%-data; name="[^"]*"; filename="([^"]*)"\r\n') do
      objects[#objects + 1] = { [rule.upload] = name }
    end
    return #objects > 0 and objects or nil
  end
  if type(opts.json) ~= "table" or (rule.bulk and not json.is_array(opts.json)) then return nil end
  return rule.bulk and opts.json or { opts.json }
end

-- A create (a row, rows in bulk, a webhook, an event, a user or users, files uploaded): the
-- one rule for all of them. Each object as sent, with a stand-in id (a row's PK_ID past its table's highest, so
-- that a script works on it by its PK_ID; other objects a placeholder), in the answer the
-- version gives (CREATES in objects.lua); a row's Location too. Nil when `relative` is no create.
local function created(method, relative, opts)
  if method ~= "POST" or type(opts) ~= "table" then return nil end
  local dialect = internal.dialect()
  for _, rule in ipairs(dialect.CREATES) do
    local kind, name = relative:match(rule[1])
    local sent_list = kind and (not rule.records or kind == "tables" or kind == "views") and sent_objects(rule, opts)
    if sent_list then
      local objects = {}
      for i, sent in ipairs(sent_list) do
        local object = {}
        for field, value in pairs(type(sent) == "table" and sent or {}) do object[field] = value end
        object[rule.id] = rule.records and stand_in_pk(kind, name) or placeholder()
        if rule.secret then object[rule.secret] = "dry-run-secret" end
        objects[i] = object
      end
      local response = { status = 201, headers = {}, body = "", json = dialect.created_answer(objects, rule, opts.query) }
      if rule.records and not rule.bulk then
        response.headers.Location = caspio.config.base_url:gsub("/$", "") .. "/" .. relative .. "/" .. objects[1].PK_ID
      end
      return response
    end
  end
end

local function stand_in(method, path, opts)
  local response = { status = 200, headers = {}, body = "" }
  local relative = path:gsub("^/", ""):gsub("%?.*$", "")
  local create = created(method, relative, opts)
  if create then return create end
  local dialect = internal.dialect()
  local where, records = dialect.write_where(method, relative, opts)
  if where then
    local affected = names_stand_in(records, where) and 1 or matching(records, where)
    if affected then response.json = dialect.affected_answer(affected) end
  elseif no_content(method, relative) then
    response.status = 204
  elseif method == "POST" and ok_post(relative) then
    response.status = 200
  elseif method == "POST" then
    response.status = 201
  end
  return response
end

-- A row's PASSWORD fields are secrets: registered, from the table's design, before the line
-- that shows the body (reads are allowed in a dry run; a design that cannot be read hides
-- nothing more, and the write is still not sent).
local function hide_passwords(path, body)
  if type(body) ~= "table" then return end
  -- A row, a bulk insert or update, or one row by its PK_ID (v4's PATCH …/records/{pk}).
  local name = path:match("^/?tables/([^/?]+)/records$") or path:match("^/?tables/([^/?]+)/records/[^/?]+$")
  if not name then return end
  local bulk = path:find("/records/bulk$") ~= nil
  local ok, design = pcall(internal.design, caspio.table(name))
  if not ok or type(design) ~= "table" then return end
  -- A bulk insert's rows, or one row (a bulk update's values are in recordValues).
  local rows = not bulk and { body } or json.is_array(body) and body or { body.recordValues }
  for _, row in ipairs(rows) do
    for _, field in ipairs(design.fields or {}) do
      if type(row) == "table" and field.Type == "PASSWORD" then internal.secret(row[field.Name]) end
    end
  end
end

function internal.before_send(method, path, opts)
  local verb = type(method) == "string" and method:upper() or method
  if verb == "GET" or verb == "HEAD" or type(path) ~= "string" then return nil end
  hide_passwords(path, opts and opts.json)
  native.stderr(format("dry run: %s %s%s%s\n", verb, path, query_text(opts and opts.query), short(opts)))
  local where = verb .. " " .. (path:gsub("^/", ""):gsub("%?.*$", ""))
  if counts[where] == nil then order[#order + 1] = where end
  counts[where] = (counts[where] or 0) + 1
  return stand_in(verb, path, opts)
end

-- The summary, after the script and its other clean-up handlers (atexit runs last first).
caspio.atexit(function()
  local total, parts = 0, {}
  table.sort(order)
  for _, where in ipairs(order) do
    total = total + counts[where]
    parts[#parts + 1] = format("%s: %d", where, counts[where])
  end
  if total == 0 then
    native.stderr("dry run: no writes\n")
  else
    native.stderr(format("dry run: %d write%s not sent (%s)\n", total, total == 1 and "" or "s", concat(parts, ", ")))
  end
  local keys = {}
  for key in pairs(stand_in_ids) do keys[#keys + 1] = key end
  table.sort(keys)
  for _, key in ipairs(keys) do
    local ids = stand_in_ids[key]
    local single = ids.first == ids.last
    native.stderr(format("dry run: %s: %s %s %s, not rows of Caspio's\n", key, single and "PK_ID" or "PK_IDs",
      single and tostring(ids.first) or ids.first .. "-" .. ids.last, single and "is a stand-in" or "are stand-ins"))
  end
  if placeholders > 0 then
    native.stderr(format("dry run: %s, not ids of Caspio's objects\n",
      placeholders == 1 and "id dry-run-1 is a placeholder" or "ids dry-run-1 to dry-run-" .. placeholders .. " are placeholders"))
  end
end)
