-- Writing many rows: t:insert (concurrent) and t:upsert (sync by key). Caspio has neither
-- batch insert nor upsert, and a retried POST makes duplicates; so an upsert looks rows up by
-- key first and inserts only those missing, and a rerun after a crash finds what the crashed
-- run inserted.
local caspio, internal = ...
local native, json, usage = internal.native, internal.json, internal.usage
local format, concat = string.format, table.concat
local Table, where_clause = internal.Table, internal.where_clause

local MAX_URI = internal.max_uri_length -- the client's limit on a request URI (Caspio's)

local function is_list(value)
  return type(value) == "table" and (json.is_array(value) or (value[1] ~= nil and type(value[1]) == "table"))
end

local function concurrency_of(opts, default)
  return math.min(opts.concurrency or default, internal.MAX_CONCURRENCY)
end

local function post(t, row, query)
  local response = caspio.request("POST", t:path("/records"), { json = row, query = query })
  native.count_rows(0, 1)
  return response
end

-- Fields Caspio fills in itself and refuses in a body (a CSV exported elsewhere holds PK_ID).
local GENERATED = { AUTONUMBER = true, ["PREFIXED AUTONUMBER"] = true, GUID = true, ["RANDOM ID"] = true, TIMESTAMP = true }

local function generated_fields(t)
  local out = {}
  for _, field in ipairs(internal.design(t).fields) do
    if GENERATED[field.Type] then out[field.Name] = true end
  end
  return out
end

local function without(row, names)
  local out = {}
  for name, value in pairs(row) do
    if not names[name] then out[name] = value end
  end
  return out
end

-- A POST that failed where the server may have applied it (a 502, 503 or 504, a timeout, a
-- dropped connection) is not replayed by the client; knowing fields that identify the row,
-- look it up: there, it landed; missing, it is sent again.
local function may_have_landed(e)
  if getmetatable(e) ~= internal.error_metatable then return false end
  if e.kind == "timeout" then return true end
  if e.kind == "network" then return e.message ~= "cancelled" end
  return e.kind == "http" and (e.status == 502 or e.status == 503 or e.status == 504)
end

--- POSTs a row; `keys_for(row)` names the fields that identify it (or nil: none). After a
--- failure that may have landed, returns nil and the stored row (its `select`ed fields) if
--- a lookup finds it, else POSTs again, as many times in all as the transport sends a
--- request it may replay.
local function insert_once(t, row, query, keys_for, select)
  local attempts, keys = native.max_attempts(), nil
  for attempt = 1, attempts do
    local ok, response = pcall(post, t, row, query)
    if ok then return response end
    if not may_have_landed(response) then error(response, 0) end
    keys = keys or keys_for(row)
    if not keys then error(response, 0) end
    local match = {}
    for _, key in ipairs(keys) do match[key] = row[key] end
    local found = caspio.get(t:path("/records"), { ["q.where"] = where_clause(match), ["q.select"] = select })
    local stored = type(found) == "table" and type(found.Result) == "table" and found.Result[1]
    if stored then
      native.count_rows(0, 1)
      return nil, stored
    end
    if attempt >= attempts then error(response, 0) end
  end
end

-- The first Unique field (from the design) the row gives a value: a lookup by it finds the
-- row if an insert landed. Read only after such a failure, so a clean run costs nothing more.
local function unique_key(t, row)
  for _, field in ipairs(internal.design(t).fields) do
    local value = row[field.Name]
    if field.Unique == true and not GENERATED[field.Type] and value ~= nil and value ~= json.null then return { field.Name } end
  end
  return nil
end

