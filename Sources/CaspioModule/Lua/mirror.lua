-- caspio.mirror: a live SQL copy of tables, a few calls a run. The first run copies each table
-- whole; later runs read only the rows changed since a cursor (minus a lookback window), find
-- deletes by comparing key sets, and follow the tables' designs. Every table's changes land in
-- one transaction of the target, so a reader never sees half of them and a killed run is
-- simply redone.
local caspio, internal = ...
local native, json, usage = internal.native, internal.json, internal.usage
local format, concat = string.format, table.concat

-- The table in the target that remembers, per mirrored table, where the last run ended.
local STATE = "_caspio_mirror"
-- The name a table is copied under before it replaces the old one.
local NEW_SUFFIX = "__caspio_new"

-- The source ------------------------------------------------------------------------------
-- What a mirror asks of Caspio, in one place, so that another API version (v4's bulk reads and
-- aggregates) can take its place: a table's fields, its rows (all, since a stamp, by keys), its
-- keys.

local v3 = {}

function v3.fields(t) return t:fields() end

-- The rows through the ordered pager, reading ahead; `where`: Caspio's clause, nil for all.
function v3.rows(t, where, select)
  local opts = { prefetch = 3, where = where, select = select }
  return internal.read_rows(format("caspio.mirror(%q)", t.name), t:path("/records"), opts)
end

function v3.changed(t, field, from) return v3.rows(t, format("%s >= %s", field, caspio.sql.quote(from))) end

function v3.keys(t) return v3.rows(t, nil, "PK_ID") end

