-- The wire shapes of each REST API version for reads, in one place: paths (v4 addresses
-- tables and views by id), query parameters, list envelopes, field lists, string literals,
-- and which requests a version takes at all. The pager, tables and columns ask the dialect.
local caspio, internal = ...
local native, usage, raise, json = internal.native, internal.usage, internal.raise, internal.json
local format = string.format

local function quoted(text) return (text:gsub("'", "''")) end

local function integer(value)
  if type(value) == "string" then value = tonumber(value) end
  return value ~= nil and math.tointeger(value) or nil
end

local function unreadable(what, response, method, path)
  raise("http", "the answer has no " .. what, { status = response.status, request_id = response.request_id, method = method or "GET", url = path })
end

-- REST API v3 (and v2, which reads alike) ------------------------------------------------------

local V3 = { version = 3 }

--- A string as a SQL literal in a where clause.
function V3.string_literal(text) return "'" .. quoted(text) .. "'" end

--- The path to send: v3 addresses tables and views by name, as the module writes paths.
function V3.outgoing(method, path) return path end

--- The names of the account's tables or views (`kind`: "tables", "views").
function V3.names(kind) return internal.call("GET", kind) end

--- A table's or view's id (`t.id`): v3 has none, it addresses them by name.
function V3.id() return nil end

-- v3 sends names: there are no ids to remember.
function V3.remember() end

--- Each clause's query parameter.
V3.PARAMETERS = { where = "q.where", select = "q.select", orderBy = "q.orderBy", groupBy = "q.groupBy" }

-- The query of a read from its clauses (where, select, orderBy, groupBy: SQL text or nil).
local function records_query(dialect, clauses)
  local query = {}
  for clause, parameter in pairs(dialect.PARAMETERS) do query[parameter] = clauses[clause] end
  return query
end
function V3.records_query(clauses) return records_query(V3, clauses) end

-- dialect.is_clause(name): whether query parameter `name` holds a clause (to say which one
-- named a field Caspio rejected).
local function clause_test(dialect)
  return function(name)
    for _, parameter in pairs(dialect.PARAMETERS) do
      if parameter == name then return true end
    end
    return false
  end
end
V3.is_clause = clause_test(V3)

--- Sets page `number` of `size` rows in query; `counted`: ask for the total too.
function V3.page(query, number, size, counted)
  query["q.pageSize"], query["q.pageNumber"] = size, number
  query["q.getPaginationInfo"] = counted or nil
end

--- A page's rows; anything else is an HTTP error naming the request.
function V3.rows(response, path) return internal.result_list(response, path) end

--- The total a page's answer counts, or nil when it counts none.
V3.TOTAL = "Pagination.TotalCount"
function V3.total(response)
  local pagination = type(response.json) == "table" and response.json.Pagination
  return type(pagination) == "table" and math.type(pagination.TotalCount) == "integer" and pagination.TotalCount or nil
end

--- How many rows of the table or view at `path` (…/records) SQL `clause` (nil: any) matches,
--- by one read of a page of 5: the total its answer counts; an answer that counts none is
--- an error naming the request when `required`, else nil.
local function matching(dialect, path, clause, required)
  local query = dialect.records_query({ where = clause })
  dialect.page(query, 1, 5, true)
  local response = caspio.request("GET", path, { query = query })
  local total = dialect.total(response)
  if total == nil and required then unreadable(dialect.TOTAL, response, "GET", path) end
  return total
end
function V3.matching(path, clause, required) return matching(V3, path, clause, required) end

--- A listing v3 answers in one request: its Result, or the bare answer (webhooks).
function V3.listing(path, query, filter)
  return internal.pager({
    size = math.maxinteger,
    request = function() return internal.send("GET", path, { query = query }) end,
    items = function(response)
      local items = internal.result(response)
      if type(items) ~= "table" then items = internal.result_list(response, path) end
      if filter then for _, item in ipairs(items) do filter(item) end end
      return items
    end,
  })
end

--- The path of the file info of a table's (`path`: tables/NAME) attachments in `field`,
--- read with the where clause parameter.
function V3.attachment_info(path, field) return path .. "/attachments/" .. internal.segment(field) .. "/fileInfo" end

