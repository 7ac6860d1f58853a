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

-- Fields Caspio fills in itself and refuses in a body (a CSV exported elsewhere holds PK_ID),
-- by v3's types and v4's dataTypes.
local GENERATED = {
  AUTONUMBER = true, ["PREFIXED AUTONUMBER"] = true, GUID = true, ["RANDOM ID"] = true, TIMESTAMP = true,
  PK_ID = true, RANDOM_ID = true, SEQUENCE = true, FORMULA = true,
}

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

-- Positions as text, runs joined: "2, 5-7, 12".
local function positions(list)
  local parts, i = {}, 1
  while i <= #list do
    local j = i
    while j < #list and list[j + 1] == list[j] + 1 do j = j + 1 end
    parts[#parts + 1] = j > i and format("%d-%d", list[i], list[j]) or tostring(list[i])
    i = j + 1
  end
  return concat(parts, ", ")
end

-- What a bulk insert's messages call its items (`unit` where they are named by position,
-- `noun` in the count), what happened to them, and the id each gets: rows inserted with
-- their PK_IDs (t:insert; upsert, whose rows may be a file's lines), users added with their
-- UserGUIDs (d:add).
local ROWS = { unit = "row", noun = "row", done = "inserted", id = "PK_ID" }
local LINES = { unit = "line", noun = "row", done = "inserted", id = "PK_ID" }

-- The one error of a bulk insert some of whose rows failed: every failed position, grouped
-- by reason; `failed` and `inserted` for a script that retries just the failures. `words`:
-- ROWS, or another set (a CSV's lines, a directory's users).
local function partly_inserted(failed, inserted, total, first_error, path, words)
  words = words or ROWS
  local unit = words.unit
  table.sort(failed, function(a, b) return a.index < b.index end)
  local reasons, by_reason = {}, {}
  for _, f in ipairs(failed) do
    local text = f.message .. (f.status and format(" (%d%s)", f.status, f.code and " " .. f.code or "") or "")
    if f.uncertain then text = text .. "; the request may have landed: look these " .. words.noun .. "s up before sending them again" end
    if not by_reason[text] then
      by_reason[text] = {}
      reasons[#reasons + 1] = text
    end
    local list = by_reason[text]
    list[#list + 1] = f.index
  end
  local parts = {}
  for i, text in ipairs(reasons) do
    parts[i] = format("%s%s %s: %s", unit, #by_reason[text] > 1 and "s" or "", positions(by_reason[text]), text)
  end
  local fields = {
    status = first_error and first_error.status or 207, code = first_error and first_error.code or nil,
    request_id = first_error and first_error.request_id, failed = failed, inserted = inserted,
    method = "POST", url = path,
  }
  internal.raise(first_error and first_error.kind or "http",
    format("%d of %d %ss not %s, %d %s (the error's `inserted` holds those with their %ss, `failed` the others): %s",
      #failed, total, words.noun, words.done, #inserted, words.done, words.id, concat(parts, "; ")), fields)
end

-- A whole request's failure that a bulk insert reports per row; anything else (a usage
-- error, a stop, the budget) ends the insert as it is.
local function request_failure(e)
  return getmetatable(e) == internal.error_metatable and (e.kind == "http" or e.kind == "network" or e.kind == "timeout")
end

-- v4: chunks of at most the dialect's BULK_ROWS (or opts.chunk), `concurrency` at a time.
-- Every chunk is sent whatever the others did, so that one error reports every row.
-- `target`: where and how (`send(rows)`: one outcome a row, `V4.post_bulk`'s), `path` (the
-- bulk path, for messages), `fname` and `words` (ROWS, or a directory's users'), `prepare(row)`
-- (what is sent of a row), `count` (rows written count in caspio.stats).
local function insert_in_bulk(rows, opts, single, target)
  local dialect = internal.dialect()
  local words = target.words or ROWS
  local size = math.min(opts.chunk or dialect.BULK_ROWS, dialect.BULK_ROWS)
  -- Every item checked before anything is sent.
  for i, row in ipairs(rows) do
    if type(row) ~= "table" then usage("bad argument #1 to '%s' (list of %ss expected; item %d is %s)", target.fname, words.unit, i, internal.describe(row)) end
  end
  local chunks = {}
  for first = 1, #rows, size do chunks[#chunks + 1] = { first = first, last = math.min(first + size - 1, #rows) } end
  local results, failed, first_error, done = {}, {}, nil, 0
  caspio.map(chunks, function(chunk)
    local body = {}
    for i = chunk.first, chunk.last do body[#body + 1] = target.prepare and target.prepare(rows[i]) or rows[i] end
    local ok, outcomes = pcall(target.send, body)
    if not ok then
      if not request_failure(outcomes) then error(outcomes, 0) end
      first_error = first_error or outcomes
      for i = chunk.first, chunk.last do
        failed[#failed + 1] = { index = i, row = rows[i], status = outcomes.status, code = outcomes.code,
          message = outcomes.message, uncertain = may_have_landed(outcomes) or nil }
      end
      return
    end
    local written = 0
    for k, outcome in ipairs(outcomes) do
      local i = chunk.first + k - 1
      if outcome.status == nil and outcome.message == nil then
        -- The row as stored when the answer carries it, else as sent, with its id.
        local stored = {}
        for name, value in pairs(outcome.stored or body[k]) do stored[name] = value end
        if outcome.pk ~= nil then stored[words.id] = outcome.pk end
        results[i], written = stored, written + 1
      else
        failed[#failed + 1] = { index = i, row = rows[i], status = outcome.status, code = outcome.code, message = outcome.message }
      end
    end
    if target.count then native.count_rows(0, written) end
    done = done + written
    if opts.progress then opts.progress(done) end
  end, { concurrency = concurrency_of(opts, 4) })
  if #failed > 0 then
    -- One row is no list: its error is the row's own.
    if single then
      local f = failed[1]
      if first_error then error(first_error, 0) end
      internal.raise("http", f.message, { status = f.status, code = f.code, method = "POST", url = target.path })
    end
    local inserted = json.array({})
    for i = 1, #rows do
      if results[i] then inserted[#inserted + 1] = results[i] end
    end
    partly_inserted(failed, inserted, #rows, first_error, target.path, words)
  end
  if single then return results[1] end
  local out = json.array({})
  for i = 1, #rows do out[i] = results[i] end
  return out
end

-- A directory's users in bulk (d:add of a list on v4): the users as Caspio stored them.
local USERS = { unit = "user", noun = "user", done = "added", id = "UserGUID" }
function internal.add_users(directory, users, opts)
  local dialect = internal.dialect()
  return insert_in_bulk(users, opts, false, {
    path = directory:path() .. "/bulk", fname = "add", words = USERS,
    send = function(body) return dialect.add_users(directory:path(), body) end,
  })
end

local function bulk_insert(t, rows, opts, single)
  local dialect = internal.dialect()
  local generated = opts.omit_generated and generated_fields(t) or {}
  local path = t:path("/records")
  return insert_in_bulk(rows, opts, single, {
    path = path .. "/bulk", fname = "insert", count = true,
    prepare = next(generated) and function(row) return without(row, generated) end or nil,
    send = function(body) return dialect.insert_rows(path, body) end,
  })
end

--- Inserts a row (or a list of rows) and returns what Caspio stored, in input order. An
--- empty table is an empty list: nothing is sent. v3: one request a row, `concurrency` at a
--- time; a failure that may have landed is followed, when the row gives a Unique field, by a
--- lookup by it and at most one more POST. v4: bulk requests of up to 1,000 rows (`chunk`),
--- the rows returned as sent with their PK_IDs.
--- `omit_generated` leaves out the fields Caspio generates (an exported file's PK_ID).
function Table:insert(rows, opts)
  opts = internal.check_options("insert", opts)
  if type(rows) ~= "table" then usage("bad argument #1 to 'insert' (row or list of rows expected)") end
  if next(rows) == nil then return json.array({}) end
  local single = not is_list(rows)
  if internal.dialect().BULK_ROWS then return bulk_insert(self, single and { rows } or rows, opts, single) end
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
function internal.encoded_length(text)
  local plain = select(2, text:gsub("[%w%-%._~]", ""))
  return plain + 3 * (#text - plain)
end
local encoded_length = internal.encoded_length

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
--- requests (a sync of most of a table: 1,000 rows a request) unless `lookups_only`. Also
--- returns the set of those keys.
local function existing_rows(t, rows, keys, fields, lookups_only)
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
  local scan = #lookups > 2 and not lookups_only
  if scan then
    -- The whole table's first page counts it (at no request more, where a count would
    -- cost one): read on when its pages are fewer than the lookups, else left there.
    local path = t:path("/records")
    for row in internal.read_rows(format("upsert of %s", t.name), path, { select = fields }, nil, function(total)
      scan = (total + 999) // 1000 <= #lookups
      return scan
    end) do
      if not scan then break end
      keep(row)
    end
  end
  if not scan then
    for _, clause in ipairs(lookups) do
      for row in t:rows({ select = fields, where = caspio.where.raw(clause) }) do keep(row) end
    end
  end
  return found, duplicated, twice
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

-- v4's writes of an upsert: missing rows inserted in bulk chunks; changed rows by PK_ID, or
-- one bulk PATCH for each group of rows receiving identical values (a key more than one row
-- holds, by the key, as v3 does). Tasks run `concurrency` at a time. A chunk whose request
-- may have landed is looked up by key and only its missing rows sent again.
local function bulk_writes(t, writes, keys, opts, counts, advance)
  local dialect, path = internal.dialect(), t:path("/records")
  local size = math.min(opts.chunk or dialect.BULK_ROWS, dialect.BULK_ROWS)
  local lines, tasks, inserts, groups, order = opts.lines, {}, {}, {}, {}
  for _, write in ipairs(writes) do
    if write.row then
      inserts[#inserts + 1] = write
    elseif write.pk == nil then
      tasks[#tasks + 1] = { where = where_clause(write.where), changed = write.changed, n = 1 }
    else
      local text = json.encode(write.changed, { sort_keys = true })
      if not groups[text] then groups[text], order[#order + 1] = { changed = write.changed, pks = {} }, text end
      local pks = groups[text].pks
      pks[#pks + 1] = write.pk
    end
  end
  for _, text in ipairs(order) do
    local group = groups[text]
    if #group.pks == 1 then
      tasks[#tasks + 1] = { pk = group.pks[1], changed = group.changed, n = 1 }
    else
      for first = 1, #group.pks, dialect.BULK_ROWS do
        local pks = table.move(group.pks, first, math.min(first + dialect.BULK_ROWS - 1, #group.pks), 1, {})
        tasks[#tasks + 1] = { where = where_clause({ PK_ID = pks }), changed = group.changed, n = #pks }
      end
    end
  end
  for first = 1, #inserts, size do
    tasks[#tasks + 1] = { inserts = table.move(inserts, first, math.min(first + size - 1, #inserts), 1, {}) }
  end
  local function insert_chunk(chunk)
    local pending, attempts = chunk, native.max_attempts()
    for attempt = 1, attempts do
      local body = {}
      for k, write in ipairs(pending) do body[k] = write.row end
      local ok, outcomes = pcall(dialect.insert_rows, path, body)
      if ok then
        local failed, written = {}, 0
        for k, outcome in ipairs(outcomes) do
          if outcome.pk ~= nil then
            written = written + 1
          else
            local i = pending[k].index
            failed[#failed + 1] = { index = lines and lines[i] or i, row = pending[k].row, status = outcome.status, code = outcome.code, message = outcome.message }
          end
        end
        native.count_rows(0, written)
        counts.inserted = counts.inserted + written
        advance(written)
        if #failed > 0 then partly_inserted(failed, {}, #chunk, nil, path .. "/bulk", lines and LINES or ROWS) end
        return
      end
      if not may_have_landed(outcomes) or attempt >= attempts then error(outcomes, 0) end
      local rows = {}
      for k, write in ipairs(pending) do rows[k] = write.row end
      -- By the keys only: other chunks may be inserting meanwhile, which a whole-table read
      -- would see as rows added during it.
      local found = existing_rows(t, rows, keys, keys, true)
      local missing = {}
      for _, write in ipairs(pending) do
        if found[internal.key_of(write.row, keys)] then
          native.count_rows(0, 1)
          counts.inserted = counts.inserted + 1
          advance(1)
        else
          missing[#missing + 1] = write
        end
      end
      if #missing == 0 then return end
      pending = missing
    end
  end
  caspio.map(tasks, function(task)
    if task.inserts then return insert_chunk(task.inserts) end
    if task.pk ~= nil then
      native.count_rows(0, dialect.patch_record(path, task.pk, task.changed))
    else
      native.count_rows(0, dialect.update_where(path, task.where, task.changed))
    end
    counts.updated = counts.updated + task.n
    advance(task.n)
  end, { concurrency = concurrency_of(opts, 4) })
end

--- Syncs rows into the table by key: rows whose key is missing are inserted, rows that differ
--- in any field they give are updated (those fields only), identical rows cost no request.
--- Fields Caspio generates (PK_ID, GUIDs, timestamps) are neither compared nor written.
function Table:upsert(rows, opts)
  opts = internal.check_options("upsert", opts)
  if type(rows) ~= "table" then usage("bad argument #1 to 'upsert' (list of rows expected)") end
  if opts.key == nil then usage("upsert needs {key = \"Field\"} (or a list of fields): the fields that identify a row") end
  local counts = { inserted = 0, updated = 0, unchanged = 0, duplicated = 0 }
  if #rows == 0 then return counts end
  local keys = key_fields(self, internal.list_of(opts.key))
  local lines = opts.lines
  internal.check_keys(rows, keys, function(i) return lines and lines[i] and "line " .. lines[i] or "row " .. i end)

  local dialect = internal.dialect()
  local selected = field_list(rows, keys)
  -- v4 updates a changed row by its PK_ID: read it beside the rest, at no extra request.
  local has_pk = false
  for _, name in ipairs(selected) do has_pk = has_pk or name == "PK_ID" end
  if dialect.BULK_ROWS and not has_pk and internal.design(self).by_name.PK_ID then selected[#selected + 1] = "PK_ID" end
  local found, twice
  found, counts.duplicated, twice = existing_rows(self, rows, keys, selected)
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
      writes[#writes + 1] = { row = without(row, generated), index = i }
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
        local key = internal.key_of(row, keys)
        writes[#writes + 1] = { changed = changed, where = match, pk = not twice[key] and old.PK_ID or nil, index = i }
      end
    end
  end

  local done, progress = counts.unchanged, opts.progress
  if progress then progress(done) end
  if dialect.BULK_ROWS then
    bulk_writes(self, writes, keys, opts, counts, function(n)
      done = done + n
      if progress then progress(done) end
    end)
    return counts
  end
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