--- Inserts a row (or a list of rows, one request each, `concurrency` at a time) and returns
--- what Caspio stored, in input order. An empty table is an empty list: nothing is sent.
--- `omit_generated` leaves out the fields Caspio generates (an exported file's PK_ID).
--- A failure that may have landed is followed, when the row gives a Unique field, by a
--- lookup by it and at most one more POST.
function Table:insert(rows, opts)
  -- It may read the design first: refused before that where writes are.
  internal.dialect().refuse_writes("t:insert")
  opts = internal.check_options("insert", opts)
  if type(rows) ~= "table" then usage("bad argument #1 to 'insert' (row or list of rows expected)") end
  if next(rows) == nil then return json.array({}) end
  local single = not is_list(rows)
  local done, progress = 0, opts.progress
  local generated = opts.omit_generated and generated_fields(self) or {}
  local function unique(sent) return unique_key(self, sent) end
  local function insert_one(row)
    local response, stored = insert_once(self, next(generated) and without(row, generated) or row, { response = "rows" }, unique)
    if response and response.status == 204 then
      internal.raise("http", "no content, where the inserted row was expected", { status = 204, method = "POST", url = self:path("/records") })
    end
    done = done + 1
    if progress then progress(done) end
    if stored then return stored end
    local result = type(response.json) == "table" and response.json.Result
    return type(result) == "table" and result[1] or row
  end
  -- One row is no list: its error names no item.
  if single then return insert_one(rows) end
  return caspio.map(rows, insert_one, { concurrency = concurrency_of(opts, 1) })
end

-- Keys -----------------------------------------------------------------------------------------

--- The text that identifies a row by the key fields: strings compared without regard to case,
--- as Caspio's SQL Server collation compares them (so `a@x.com` finds `A@X.com`). Nil when
--- a key field is missing or null.
function internal.key_of(row, keys)
  local parts = {}
  for i, key in ipairs(keys) do
    local value = row[key]
    if value == nil or value == json.null then return nil end
    if type(value) == "string" then value = value:lower() end
    if math.type(value) == "float" and math.tointeger(value) then value = math.tointeger(value) end
    parts[i] = tostring(value)
  end
  return concat(parts, "\0")
end

local function key_text(row, keys)
  local parts = {}
  for i, key in ipairs(keys) do parts[i] = format("%s = %s", key, internal.literal(row[key])) end
  return concat(parts, ", ")
end

--- Checks that every row has the keys, none twice; `where_of(i)` names row i in messages.
function internal.check_keys(rows, keys, where_of)
  local first = {}
  for i, row in ipairs(rows) do
    if type(row) ~= "table" then usage("bad argument #1 to 'upsert' (list of rows expected; item %d is %s)", i, internal.describe(row)) end
    local key = internal.key_of(row, keys)
    if key == nil then
      internal.bad_input(format("%s has no value for the key %s", where_of(i), concat(keys, ", ")), { index = i })
    end
    if first[key] then
      internal.bad_input(format("%s and %s have the same key (%s): which one should Caspio keep?", where_of(first[key]), where_of(i), key_text(row, keys)),
        { index = i })
    end
    first[key] = i
  end
end

-- URI length: what percent-encoding makes of text (unreserved bytes stay, others take 3).
local function encoded_length(text)
  local plain = select(2, text:gsub("[%w%-%._~]", ""))
  return plain + 3 * (#text - plain)
end

-- One row's condition: `Email IN (…)` items for one key, `(A=1 AND B='x')` for several.
local function condition(row, keys)
  if #keys == 1 then return where_clause({ [keys[1]] = { row[keys[1]] } }):match("%((.*)%)$") end
  local fields = {}
  for _, key in ipairs(keys) do fields[key] = row[key] end
  return "(" .. where_clause(fields) .. ")"
end

local function joined(conditions, keys)
  if #keys == 1 then return keys[1] .. " IN (" .. concat(conditions, ", ") .. ")" end
  return concat(conditions, " OR ")
end

-- The rows' conditions in batches whose request URI stays under MAX_URI.
local function batches(t, rows, keys, selected)
  local base = caspio.config.base_url:gsub("/$", "") .. "/" .. t:path("/records") .. "?"
  -- Everything but the where clause: select, order, paging, with room to spare.
  local fixed = encoded_length(base .. "q.select=" .. selected .. "&q.orderBy=PK_ID&q.pageNumber=10&q.pageSize=1000&q.getPaginationInfo=true&q.where=") + 40
  local room = MAX_URI - fixed
  local separator = encoded_length(#keys == 1 and ", " or " OR ")
  local shell = encoded_length(joined({}, keys))
  local out, current, used = {}, {}, shell
  for _, row in ipairs(rows) do
    local text = condition(row, keys)
    local cost = encoded_length(text) + (#current > 0 and separator or 0)
    if shell + encoded_length(text) > room then
      internal.bad_input(format("the key %s is too long to look up within Caspio's URI limit", key_text(row, keys)), {})
    end
    if used + cost > room or #current >= 1000 then
      out[#out + 1] = joined(current, keys)
      current, used = {}, shell
      cost = encoded_length(text)
    end
    current[#current + 1] = text
    used = used + cost
  end
  if #current > 0 then out[#out + 1] = joined(current, keys) end
  return out
end

-- Reading what exists -------------------------------------------------------------------------

local function field_list(rows, keys)
  local seen, others = {}, {}
  for _, key in ipairs(keys) do seen[key] = true end
  for _, row in ipairs(rows) do
    for name in pairs(row) do
      if not seen[name] then
        seen[name] = true
        others[#others + 1] = name
      end
    end
  end
  -- Keys first, the rest sorted: the same rows make the same request.
  table.sort(others)
  local fields = {}
  for i, key in ipairs(keys) do fields[i] = key end
  for _, name in ipairs(others) do fields[#fields + 1] = name end
  return fields
end

--- The existing rows matching the input's keys, by key, and how many of those keys more
--- than one row holds. Reads IN-list batches, or the whole table when that takes fewer
--- requests (a sync of most of a table: 1,000 rows a request).
local function existing_rows(t, rows, keys, fields)
  local wanted = {}
  for _, row in ipairs(rows) do wanted[internal.key_of(row, keys)] = true end
  local found, twice, duplicated = {}, {}, 0
  local function keep(row)
    local key = internal.key_of(row, keys)
    if key and wanted[key] then
      if found[key] then
        native.log("warning", format("%s holds more than one row with %s: an update changes them all", t.name, key_text(row, keys)))
        if not twice[key] then twice[key], duplicated = true, duplicated + 1 end
      end
      found[key] = row
    end
  end
  local selected = concat(fields, ",")
  local lookups = batches(t, rows, keys, selected)
  local scan = false
  if #lookups > 2 then
    local total = t:count()
    scan = 1 + (total + 999) // 1000 < #lookups
  end
  if scan then
    for row in t:rows({ select = fields }) do keep(row) end
  else
    for _, clause in ipairs(lookups) do
      for row in t:rows({ select = fields, where = caspio.where.raw(clause) }) do keep(row) end
    end
  end
  return found, duplicated
end

-- The key fields by their names in the design: `email` finds `Email` (Caspio's names are
-- case-insensitive); a name no field has is a usage error naming the nearest.
local function key_fields(t, names)
  local design, out = internal.design(t), {}
  for i, name in ipairs(names) do
    local found = design.by_name[name] and name
    if not found then
      for _, field in ipairs(design.fields) do
        if type(field.Name) == "string" and field.Name:lower() == tostring(name):lower() then found = field.Name end
      end
    end
    if not found then
      local all = {}
      for j, field in ipairs(design.fields) do all[j] = field.Name end
      usage("upsert: %s has no field '%s' to key on%s", t.name, tostring(name), native.nearest(tostring(name), table.unpack(all)))
    end
    out[i] = found
  end
  return out
end

-- Values as a field of type `kind` stores them: null and nil alike, 3 and 3.0 alike, "2" and 2
-- for INTEGER, 1 and true for YES/NO, a date's forms alike (internal.comparable).
local function same(kind, a, b)
  return internal.comparable(kind, a) == internal.comparable(kind, b)
end

--- Syncs rows into the table by key: rows whose key is missing are inserted, rows that differ
--- in any field they give are updated (those fields only), identical rows cost no request.
--- Fields Caspio generates (PK_ID, GUIDs, timestamps) are neither compared nor written.
function Table:upsert(rows, opts)
  -- Its reads come before its writes: refused before either where writes are.
  internal.dialect().refuse_writes("t:upsert")
  opts = internal.check_options("upsert", opts)
  if type(rows) ~= "table" then usage("bad argument #1 to 'upsert' (list of rows expected)") end
  if opts.key == nil then usage("upsert needs {key = \"Field\"} (or a list of fields): the fields that identify a row") end
  local counts = { inserted = 0, updated = 0, unchanged = 0, duplicated = 0 }
  if #rows == 0 then return counts end
  local keys = key_fields(self, internal.list_of(opts.key))
  local lines = opts.lines
  internal.check_keys(rows, keys, function(i) return lines and lines[i] and "line " .. lines[i] or "row " .. i end)

  local found
  found, counts.duplicated = existing_rows(self, rows, keys, field_list(rows, keys))
  local generated = generated_fields(self)
  local by_name = internal.design(self).by_name
  local writes = {}
  for i, row in ipairs(rows) do
    local old = found[internal.key_of(row, keys)]
    if old == nil then
      -- Inserted, the row would get a new value of a generated key, so a rerun would not
      -- find it and would insert it again: refused, before any write.
      for _, key in ipairs(keys) do
        if generated[key] then
          usage("upsert: %s has no row with %s = %s, and Caspio generates %s, so it cannot be inserted with it: key on a field you set, or update by t:update",
            lines and lines[i] and "line " .. lines[i] .. ": " .. self.name or self.name, key, tostring(row[key]), key)
        end
      end
      writes[#writes + 1] = { row = without(row, generated) }
    else
      local changed = {}
      for name, value in pairs(row) do
        local kind = by_name[name] and by_name[name].Type
        -- Sent as the field stores it: "3" for an INTEGER goes as 3, which Caspio accepts.
        if not generated[name] and not same(kind, value, old[name]) then changed[name] = internal.comparable(kind, value) end
      end
      if next(changed) == nil then
        counts.unchanged = counts.unchanged + 1
      else
        local match = {}
        for _, key in ipairs(keys) do match[key] = old[key] end
        writes[#writes + 1] = { changed = changed, where = match }
      end
    end
  end

  local done, progress = counts.unchanged, opts.progress
  if progress then progress(done) end
  caspio.map(writes, function(write)
    if write.row then
      insert_once(self, write.row, nil, function() return keys end, concat(keys, ","))
      counts.inserted = counts.inserted + 1
    else
      local body = caspio.put(self:path("/records"), write.changed, { ["q.where"] = where_clause(write.where) })
      native.count_rows(0, internal.affected(body))
      counts.updated = counts.updated + 1
    end
    done = done + 1
    if progress then progress(done) end
  end, { concurrency = concurrency_of(opts, 4) })
  return counts
end