--- The field list at `path` (…/fields), each field with Name and Type.
function V3.fields(path)
  local body = caspio.get(path)
  local fields = type(body) == "table" and body.Result or nil
  if type(fields) ~= "table" then raise("http", "the answer has no Result list", { method = "GET", url = path }) end
  return fields
end


-- v3 writes: one POST a row (upsert.lua), updates and deletes by q.where, PK_ID by a where.

--- Rows one insert request takes: v3 has no bulk insert (nil: one POST a row).
V3.BULK_ROWS = nil

--- Updates the rows of the table at `path` (…/records) matching SQL `clause`; the count.
function V3.update_where(path, clause, values)
  return internal.affected(caspio.put(path, values, { ["q.where"] = clause }))
end

--- Deletes the rows matching `clause`; the count.
function V3.delete_where(path, clause)
  return internal.affected(caspio.delete(path, { ["q.where"] = clause }))
end

--- The clause of every row (`{all = true}`), or nil when there is none to touch.
function V3.every_row() return "1=1" end

--- The record whose PK_ID is `pk`, or nil: v3 reads no record by PK_ID, so by a where.
function V3.record(path, pk)
  local body = caspio.get(path, { ["q.where"] = internal.where_clause({ PK_ID = pk }), ["q.limit"] = 1 })
  local rows = type(body) == "table" and body.Result
  if type(rows) ~= "table" then raise("http", "the answer has no Result list", { method = "GET", url = path }) end
  return rows[1]
end

--- Changes the fields `values` of record `pk`; 1, or 0 when no record has that PK_ID.
function V3.patch_record(path, pk, values) return V3.update_where(path, internal.where_clause({ PK_ID = pk }), values) end

--- Deletes record `pk`; 1, or 0 when no record has that PK_ID.
function V3.remove_record(path, pk) return V3.delete_where(path, internal.where_clause({ PK_ID = pk })) end
-- A dry run's stand-ins for writes (dryrun.lua), shaped as each version answers. `path` is
-- relative, without its query.

--- The where clause of a write that changes or deletes rows, and the records path it
--- applies to; nil for any other write. v3: PUT/DELETE …/records?q.where=….
function V3.write_where(method, path, opts)
  local where = type(opts and opts.query) == "table" and opts.query["q.where"]
  local records = path:match("^(%a+/[^/]+/records)$")
  if where and records then return where, records end
end

--- The answer of a write that changed or deleted `count` rows.
function V3.affected_answer(count) return { RecordsAffected = count } end

local V2 = setmetatable({ version = 2 }, { __index = V3 })

-- REST API v4 ------------------------------------------------------------------------------------

local V4 = { version = 4 }

-- N'…': v4's clauses are T-SQL, and the Unicode prefix keeps text outside the code page.
function V4.string_literal(text) return "N'" .. quoted(text) .. "'" end

-- Either casing, as API-V4-NOTES.md asks of every v4 answer.
local function either(object, name)
  if type(object) ~= "table" then return nil end
  local value = object[name]
  if value == nil then value = object[name:sub(1, 1):upper() .. name:sub(2)] end
  return value
end

--- A list answer's items: `data` (either casing) or a bare list; else an error naming it.
function V4.rows(response, path)
  local body = response.json
  local items = either(body, "data")
  if items == nil and type(body) == "table" and json.is_array(body) then items = body end
  if type(items) ~= "table" then unreadable("data list", response, "GET", path) end
  return items
end

V4.TOTAL = "pagination.totalCount"
function V4.total(response) return integer(either(either(response.json, "pagination"), "totalCount")) end

-- Without v3's q. prefix: never send q.* to v4.
V4.PARAMETERS = { where = "where", select = "select", orderBy = "orderBy", groupBy = "groupBy" }
function V4.records_query(clauses) return records_query(V4, clauses) end
V4.is_clause = clause_test(V4)

-- v4 counts every page it answers: no parameter asks for it.
function V4.page(query, number, size)
  query.pageSize, query.pageNumber = size, number
end

-- Names to ids, from one listing per kind ("tables", "views") per run, refreshed once on a miss.
local ID_KEYS = { tables = "tableId", views = "viewId" }
local listings = {}