-- Integer keys, at most 100 a request (Caspio's URIs end at 2,047 characters).
v3.keys_per_read = 100
function v3.by_keys(t, keys) return v3.rows(t, "PK_ID IN (" .. concat(keys, ",") .. ")") end

-- A count with a checksum over the rows of `fields`, in one call: "COUNT:CHECKSUM", equal
-- between two reads when no row was added, changed or removed (as far as a 32-bit checksum
-- tells; the key comparison and --full remain for certainty). Only v4's T-SQL clauses take
-- aggregates like it (v3: nil, "v3"); a Caspio that refuses it (a 4xx other than those of a
-- missing table or of the account) gives nil and its message, and the rows are read instead.
local CHECKSUM = "COUNT(*) AS n, CHECKSUM_AGG(BINARY_CHECKSUM(%s)) AS c"
-- Room the rest of the URI takes beside the encoded select (base URL, the other parameters).
local CHECKSUM_URI_ROOM = 300

function v3.checksum(t, fields)
  local dialect = internal.dialect()
  if dialect.version < 4 then return nil, "v3" end
  local names = {}
  for i, field in ipairs(fields) do names[i] = field.name end
  local select = format(CHECKSUM, concat(names, ", "))
  -- Measured as the client measures a URI (encoded), so a wide table reads in full instead of
  -- failing on the URI limit.
  if internal.encoded_length(select) + CHECKSUM_URI_ROOM > internal.max_uri_length then return nil, "too many fields for one call" end
  local ok, body = pcall(caspio.get, t:path("/records"), dialect.records_query({ select = select }))
  if not ok then
    local status = type(body) == "table" and body.status
    if math.type(status) ~= "integer" or status < 400 or status > 499 or status == 401 or status == 404 or status == 429 then error(body, 0) end
    return nil, format("Caspio refused the checksum: %s", body.message or status)
  end
  local row = type(body) == "table" and (body.data or body.Data)
  row = type(row) == "table" and row[1]
  local n, c = type(row) == "table" and row.n, type(row) == "table" and row.c
  if math.type(n) ~= "integer" then return nil, "the checksum's answer has no count" end
  return format("%d:%s", n, math.type(c) == "integer" and c or "null")
end

-- Designs ----------------------------------------------------------------------------------

-- The fields a mirror copies: every one but PASSWORD fields, which reads never show.
local function mirrored_fields(fields)
  local out = {}
  for _, field in ipairs(fields) do
    if field.Type ~= "PASSWORD" then out[#out + 1] = { name = field.Name, type = field.Type, on_update = field.OnUpdate == true } end
  end
  return out
end

-- The design as the state table keeps it: "PK_ID:AUTONUMBER,Name:STRING"; and back.
local function fingerprint(fields)
  local parts = {}
  for i, field in ipairs(fields) do parts[i] = field.name .. ":" .. field.type end
  return concat(parts, ",")
end

local function from_fingerprint(text)
  local out = {}
  for name, kind in (text or ""):gmatch("([^,:]+):([^,]+)") do out[#out + 1] = { name = name, type = kind } end
  return out
end

-- A field Caspio stamps on every update: TIMESTAMP with "on update".
local function stamped_field(fields)
  for _, field in ipairs(fields) do
    if field.type == "TIMESTAMP" and field.on_update then return field.name end
  end
  return nil
end

local DATE_TYPES = { ["DATE/TIME"] = true, TIMESTAMP = true }

-- Values -----------------------------------------------------------------------------------

-- A cell as the target stores it: null as nil, LIST (an object of item id to value) and any
-- other table as JSON text; booleans, numbers and text as they are.
local function cell(value)
  if value == json.null then return nil end
  if type(value) == "table" then return json.encode(value, { sort_keys = true }) end
  return value
end

local function row_values(row, columns)
  local values = {}
  for i, column in ipairs(columns) do values[i] = cell(row[column.name]) end
  return values
end

-- The cursor minus the lookback, as Caspio's date text (naive wall-clock time both ways).
local function since(cursor, lookback)
  local ok, date = pcall(caspio.date.parse, cursor)
  if not ok then return cursor end
  return caspio.date.format(os.time(date) - lookback)
end

-- Rows written per INSERT by a copy, a key comparison and an incremental run's upserts: one
-- statement (one round trip to a PostgreSQL server) per 100 rows, not per row; fewer for wide
-- tables, within SQLite's 32,766 parameters.
local ROWS_PER_INSERT = 100
-- Rows a bulk append (PostgreSQL's COPY) takes at once: a page of Caspio's.
local ROWS_PER_APPEND = 1000

local function rows_per_statement(width) return math.max(1, math.min(ROWS_PER_INSERT, 30000 // width)) end

-- A writer of rows into `columns` (bare names) of the table `name` (bare), by the target's bulk
-- append while it has one, else ROWS_PER_INSERT rows an INSERT; a row whose key is already
-- there (a page read twice) is written once. Call add(values) per row, then flush().
local function batch_writer(db, q, name, columns)
  local width, quoted = #columns, {}
  for i, column in ipairs(columns) do quoted[i] = q(column) end
  local head = format("INSERT INTO %s (%s) VALUES ", q(name), concat(quoted, ", "))
  local one, per = "(" .. string.rep("?", width, ", ") .. ")", rows_per_statement(width)
  local bulk = true
  local pending, count = {}, 0
  local writer = {}
  function writer.flush()
    if count == 0 then return end
    if bulk then bulk = db:append(name, columns, pending, count) end
    if not bulk then
      for first = 0, count - 1, per do
        local n = math.min(per, count - first)
        db:run(head .. string.rep(one, n, ", ") .. " ON CONFLICT DO NOTHING", table.unpack(pending, first * width + 1, (first + n) * width))
      end
    end
    pending, count = {}, 0
  end
  function writer.add(values)
    local base = count * width
    for i = 1, width do pending[base + i] = values[i] end
    count = count + 1
    if count >= (bulk and ROWS_PER_APPEND or per) then writer.flush() end
  end
  return writer
end

-- One table ----------------------------------------------------------------------------------

local Job = {}
Job.__index = Job

local function calls_now() return native.stats().requests end

function Job:log(message, ...)
  local line = format(message, ...)
  self.record.notes[#self.record.notes + 1] = line
  native.log("info", self.name .. ": " .. line)
end

function Job:state()
  self.db:exec(format([[CREATE TABLE IF NOT EXISTS %s (table_name TEXT PRIMARY KEY, last_run TEXT, cursor_field TEXT,
    cursor TEXT, row_count INTEGER, fingerprint TEXT, runs INTEGER, keys_run INTEGER, source_id TEXT, checksum TEXT)]], self.q(STATE)))
  -- A state table made before ids and checksums were kept gets their columns.
  local has = {}
  for _, column in ipairs(self.dialect.columns(self.db, STATE)) do has[column.name] = true end
  for _, name in ipairs({ "source_id", "checksum" }) do
    if not has[name] then self.db:exec(format("ALTER TABLE %s ADD COLUMN %s TEXT", self.q(STATE), name)) end
  end
  local rows = self.db:run(format("SELECT cursor_field, cursor, row_count, fingerprint, runs, keys_run, source_id, checksum FROM %s WHERE table_name = ?", self.q(STATE)), self.name)
  local row = rows[1]
  if row == nil then return nil end
  return { cursor_field = row[1], cursor = row[2], row_count = row[3], fingerprint = row[4], runs = row[5] or 0, keys_run = row[6] or 0, source_id = row[7], checksum = row[8] }
end

function Job:save_state(values)
  local q = self.q
  self.db:run(format([[INSERT INTO %s (table_name, last_run, cursor_field, cursor, row_count, fingerprint, runs, keys_run, source_id, checksum)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (table_name) DO UPDATE SET last_run = excluded.last_run,
    cursor_field = excluded.cursor_field, cursor = excluded.cursor, row_count = excluded.row_count,
    fingerprint = excluded.fingerprint, runs = excluded.runs, keys_run = excluded.keys_run, source_id = excluded.source_id,
    checksum = excluded.checksum]], q(STATE)),
    self.name, os.date("!%Y-%m-%dT%H:%M:%SZ"), values.cursor_field, values.cursor, values.row_count, values.fingerprint,
    values.runs, values.keys_run, internal.dialect().id("tables", self.name), values.checksum)
end


function Job:create(name, columns)
  local q, d = self.q, self.dialect
  local defs = {}
  for i, column in ipairs(columns) do
    defs[i] = q(column.name) .. " " .. (column.sql or d.column_type(column.type)) .. (column.name == "PK_ID" and " PRIMARY KEY" or "")
  end
  self.db:exec(format("CREATE TABLE %s (%s)", q(name), concat(defs, ", ")))
end

-- The statements that write `columns` into the table `name` (the mirrored table by default):
-- an upsert that changes a row only when a value differs, and a key's lookup. `stamp`: a
-- field Caspio stamps on update; a row whose stamp is older than the mirror's is not written
-- (a webhook's event delivered after a run read a newer row).
function Job:statements(columns, name, stamp)
  local q, names, marks, sets, differs = self.q, {}, {}, {}, {}
  local t = q(name or self.name)
  for i, column in ipairs(columns) do
    names[i], marks[i] = q(column.name), "?"
    if column.name ~= "PK_ID" then
      sets[#sets + 1] = format("%s = excluded.%s", q(column.name), q(column.name))
      differs[#differs + 1] = format("%s.%s IS DISTINCT FROM excluded.%s", t, q(column.name), q(column.name))
    end
  end
  return {
    head = format("INSERT INTO %s (%s) VALUES ", t, concat(names, ", ")), one = "(" .. concat(marks, ", ") .. ")",
    tail = ' ON CONFLICT ("PK_ID") DO ' .. (#sets == 0 and "NOTHING" or format("UPDATE SET %s WHERE (%s)%s", concat(sets, ", "), concat(differs, " OR "),
      stamp and format(" AND (%s.%s IS NULL OR excluded.%s >= %s.%s)", t, q(stamp), q(stamp), t, q(stamp)) or "")),
    per = rows_per_statement(#columns),
  }
end

-- Upserts a row read: batched, one statement a batch (a row read twice is written once, as
-- last read); `upserting` flushes the batch and counts.
function Job:apply(row)
  local batch = self.batch
  local at = batch.index[row.PK_ID]
  if at == nil then
    at = #batch.rows + 1
    batch.index[row.PK_ID] = at
  end
  batch.rows[at] = row_values(row, self.columns)
  if #batch.rows >= self.sql.per then self:flush() end
end

function Job:flush()
  local rows, width = self.batch.rows, #self.columns
  self.batch = { rows = {}, index = {} }
  if #rows == 0 then return end
  local values = {}
  for i, row in ipairs(rows) do
    for j = 1, width do values[(i - 1) * width + j] = row[j] end
  end
  local sql = self.sql
  local _, changes = self.db:run(sql.head .. string.rep(sql.one, #rows, ", ") .. sql.tail, table.unpack(values, 1, #rows * width))
  self.changes = self.changes + changes
end

-- Runs `apply_rows`, which applies rows, and counts what they did: the rows the table gained
-- were inserted, the other rows the upserts changed were updated (an upsert changes no row
-- already as it is).
function Job:upserting(apply_rows)
  local count = function() return self.db:run(format("SELECT count(*) FROM %s", self.q(self.name)))[1][1] end
  local before = count()
  self.batch, self.changes = { rows = {}, index = {} }, 0
  apply_rows()
  if self.redo then return end
  self:flush()
  local inserted = count() - before
  self.record.inserted = self.record.inserted + inserted
  self.record.updated = self.record.updated + self.changes - inserted
end

-- Whether a row read holds exactly the columns the mirror knows (a field added or removed in
-- Caspio since the design was last read shows here first).
function Job:matches(row)
  local count = 0
  for name in pairs(row) do
    if not self.known[name] then return false end
    count = count + 1
  end
  return count == #self.columns
end

-- The first copy, or a rebuild: every row into a new table, which then replaces the old one;
-- the counts are the difference between the two.
function Job:copy(fields, existing)
  local q, db, name = self.q, self.db, self.name
  local new = name .. NEW_SUFFIX
  db:exec(format("DROP TABLE IF EXISTS %s", q(new)))
  local columns = {}
  for i, field in ipairs(fields) do columns[i] = field end
  -- Columns of fields Caspio no longer has stay, with their values, unless pruned.
  local kept = {}
  local wanted = {}
  for _, field in ipairs(fields) do wanted[field.name] = true end
  for _, column in ipairs(existing or {}) do
    if not wanted[column.name] and not self.opts.prune then
      kept[#kept + 1] = column.name
      columns[#columns + 1] = { name = column.name, sql = column.type }
    end
  end
  self:create(new, columns)
  local names = {}
  for i, field in ipairs(fields) do names[i] = field.name end
  local writer = batch_writer(db, q, new, names)
  local n = 0
  for row in self.source.rows(self.t) do
    writer.add(row_values(row, fields))
    n = n + 1
  end
  writer.flush()
  local r = self.record
  if existing then
    local common = {}
    local present = {}
    for _, column in ipairs(existing) do present[column.name] = column.type end
    for _, field in ipairs(fields) do
      local was = present[field.name]
      if was and field.name ~= "PK_ID" then
        -- A retyped column compares as text (PostgreSQL compares no timestamp with text).
        local retyped = was:upper() ~= self.dialect.column_type(field.type):upper()
        local o, n = "o." .. q(field.name), "n." .. q(field.name)
        if retyped then o, n = format("CAST(%s AS TEXT)", o), format("CAST(%s AS TEXT)", n) end
        common[#common + 1] = format("%s IS DISTINCT FROM %s", o, n)
      end
    end
    local count = function(sql) return db:run(sql)[1][1] end
    r.inserted = count(format('SELECT count(*) FROM %s n WHERE NOT EXISTS (SELECT 1 FROM %s o WHERE o."PK_ID" = n."PK_ID")', q(new), q(name)))
    r.deleted = count(format('SELECT count(*) FROM %s o WHERE NOT EXISTS (SELECT 1 FROM %s n WHERE o."PK_ID" = n."PK_ID")', q(name), q(new)))
    if #common > 0 then
      r.updated = count(format('SELECT count(*) FROM %s o JOIN %s n ON o."PK_ID" = n."PK_ID" WHERE %s', q(name), q(new), concat(common, " OR ")))
    end
    for _, column in ipairs(kept) do
      db:run(format('UPDATE %s SET %s = (SELECT o.%s FROM %s o WHERE o."PK_ID" = %s."PK_ID")', q(new), q(column), q(column), q(name), q(new)))
    end
    db:exec(format("DROP TABLE %s", q(name)))
  else
    r.inserted = n
  end
  db:exec(format("ALTER TABLE %s RENAME TO %s", q(new), q(name)))
  self.dialect.renamed(db, name)
end

-- Adds the columns of new fields, drops (with prune) or keeps those of removed ones; returns
-- true when a field changed type, which takes a rebuild.
function Job:follow(fields, existing)
  local q, have, wanted = self.q, {}, {}
  for _, column in ipairs(existing) do have[column.name] = column end
  for _, field in ipairs(fields) do
    wanted[field.name] = true
    local column = have[field.name]
    if column and column.type:upper() ~= self.dialect.column_type(field.type):upper() then
      self:log("field %s is now %s (was %s): the table is copied anew", field.name, field.type, column.type)
      return true
    end
  end
  for _, field in ipairs(fields) do
    if not have[field.name] then
      self.db:exec(format("ALTER TABLE %s ADD COLUMN %s %s", q(self.name), q(field.name), self.dialect.column_type(field.type)))
      self:log("new field %s (%s): column added", field.name, field.type)
    end
  end
  for _, column in ipairs(existing) do
    if not wanted[column.name] and column.name ~= "PK_ID" then
      if self.opts.prune then
        self.db:exec(format("ALTER TABLE %s DROP COLUMN %s", q(self.name), q(column.name)))
        self:log("field %s is gone: column dropped (prune)", column.name)
      elseif self.removed[column.name] then
        self:log("field %s is gone: column kept (prune drops it)", column.name)
      end
    end
  end
  return false
end

-- Later runs: the rows changed since the cursor (or every row, without one), upserted; then
-- the key sets compared, when due, for deletes (and rows no cursor showed).
function Job:sync(cursor_field, from)
  local q, db, source = self.q, self.db, self.source
  local whole = cursor_field == nil
  local seen = whole and {} or nil
  -- A call, not an `and/or` expression, so that the loop gets all four of the pager's values:
  -- the fourth cancels the pages read ahead when the loop ends early.
  local function rows()
    if whole then return source.rows(self.t) end
    return source.changed(self.t, cursor_field, from)
  end
  self:upserting(function()
    for row in rows() do
      if not self.fresh and not self:matches(row) then
        -- The design changed since it was last read: the table is done again, reading it.
        self.redo = true
        return
      end
      self:apply(row)
      if seen then seen[#seen + 1] = row.PK_ID end
    end
  end)
  if self.redo then return end
  if not (whole or self.keys_due) then return end
  if not whole then
    seen = {}
    for row in source.keys(self.t) do seen[#seen + 1] = row.PK_ID end
  end
  -- The session's own table (a temporary one comes first by its bare name, in both targets).
  db:exec("CREATE TEMP TABLE IF NOT EXISTS caspio_mirror_keys (k bigint PRIMARY KEY)")
  db:exec("DELETE FROM caspio_mirror_keys")
  local keys = batch_writer(db, q, "caspio_mirror_keys", { "k" })
  for _, key in ipairs(seen) do keys.add({ key }) end
  keys.flush()
  local _, deleted = db:run(format('DELETE FROM %s WHERE "PK_ID" NOT IN (SELECT k FROM caspio_mirror_keys)', q(self.name)))
  self.record.deleted = self.record.deleted + deleted
  if whole then return end
  -- Keys Caspio has and the mirror lacks (a row whose cursor is empty, say): read by key.
  local missing = db:run(format('SELECT k FROM caspio_mirror_keys WHERE k NOT IN (SELECT "PK_ID" FROM %s) ORDER BY k', q(self.name)))
  local step = source.keys_per_read
  self:upserting(function()
    for first = 1, #missing, step do
      local keys = {}
      for i = first, math.min(first + step - 1, #missing) do keys[#keys + 1] = tostring(missing[i][1]) end
      for row in source.by_keys(self.t, keys) do self:apply(row) end
    end
  end)
end

-- One attempt at the table, inside the target's transaction.
function Job:attempt(force_design)
  local db, q, opts = self.db, self.q, self.opts
  local state = self:state()
  -- On v4, the table's id from the last run spares the listing that maps names to ids.
  if state and state.source_id and not force_design then
    self.remembered = true
    internal.dialect().remember("tables", self.name, state.source_id)
  end
  local existing = self.dialect.columns(db, self.name)
  local runs = (state and state.runs or 0) + 1
  self.keys_due = state ~= nil and runs - (state.keys_run or 0) >= opts.deletes_every
  local fields
  local fresh = force_design or opts.full or state == nil or existing == nil or self.keys_due
  self.fresh = fresh
  if fresh then
    fields = mirrored_fields(self.source.fields(self.t))
    self.removed = {}
    if state then
      local now = {}
      for _, field in ipairs(fields) do now[field.name] = true end
      for _, field in ipairs(from_fingerprint(state.fingerprint)) do
        if not now[field.name] then self.removed[field.name] = true end
      end
    end
  else
    fields = from_fingerprint(state.fingerprint)
  end
  local cursor_field = opts.cursors[self.name] or (fresh and stamped_field(fields)) or (state and state.cursor_field)
  if cursor_field then
    local found
    for _, field in ipairs(fields) do if field.name == cursor_field then found = field end end
    if (found == nil or not DATE_TYPES[found.type]) and not opts.cursors[self.name] then
      -- The remembered cursor's field is gone or retyped: read in full until another is named.
      self:log("the cursor field %s is gone: the table is read in full", cursor_field)
      cursor_field = nil
    elseif found == nil or not DATE_TYPES[found.type] then
      internal.bad_input(format("the cursor %s.%s is %s: a cursor must be a DATE/TIME or TIMESTAMP field stamped on every change",
        self.name, cursor_field, found and ("a " .. found.type .. " field") or "no field of the table"), { field = cursor_field })
    end
  end
  self.columns, self.known = fields, {}
  for _, field in ipairs(fields) do self.known[field.name] = true end
  local r = self.record
  local rebuild = opts.full or state == nil or existing == nil
  if not rebuild and fresh then rebuild = self:follow(fields, self.dialect.columns(db, self.name)) end
  local keys_run = state and state.keys_run or 0
  -- Without a cursor, the count and checksum taken before the rows are read: a row changed
  -- meanwhile makes the next run's differ, and that run reads the table again.
  local checksum, why
  if not cursor_field then checksum, why = self.source.checksum(self.t, fields) end
  if why and why ~= "v3" then self:log("%s: the table is read in full", why) end
  if rebuild then
    r.mode = existing and "copied anew" or "copied"
    self:copy(fields, existing)
    keys_run = runs
  else
    self.sql = self:statements(fields)
    local cursor = state.cursor_field == cursor_field and state.cursor or nil
    if cursor_field and cursor then
      local from = since(cursor, opts.lookback)
      r.mode = "changes since " .. from
      self:sync(cursor_field, from)
    elseif checksum and checksum == state.checksum and fingerprint(fields) == state.fingerprint then
      r.mode = "unchanged (no cursor; count and checksum as last run)"
    else
      if checksum and state.checksum then self:log("count or checksum changed since the last run: the table is read in full") end
      r.mode = cursor_field and "read in full (cursor " .. cursor_field .. " starts)" or "read in full (no cursor)"
      self:sync(nil)
    end
    if self.redo then return end
    if self.keys_due or not (cursor_field and cursor) then keys_run = runs end
  end
  local cursor = cursor_field and db:run(format("SELECT max(%s) FROM %s", q(cursor_field), q(self.name)))[1][1] or nil
  r.rows = db:run(format("SELECT count(*) FROM %s", q(self.name)))[1][1]
  self:save_state({ cursor_field = cursor_field, cursor = cursor, row_count = r.rows, fingerprint = fingerprint(fields), runs = runs, keys_run = keys_run, checksum = checksum })
end

-- The table, in one transaction: committed (rolled back in a dry run), or rolled back on any
-- error, a stop included, and the error raised again.
function Job:run(events)
  local db = self.db
  local before = calls_now()
  for try = 1, 2 do
    self.redo = false
    self.dialect.begin(db)
    local ok, err
    if events then ok, err = pcall(self.events, self, events) else ok, err = pcall(self.attempt, self, try > 1) end
    if not ok or self.redo or self.opts.dry_run then db:exec("ROLLBACK") else db:exec("COMMIT") end
    -- A remembered id that no longer names the table (it was made again): listed anew.
    if not ok and self.remembered and type(err) == "table" and err.status == 404 and try == 1 then
      internal.dialect().remember("tables", self.name, nil)
      self.redo, ok = true, true
    end
    self.remembered = false
    if not ok then error(err, 0) end
    if not self.redo then break end
    self.record.inserted, self.record.updated, self.record.deleted, self.record.notes = 0, 0, 0, {}
  end
  self.record.calls = calls_now() - before
  return self.record
end

-- Webhook events ------------------------------------------------------------------------------
-- Caspio's webhooks deliver a table's inserts, updates and deletes at least once and in any
-- order (API-NOTES.md, "Outgoing webhooks"); an insert's or update's message carries the whole
-- row. Per row, the newest event decides, and `_caspio_mirror_events` keeps the newest applied
-- (deletes included), so that an older event delivered later changes nothing.

local EVENTS = "_caspio_mirror_events"
-- Events of one eventDate (Caspio's has whole seconds) in the order a row lives through them.
local EVENT_RANK = { ["table.recordInsert"] = 1, ["table.recordUpdate"] = 2, ["table.recordDelete"] = 3 }

-- An event's place in time as text that sorts: its eventDate (naive, as Caspio's dates are;
-- one with an offset moved to UTC), seven digits of fraction, then its rank; nil when the
-- message has no date of that form.
local function event_key(message)
  local date = message.eventDate
  if type(date) ~= "string" then return nil end
  local y, mo, d, h, mi, sec, fraction, zone = date:match("^(%d%d%d%d)%-(%d%d)%-(%d%d)[T ](%d%d):(%d%d):(%d%d)%.?(%d*)(.*)$")
  if y == nil then return nil end
  local stamp = format("%s-%s-%sT%s:%s:%s", y, mo, d, h, mi, sec)
  if zone ~= "" and zone ~= "Z" then
    local sign, zh, zm = zone:match("^([+-])(%d%d):?(%d%d)$")
    if sign == nil then return nil end
    local offset = (tonumber(zh) * 3600 + tonumber(zm) * 60) * (sign == "+" and 1 or -1)
    local t = os.time({ year = tonumber(y), month = tonumber(mo), day = tonumber(d), hour = tonumber(h), min = tonumber(mi), sec = tonumber(sec) })
    stamp = os.date("%Y-%m-%dT%H:%M:%S", t - offset)
  end
  return format("%s.%s/%d", stamp, (fraction .. "0000000"):sub(1, 7), EVENT_RANK[message.eventType])
end

-- The events of `messages` by table (lower case): {key, type, row} per row, oldest first (a
-- key's ties in the order received); `skipped`: messages no mirror can use, with why.
local function events_by_table(messages)
  local by_table, skipped, order = {}, {}, 0
  for _, message in ipairs(messages) do
    local key = type(message) == "table" and EVENT_RANK[message.eventType] and event_key(message)
    local data = type(message) == "table" and message.data
    if not key or type(message.objectName) ~= "string" or type(data) ~= "table" then
      skipped[#skipped + 1] = type(message) == "table" and tostring(message.messageId) or "?"
    else
      local list = by_table[message.objectName:lower()] or { name = message.objectName }
      by_table[message.objectName:lower()] = list
      for _, row in ipairs(data) do
        order = order + 1
        list[#list + 1] = { key = key, type = message.eventType, row = row, order = order }
      end
    end
  end
  for _, list in pairs(by_table) do
    table.sort(list, function(a, b) if a.key ~= b.key then return a.key < b.key end return a.order < b.order end)
  end
  return by_table, skipped
end

-- Applies `events` (events_by_table's list of this table) to a table already mirrored: per
-- row the newest event, unless the row has had a newer one; the rows' writes through the
-- statements a run uses. A table not mirrored yet is left to the next run, as is a row whose
-- fields are not the mirror's (the design changed: the next run follows it).
function Job:events(events)
  local db, q, r = self.db, self.q, self.record
  local state = self:state()
  r.mode = format("%d webhook event%s", #events, #events == 1 and "" or "s")
  if state == nil or self.dialect.columns(db, self.name) == nil then
    self:log("not mirrored yet: its events are left to the next run")
    return
  end
  db:exec(format("CREATE TABLE IF NOT EXISTS %s (table_name TEXT, pk_id BIGINT, event_key TEXT, PRIMARY KEY (table_name, pk_id))", q(EVENTS)))
  local fields = from_fingerprint(state.fingerprint)
  self.columns, self.known = fields, {}
  for _, field in ipairs(fields) do self.known[field.name] = true end
  self.sql = self:statements(fields, nil, state.cursor_field)
  local newest, keys = {}, {}
  for _, event in ipairs(events) do
    local id = type(event.row) == "table" and event.row.PK_ID
    if math.type(id) == "integer" then
      if newest[id] == nil then keys[#keys + 1] = id end
      newest[id] = event
    end
  end
  table.sort(keys)
  local older, foreign, apply, deletes = 0, 0, {}, {}
  for _, id in ipairs(keys) do
    local event = newest[id]
    local applied = db:run(format("SELECT event_key FROM %s WHERE table_name = ? AND pk_id = ?", q(EVENTS)), self.name, id)[1]
    if applied and applied[1] and event.key < applied[1] then
      older = older + 1
    elseif event.type ~= "table.recordDelete" and not self:matches(event.row) then
      foreign = foreign + 1
    else
      if event.type == "table.recordDelete" then deletes[#deletes + 1] = id else apply[#apply + 1] = event.row end
      db:run(format("INSERT INTO %s (table_name, pk_id, event_key) VALUES (?, ?, ?) ON CONFLICT (table_name, pk_id) DO UPDATE SET event_key = excluded.event_key", q(EVENTS)),
        self.name, id, event.key)
    end
  end
  if older > 0 then self:log("%d event%s older than the row's last applied: ignored", older, older == 1 and "" or "s") end
  if foreign > 0 then self:log("%d row%s with fields other than the mirror's: left to the next run", foreign, foreign == 1 and "" or "s") end
  self:upserting(function() for _, row in ipairs(apply) do self:apply(row) end end)
  for _, id in ipairs(deletes) do
    local _, deleted = db:run(format('DELETE FROM %s WHERE "PK_ID" = ?', q(self.name)), id)
    r.deleted = r.deleted + deleted
  end
  r.rows = db:run(format("SELECT count(*) FROM %s", q(self.name)))[1][1]
  -- Without a cursor, the next run tells an unchanged table by Caspio's checksum, which says
  -- nothing of what the events wrote here: that run reads the table in full.
  db:run(format("UPDATE %s SET row_count = ?%s WHERE table_name = ?", q(STATE), state.cursor_field and "" or ", checksum = NULL"), r.rows, self.name)
end

-- The run -------------------------------------------------------------------------------------

local function cursors(value)
  local out = {}
  if value == nil then return out end
  for _, text in ipairs(type(value) == "string" and { value } or value) do
    for spec in text:gmatch("[^,]+") do
      local t, f = spec:match("^%s*([^.%s]+)%.([^.%s]+)%s*$")
      if not t then usage("cursor %q: write TABLE.FIELD (e.g. Orders.Modified)", spec) end
      out[t] = f
    end
  end
  return out
end

-- The tables named, each once, in the order given.
local function names(value)
  local out, seen = {}, {}
  for _, text in ipairs(type(value) == "string" and { value } or value) do
    for name in text:gmatch("[^,%s]+") do
      if not seen[name] then out[#out + 1], seen[name] = name, true end
    end
  end
  return out
end

--- The line that reports one table's run (or the total's, with `tables` set).
function internal.mirror_line(r)
  local counts = format("%d inserted, %d updated, %d deleted, %d call%s", r.inserted, r.updated, r.deleted, r.calls, r.calls == 1 and "" or "s")
  if r.tables then return format("total: %d table%s, %s", r.tables, r.tables == 1 and "" or "s", counts) end
  return format("%s: %s: %s; %d rows", r.table, r.mode, counts, r.rows or 0)
end

--- Mirrors tables into a SQL target; returns {tables = {record…}, total = record}, each
--- record {table, mode, inserted, updated, deleted, calls, rows, notes, line}.
function caspio.mirror(opts)
  if type(opts) ~= "table" then usage("bad argument #1 to 'mirror' (options table expected: {target = \"sqlite:caspio.db\", tables = {…}})") end
  opts = internal.check_options("mirror", opts)
  local target = internal.mirror_target(opts.target)
  if (opts.tables ~= nil) == (opts.all == true) then usage("mirror: give tables = {\"A\", \"B\"} or all = true (one of them)") end
  local settings = {
    full = opts.full == true, prune = opts.prune == true, cursors = cursors(opts.cursor),
    lookback = opts.lookback or 600, deletes_every = opts.deletes_every or 1,
    dry_run = opts.dry_run == nil and native.dry_run() or opts.dry_run == true,
  }
  if settings.lookback < 0 then usage("mirror: lookback must be seconds >= 0 (got %s)", tostring(settings.lookback)) end
  local start = calls_now()
  -- The target first: one that cannot be opened costs no call.
  local dialect = target.dialect
  local db = dialect.open(target.location, settings.dry_run)
  local closing <close> = setmetatable({}, { __close = function() db:close() end })
  -- Webhook events need no call: the tables they name that are mirrored (by name, in the
  -- state table), or of those named, each in the case its events spell it.
  local by_table, skipped
  if opts.events then by_table, skipped = events_by_table(opts.events) end
  local list
  if by_table then
    local wanted = {}
    if not opts.all then for _, name in ipairs(names(opts.tables)) do wanted[name:lower()] = name end end
    list = {}
    for lower, events in pairs(by_table) do
      if opts.all or wanted[lower] then list[#list + 1] = wanted[lower] or events.name end
    end
    table.sort(list)
    for _, id in ipairs(skipped) do native.log("warning", "mirror: webhook message " .. id .. " has no table, known event type, eventDate or data: ignored") end
  else
    list = opts.all and caspio.tables() or names(opts.tables)
  end
  local report = { tables = {} }
  for _, name in ipairs(list) do
    local record = { table = name, inserted = 0, updated = 0, deleted = 0, calls = 0, notes = {} }
    local job = setmetatable({ name = name, source = v3, db = db, dialect = dialect, q = dialect.quote, opts = settings, record = record, removed = {} }, Job)
    if not by_table then job.t = caspio.table(name) end
    record = job:run(by_table and by_table[name:lower()])
    record.line = internal.mirror_line(record)
    report.tables[#report.tables + 1] = record
    if opts.each then opts.each(record) end
  end
  local total = { tables = #report.tables, inserted = 0, updated = 0, deleted = 0, calls = calls_now() - start }
  for _, r in ipairs(report.tables) do
    total.inserted, total.updated, total.deleted = total.inserted + r.inserted, total.updated + r.updated, total.deleted + r.deleted
  end
  total.line = internal.mirror_line(total)
  report.total = total
  return report
end