-- Runs fn in a coroutine of its own, which caspio.map does not schedule: its requests are
-- waited for in place rather than yielded, so that tasks asking at once for the same listing
-- cost one listing, not one each (the other tasks' requests stay in flight meanwhile).
local function in_place(fn)
  local co = coroutine.create(fn)
  local ok, value = coroutine.resume(co)
  if not ok then error(value, 0) end
  return value
end

local function listing(kind)
  return in_place(function()
    local by_name, ids, names = {}, {}, {}
    for item in internal.numbered_pages(kind, {}, 1000, V4.rows) do
      local id, name = either(item, ID_KEYS[kind]) or either(item, "id"), either(item, "name")
      if id ~= nil and type(name) == "string" then
        id = tostring(id)
        by_name[name:lower()], ids[id:lower()], names[#names + 1] = id, id, name
      end
    end
    listings[kind] = { by_name = by_name, ids = ids, names = names }
    return listings[kind]
  end)
end

-- A fresh listing: it serves the names to ids map too.
function V4.names(kind)
  local names = {}
  for i, name in ipairs(listing(kind).names) do names[i] = name end
  return names
end

local function decoded(segment)
  return (segment:gsub("%%(%x%x)", function(hex) return string.char(tonumber(hex, 16)) end))
end

-- The id of table or view `name` (a name, either case, or an id); an unknown one is the
-- 404 a v3 read of it gives, naming the nearest, before anything is sent to its path.
local function resolve(kind, name, method, path)
  local function find(map) return map.by_name[name:lower()] or map.ids[name:lower()] end
  local id = listings[kind] and find(listings[kind])
  if id == nil then id = find(listing(kind)) end
  if id ~= nil then return id end
  local what = kind == "tables" and "table" or "view"
  local names = listings[kind].names
  local hint = #names > 0 and native.nearest(name, table.unpack(names)) or ""
  if hint == "" and #names > 0 then
    local shown = {}
    for i = 1, math.min(#names, 10) do shown[i] = names[i] end
    hint = format(" (the %ss are: %s%s)", what, table.concat(shown, ", "), #names > 10 and ", …" or "")
  end
  raise("http", format("no %s '%s' on this account%s", what, name, hint), { status = 404, code = "ObjectNotFound", method = method, url = path })
end

function V4.id(kind, name) return resolve(kind, name, "GET", kind .. "/" .. name) end

--- An id known from an earlier run (a mirror's state), used for `name` without a listing;
--- `id` nil forgets what is known of the kind, so that the next use lists them again.
function V4.remember(kind, name, id)
  if id == nil then listings[kind] = nil return end
  local map = listings[kind] or { by_name = {}, ids = {}, names = {} }
  listings[kind] = map
  map.by_name[name:lower()], map.ids[id:lower()] = id, id
end

-- The writes the module sends to v4 (the helpers of objects.lua and the records' own); others
-- (design changes) are refused before anything is sent, since the module would send them in
-- v3's shape.
local READS = { GET = true, HEAD = true }
-- Under tables/ID/ or views/ID/, then anywhere.
local V4_RECORD_WRITES = {
  "^records$", "^records/bulk$", "^records/[^/]+$", "^records/[^/]+/attachments/[^/]+$", "^records/bulk/attachments",
  "^records/bulk/passwordFields/[^/]+$",
}
local V4_WRITES = {
  "^directories/[^/]+/users", "^fileAssets/files", "^outgoingWebhooks", "^dataImportExportTasks/[^/]+/run$",
  "^bridgeApplications/[^/]+/dataPages/.+/deployment$",
}

local function v4_write(path)
  path = path:gsub("^/+", ""):gsub("%?.*$", "")
  local kind, rest = path:match("^(%a+)/[^/]+/(.*)$")
  local patterns = (kind == "tables" or kind == "views") and V4_RECORD_WRITES or V4_WRITES
  for _, pattern in ipairs(patterns) do
    if (patterns == V4_WRITES and path or rest):find(pattern) then return true end
  end
  return false
end

--- The refusal of a write v4 does not take yet: `what` names it (`POST tables`).
function V4.refuse_writes(what)
  usage("%s: this write is not supported on REST API v4 yet (v4 takes: records, attachments, password fields, files, webhooks, directory users, task runs, DataPage deployments); use the v3 base URL (…/integrations/rest/v3) for it", what)
end

--- The path to send for `path` as the module writes it (tables/NAME/…): NAME's id in its
--- place. A write v4 does not take yet is a usage error.
function V4.outgoing(method, path)
  if not READS[tostring(method):upper()] then
    if not v4_write(path) then V4.refuse_writes(tostring(method) .. " " .. tostring(path)) end
  end
  local slash, kind, name, rest = path:match("^(/*)(%a+)/([^/?]+)(.*)$")
  if not ID_KEYS[kind] then return path end
  return slash .. kind .. "/" .. internal.segment(resolve(kind, decoded(name), method, path)) .. rest
end

-- v4 pages every listing, in the list envelope (items in v4's lower camel case, given v3's
-- names too: objects.lua), `size` a page (1000 when not given).
function V4.listing(path, query, filter, size)
  local copy = {}
  for k, v in pairs(query or {}) do copy[k] = v end
  return internal.numbered_pages(path, copy, size or 1000, function(response)
    local items = V4.rows(response, path)
    for _, item in ipairs(items) do
      V4.named(item)
      if filter then filter(item) end
    end
    return items
  end)
end

function V4.attachment_info(path, field) return path .. "/records/bulk/attachments/" .. internal.segment(field) .. "/fileInfo" end

-- v4's `dataType` names that differ from v3's types (API-V4-NOTES.md); the rest are the same.
local V3_TYPES = { TEXT255 = "STRING", TEXT64K = "TEXT", ATTACHMENT = "FILE", RANDOM_ID = "RANDOM ID", PK_ID = "AUTONUMBER" }

-- A field item `{name, dataType, …}` (either casing), given the v3 names (and types) the
-- module reads as well; `dataType` stays v4's.
local function field_of(item)
  local field = {}
  for k, v in pairs(item) do field[k] = v end
  field.Name = either(item, "name")
  field.Type = either(item, "dataType") or either(item, "type")
  field.Type = V3_TYPES[field.Type] or field.Type
  -- A TIMESTAMP field Caspio stamps on update (caspio.mirror's cursor).
  field.OnUpdate = either(item, "stampOnUpdate")
  field.Unique = either(item, "unique")
  return field
end

-- Every table's (view's) design from one GET schemas/tables (schemas/views) per run: items
-- `{name, tableId, fieldCount, fields = {…}}`, by lower-case name and by id. The listing
-- serves the names to ids map too, when none was read yet. No write forgets them: v4 takes
-- no design writes (V4.outgoing refuses them), and a table new since the listing is a miss
-- that reads its own field list.
local SCHEMAS = { tables = "schemas/tables", views = "schemas/views" }
local schemas = {}

-- A server or profile that answers the schema listing with an HTTP error (or an unreadable
-- answer) has each table's field list read instead, for the rest of the run.
local function schema(kind)
  if schemas[kind] == false then return nil end
  if schemas[kind] == nil then
    local by_name, by_id, names = {}, {}, {}
    local ok, e = pcall(in_place, function()
      for item in internal.numbered_pages(SCHEMAS[kind], {}, 1000, V4.rows) do
        local id, name = either(item, ID_KEYS[kind]) or either(item, "id"), either(item, "name")
        if id ~= nil and type(name) == "string" then
          by_name[name:lower()], by_id[tostring(id):lower()], names[#names + 1] = item, item, name
        end
      end
    end)
    if not ok then
      if not (type(e) == "table" and e.kind == "http") then error(e, 0) end
      native.log("debug", format("GET %s failed (%s): reading each table's field list instead", SCHEMAS[kind], tostring(e.message)))
      schemas[kind] = false
      return nil
    end
    schemas[kind] = { by_name = by_name, by_id = by_id }
    if listings[kind] == nil then
      local map = { by_name = {}, ids = {}, names = names }
      for key, item in pairs(by_name) do
        local id = tostring(either(item, ID_KEYS[kind]) or either(item, "id"))
        map.by_name[key], map.ids[id:lower()] = id, id
      end
      listings[kind] = map
    end
  end
  return schemas[kind]
end

-- The fields at `path` (…/fields, as the module writes it): a table's or view's from the
-- schema listing when it holds them all (its fieldCount, when given, says so: a long field
-- list may come cut, as a live one did at 100), else the paged field list (enveloped and
-- paged, or a bare list); a name the schema lacks is resolved as any (404 naming the nearest).
function V4.fields(path)
  local kind, name = path:match("^/*(%a+)/([^/?]+)/fields$")
  if SCHEMAS[kind] then
    local map, key = schema(kind), decoded(name):lower()
    local item = map and (map.by_name[key] or map.by_id[key])
    local items = item and either(item, "fields")
    local count = item and integer(either(item, "fieldCount"))
    if type(items) == "table" and (count == nil or #items >= count) then
      local fields = {}
      for i, field in ipairs(items) do fields[i] = field_of(field) end
      return fields
    end
  end
  local fields = {}
  for item in internal.numbered_pages(path, {}, 1000, V4.rows) do fields[#fields + 1] = field_of(item) end
  return fields
end


-- v4 writes ----------------------------------------------------------------------------------

-- Each PK_ID as the reads give it: a whole number (the bulk answer's strings), else as is.
local function pk_value(value) return integer(value) or value end

-- A message from an item's error: text, or an error object (either casing).
local function reason(value)
  if type(value) == "table" then
    local message, code = either(value, "message"), either(value, "code")
    if message ~= nil then return tostring(message), code and tostring(code) end
    return json.encode(value)
  end
  return value ~= nil and tostring(value) or "not inserted (no reason given)"
end

--- Rows one `POST …/records/bulk` takes.
V4.BULK_ROWS = 1000

-- The first of `names` (either casing) that `object` has a value for, or nil.
local function first_of(object, names)
  if type(object) ~= "table" then return nil end
  for _, name in ipairs(names) do
    local value = either(object, name)
    if value ~= nil and value ~= json.null then return value end
  end
end

-- The names a record's id comes under in a bulk answer.
local RECORD_IDS = { "PK_ID", "pkId" }

--- POSTs `rows` (at most BULK_ROWS) to `bulk` (…/records/bulk, …/users/bulk) as one request:
--- one outcome per row, in order, `{pk = id, stored = the row as stored, when the answer
--- carries it}` or `{status = n, message = text, code = c}`, and the response.
--- `how.ids`: the names each row's id may come under, in the answer's own list (201,
--- `{"PK_ID": [...]}`) and in each item of `data` (207, one item per row: API-V4-NOTES.md);
--- `how.query`: sent with it; `how.ids_optional`: an answer of success that names no ids
--- (a body the notes do not know) is one outcome `{}` a row, not an unreadable answer.
function V4.post_bulk(bulk, rows, how)
  local ids = how.ids
  local response = caspio.request("POST", bulk, { json = json.array(rows), query = how.query })
  local body, outcomes = response.json, {}
  local items = either(body, "data")
  if type(items) == "table" and #items > 0 then
    if #items ~= #rows then unreadable(format("item for each of the %d rows (it has %d)", #rows, #items), response, "POST", bulk) end
    for i, item in ipairs(items) do
      local status = integer(either(item, "status"))
      local record = either(item, "record")
      -- An item without a status or an error is the stored row itself (an echo of the rows).
      if record == nil and status == nil and type(item) == "table" and first_of(item, { "error", "message" }) == nil then record = item end
      local pk = first_of(item, ids) or first_of(record, ids)
      if (pk ~= nil or (how.ids_optional and type(record) == "table")) and (status == nil or status < 300) then
        outcomes[i] = { pk = pk ~= nil and pk_value(pk) or nil, stored = type(record) == "table" and record or nil }
      else
        local message, code = reason(either(item, "error") or either(item, "message"))
        outcomes[i] = { status = status, message = message, code = code }
      end
    end
    return outcomes, response
  end
  local list = first_of(body, ids)
  if how.ids_optional and list == nil and response.status < 300 then
    for i = 1, #rows do outcomes[i] = {} end
    return outcomes, response
  end
  if type(list) ~= "table" or #list ~= #rows then
    unreadable(format("%s list of the %d rows inserted", ids[1], #rows), response, "POST", bulk)
  end
  for i, id in ipairs(list) do outcomes[i] = { pk = pk_value(id) } end
  return outcomes, response
end

--- Inserts `rows` (at most BULK_ROWS) into the table at `path` (…/records) by one request:
--- one outcome per row, in order (`V4.post_bulk`). 201 answers `{"PK_ID": [...]}`; 207 adds
--- `data`, one item per row (API-V4-NOTES.md).
function V4.insert_rows(path, rows)
  return V4.post_bulk(path .. "/bulk", rows, { ids = RECORD_IDS })
end

--- The count a bulk write's answer carries (its name unknown: recordsAffected, either
--- casing, or the length of `data`), or nil.
function V4.affected_in(body)
  for _, name in ipairs({ "recordsAffected", "affected", "count" }) do
    local count = integer(either(body, name))
    if count then return count end
  end
  local data = either(body, "data")
  return type(data) == "table" and json.is_array(data) and #data or nil
end

-- Whether this run's bulk answers carried a count (nil: none seen yet). Until one has, the
-- rows are counted first (one read), so that a count is returned whatever the answer holds.
local answers_count

function V4.matching(path, clause, required) return matching(V4, path, clause, required) end

local function counted(method, path, clause, body)
  -- A dry run's stand-ins carry the count they read themselves (internal.stand_in_counts).
  local before = answers_count ~= true and not internal.stand_in_counts and V4.matching(path, clause, true) or nil
  local response = caspio.request(method, path .. "/bulk", { json = body })
  local count = V4.affected_in(response.json)
  answers_count = count ~= nil
  return count or before
end

--- Updates the rows matching `clause` with `values`: one `PATCH …/records/bulk`.
function V4.update_where(path, clause, values)
  return counted("PATCH", path, clause, { where = clause, recordValues = internal.dates_as_text(values) })
end

--- Deletes the rows matching `clause`: one `DELETE …/records/bulk`.
function V4.delete_where(path, clause)
  return counted("DELETE", path, clause, { where = clause })
end

--- Every row: v4's guard refuses a clause true of every possible row (1=1), so every row
--- there is now: PK_ID up to the highest (one read); nil when the table is empty.
function V4.every_row(path)
  local query = V4.records_query({ select = "PK_ID", orderBy = "PK_ID DESC" })
  query.limit = 1
  local response = caspio.request("GET", path, { query = query })
  local top = V4.rows(response, path)[1]
  if top == nil then return nil end
  return internal.where_clause({ PK_ID = { lte = pk_value(either(top, "PK_ID")) } })
end

-- A request for record `pk`: its response, or nil when Caspio answers 404 (no such record:
-- the table's id was resolved before sending).
local function by_pk(method, path, pk, opts)
  local pending = internal.send(method, path .. "/" .. internal.segment(tostring(pk)), opts)
  pending.absent = true
  return internal.receive(pending)
end

--- The record whose PK_ID is `pk`, or nil: `GET …/records/{pk}`.
function V4.record(path, pk)
  local response = by_pk("GET", path, pk)
  if response == nil then return nil end
  local rows = V4.rows(response, path)
  return rows[1]
end

--- `PATCH …/records/{pk}`: 1, or 0 when no record has that PK_ID.
function V4.patch_record(path, pk, values)
  return by_pk("PATCH", path, pk, { json = values }) and 1 or 0
end

--- `DELETE …/records/{pk}`: 1, or 0 when no record has that PK_ID.
function V4.remove_record(path, pk)
  return by_pk("DELETE", path, pk) and 1 or 0
end

-- A dry run's stand-ins on v4, as the sandbox answers (the shapes are [unknown] in the notes
-- but for the bulk insert's): PATCH/DELETE …/records/bulk with `{where = …}` in the body,
-- PATCH/PUT/DELETE …/records/{pk} by PK_ID.
function V4.write_where(method, path, opts)
  local body = opts and opts.json
  local records = path:match("^(%a+/[^/]+/records)/bulk$")
  if records and type(body) == "table" and type(body.where) == "string" then return body.where, records end
  local by_pk, pk = path:match("^(%a+/[^/]+/records)/(%d+)$")
  if by_pk then return "PK_ID=" .. pk, by_pk end
end

function V4.affected_answer(count) return { recordsAffected = count } end

-- The base URL's version ------------------------------------------------------------------------

-- objects.lua adds the shapes of the account's other objects to each.
internal.dialects = { V2 = V2, V3 = V3, V4 = V4, either = either, integer = integer }

local dialect
--- The dialect of the base URL's version (the host's rule: native.api_version), read once per run.
function internal.dialect()
  if dialect == nil then
    -- Asked while explaining an error too: a configuration that cannot be read means v3.
    local ok, version = pcall(native.api_version)
    dialect = ok and version == 4 and V4 or ok and version == 2 and V2 or V3
  end
  return dialect
end
