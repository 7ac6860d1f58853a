---@meta caspio
-- LuaLS (lua-language-server) annotations for the `caspio` module that `caspio` scripts see
-- as the global `caspio` (and get from `require "caspio"`). Definitions only: this file is
-- never run. Point LuaLS at this directory, e.g. in the .luarc.json of your scripts:
--   { "runtime.version": "Lua 5.4", "workspace.library": ["/path/to/caspio-lua/docs"] }
-- The reference is docs/lua-api.md.

-- Values -------------------------------------------------------------------------------------

---A decoded JSON value: `caspio.json.null` stands for `null`.
---@alias caspio.JSONValue nil|boolean|integer|number|string|table|caspio.json.Null

---One row of a table or view: field name to value (`caspio.json.null` for NULL).
---@alias caspio.Row table<string, any>

---A where clause: a SQL string sent as it is; a table of field to value (string, number,
---boolean, date, list → IN, `caspio.json.null` → IS NULL, `caspio.not_null` → IS NOT NULL,
---a table of comparisons such as `{gt = 30}`, `{like = "A%"}`, `{between = {lo, hi}}`,
---`{not_in = {...}}`, `caspio.where.raw(...)`), joined with AND; or `caspio.where.raw(sql)`.
---@alias caspio.WhereClause string|table<string, any>|caspio.WhereRaw

---@alias caspio.HTTPMethod "GET"|"POST"|"PUT"|"DELETE"|string

---@alias caspio.ErrorKind "config"|"auth"|"http"|"network"|"timeout"|"budget"

-- Requests and responses ---------------------------------------------------------------------

-- <options: request>
---The options of `request`.
---@class caspio.RequestOptions
---query parameters, name → string, number or boolean (`true` → `"true"`); sent sorted by name, percent-encoded
---@field query? table<string, string|number|boolean>
---a Lua value sent as the JSON body (`Content-Type: application/json`); not with `body`
---@field json? any
---raw bytes to send as the body
---@field body? string
---the body's `Content-Type` (default `application/json` whenever there is a body)
---@field content_type? string
---extra request headers, name → string, number or boolean
---@field headers? table<string, string|number|boolean>
---seconds for the whole request, all bytes included (default 300)
---@field timeout? number
---`false` returns HTTP error answers (status ≥ 400) instead of raising them
---@field check? boolean
---stream a successful (2xx) answer's body to this file instead of memory
---@field save_to? string
---the acting user, sent as Caspio's `Principal` header for its HIPAA audit log (overrides `--principal`)
---@field principal? string
-- </options>

---@class caspio.Response
---The HTTP status.
---@field status integer
---Header name (lower case) to value; repeated headers are joined with ", ".
---@field headers table<string, string>
---The raw body ("" when empty or saved with `save_to`).
---@field body string
---The decoded body, when the answer is JSON and not empty.
---@field json? any
---X-Caspio-Request-ID (or RequestId from an error body): quote it to Caspio support.
---@field request_id? string

---An error raised by the module; `tostring(err)` reads like
---`HTTP 404 ObjectNotFound: Cannot find table 'X' (GET https://…/tables/X/records, request 4f1c…)`.
---@class caspio.Error
---@field kind caspio.ErrorKind
---What went wrong, in words (Caspio's Message for HTTP errors).
---@field message string
---The HTTP status, when a server answered.
---@field status? integer
---Caspio's Code (e.g. "ObjectNotFound") or OAuth's error (e.g. "invalid_client").
---@field code? string
---Caspio's request id.
---@field request_id? string
---@field method? string
---The request URL with its query (never a credential).
---@field url? string
---Set by `caspio.map` and `caspio.parallel`: the position of the item that failed.
---@field index? integer
---What Caspio says to do about it (REST API v4's Hint.Remediation).
---@field remediation? string
---A bulk insert (REST API v4) some of whose rows failed: one {index, row, status, code, message, uncertain?} each.
---@field failed? table[]
---A bulk insert some of whose rows failed: the rows that went in, with their PK_IDs, in input order.
---@field inserted? caspio.Row[]

---An error raised by `caspio.json`: `tostring(err)` reads like `json: … at byte 57`.
---@class caspio.JSONError
---@field kind "json"
---@field message string
---For decoding: the 1-based byte position of the problem.
---@field offset? integer
---For encoding: the path of the bad value, e.g. `$.rows[3].price`.
---@field path? string

-- Tokens, stats, configuration ---------------------------------------------------------------

---@class caspio.TokenInfo
---@field token_type string Always "bearer".
---@field expires_in? integer Seconds left, when the server gave a lifetime.
---@field expires_at? integer The expiry as a Unix time.
---@field source "network"|"cache"

---@class caspio.Stats
---Seconds since the run started (a float).
---@field duration number
---Requests sent to the resource API (every attempt: retries and replays too); what the budget limits.
---@field requests integer
---Requests by method, e.g. `{GET = 12, PUT = 250}`.
---@field requests_by_method table<string, integer>
---Attempts that were retries (waits for the account to reopen included).
---@field retries integer
---Refusals: 429 answers and 503s with Retry-After (each pauses every request of the run); a bare 503 is a retry.
---@field throttled integer
---Times the run's requests were paused for the account to reopen.
---@field pauses integer
---Seconds spent waiting for the account to reopen (a float).
---@field paused number
---Token grants by type: `client_credentials`, `refresh_token` (not counted in `requests`).
---@field grants table<string, integer>
---Body bytes received (token endpoint included).
---@field bytes_in integer
---Body bytes sent (token endpoint included).
---@field bytes_out integer
---Rows received by records/rows/all/first (whole pages; caspio.get is not counted).
---@field rows_read integer
---Rows inserted plus RecordsAffected of update and delete (table handles only).
---@field rows_written integer

---@class caspio.Config
---The profile of the config file, or nil when none was used.
---@field profile? string
---The resource endpoint, e.g. https://c1abc123.caspio.com/integrations/rest/v3
---@field base_url string
---@field token_url string
---@field client_id string
---@field auth_style "body"|"basic"
---The token cache directory, or "off".
---@field token_cache string
---The request budget, or nil for none.
---@field max_requests? integer
---Budgets across runs, counted by the usage ledger (nil when not set).
---@field max_requests_per_day? integer
---@field max_requests_per_period? integer
---Day of the month (1-28) a billing period starts.
---@field billing_day integer
---The clock of the ledger's days and periods: an IANA zone or "UTC-07:00"; "UTC" by default.
---@field billing_time_zone string
---Requests per second for the whole run (nil: no pacing).
---@field rate? number

-- Records ------------------------------------------------------------------------------------

-- <options: records>
---The options of `records`, `rows`, `all`, `users`.
---@class caspio.RecordsOptions
---filter: see [where clauses](#where-clauses)
---@field where? caspio.WhereClause
---fields to return (`"PK_ID,Name"` or `{"PK_ID", "Name"}`)
---@field select? string|string[]
---order (`"Name"`, `"PK_ID DESC"`, `{"State", "Name"}`); `PK_ID` is appended as the tiebreaker (see below)
---@field orderBy? string|string[]
---grouping, as in SQL
---@field groupBy? string|string[]
---rows per request, 5 to 1000 (default 1000)
---@field pageSize? integer
---stop after this many rows (≥ 0)
---@field limit? integer
---read `views/NAME` instead of `tables/NAME` (`caspio.records` only: handles know their kind)
---@field view? boolean
---`false`: send `orderBy` as given (or none) and let Caspio order the pages, which may repeat and skip rows (default `true`)
---@field order? boolean
---`true`: a read whose row count differs from Caspio's count raises instead of warning (see below)
---@field exact? boolean
---`records` and `rows` only: pages asked for ahead of the one the loop reads (default 1; 0: none; more is capped at 15, so that at most 16 requests are in flight; see below)
---@field prefetch? integer
---`all` only: pages read at once after the first, as `caspio.map`'s (default 4; more is capped at 16)
---@field concurrency? integer
---how a NULL field reads: `"json"` (default) as `caspio.json.null`, which JSON writes back as null; `"nil"` leaves the field out of the row, so that `row.F or ""` and string concatenation work (see below)
---@field nulls? "json"|"nil"
-- </options>

-- <options: writes>
---The options of `update`, `delete`, `set_attachment_info`, `delete_attachments`, `set_password`, `clear_password`.
---@class caspio.AllRows
---`true` with a `nil` where clause: every row of the table (every user of a directory)
---@field all? boolean
-- </options>

-- <options: first>
---The options of `first`.
---@class caspio.FirstOptions
---filter: see [where clauses](#where-clauses)
---@field where? caspio.WhereClause
---fields to return
---@field select? string|string[]
---which row comes first (default: the lowest `PK_ID`)
---@field orderBy? string|string[]
---`false`: send `orderBy` as given (see `caspio.records`)
---@field order? boolean
---how a NULL field reads (see `caspio.records`)
---@field nulls? "json"|"nil"
-- </options>

---A handle on a table or view, from `caspio.table(name)` or `caspio.view(name)`.
---@class caspio.Table
---@field name string
---@field kind "tables"|"views"
local Table = {}

---Iterates over the rows, reading `prefetch` pages ahead (as `caspio.records`).
---@param opts? caspio.RecordsOptions
---@return fun(): caspio.Row?, nil, nil, any
function Table:rows(opts) end

---Every row in one list, in order (all in memory; prefer `rows` for big tables); the pages
---after the first are read `concurrency` at a time.
---@param opts? caspio.RecordsOptions
---@return caspio.Row[]
function Table:all(opts) end

---The first matching row, or nil.
---@param opts? caspio.FirstOptions
---@return caspio.Row?
function Table:first(opts) end

---The number of matching rows, counted by Caspio in one request.
---@param where? caspio.WhereClause
---@return integer
function Table:count(where) end

---Inserts a row and returns it with its PK_ID, or a list of rows and returns them in input
---order: on v3 one request a row (`opts.concurrency` at a time, default 1), on v4 bulk
---requests of up to 1,000 rows (`opts.chunk`). On v4 a list some of whose rows failed raises
---one error with `failed` and `inserted`. Through a view, Caspio decides.
---@param row caspio.Row
---@param opts? caspio.InsertOptions
---@return caspio.Row
---@overload fun(self: caspio.Table, rows: caspio.Row[], opts?: caspio.InsertOptions): caspio.Row[]
function Table:insert(row, opts) end

---Sets `fields` on the matching rows (one request) and returns how many changed. An empty or
---always-true where clause (`1=1`, `PK_ID>0`) is refused unless `opts` is `{all = true}`. Through a view, Caspio decides.
---@param where caspio.WhereClause?
---@param fields table<string, any>
---@param opts? caspio.AllRows
---@return integer affected
function Table:update(where, fields, opts) end

---Deletes the matching rows (one request) and returns how many went. An empty or always-true
---where clause (`1=1`, `PK_ID>0`) is refused unless `opts` is `{all = true}`. Through a view, Caspio decides.
---@param where caspio.WhereClause?
---@param opts? caspio.AllRows
---@return integer affected
function Table:delete(where, opts) end

---The record whose PK_ID is `pk`, or nil (v4: GET …/records/{pk}; v3: a read PK_ID = pk).
---@param pk integer|string
---@return caspio.Row?
function Table:get(pk) end

---Sets `fields` on record `pk`: 1, or 0 when no record has that PK_ID.
---@param pk integer|string
---@param fields table<string, any>
---@return integer affected
function Table:patch(pk, fields) end

---Deletes record `pk`: 1, or 0 when no record has that PK_ID.
---@param pk integer|string
---@return integer affected
function Table:remove(pk) end

---The field definitions ({Name, Type, …}).
---@return table[]
function Table:fields() end

---"tables/NAME" (or "views/NAME"), the name percent-encoded, followed by `suffix`.
---@param suffix? string
---@return string
function Table:path(suffix) end

---@class caspio.WhereRaw
---@field sql string

---Builds where clauses; calling it returns the SQL a where value becomes:
---`caspio.where({State = {"CA", "NY"}})` is `"State IN ('CA', 'NY')"`.
---@class caspio.where
---@overload fun(where: caspio.WhereClause?): string
local where = {}

---A where clause (or one value of a where table) that is sent as it is, unquoted.
---@param sql string
---@return caspio.WhereRaw
function where.raw(sql) end

---In a where table, `{Field = caspio.not_null}` matches rows where the field holds a value.
caspio.not_null = {}

---For scripts that build SQL themselves. Called, `caspio.sql(statement, opts)` reads the rows
---of a T-SQL SELECT on one table (or view, with `view = true`): its select list, WHERE,
---GROUP BY and ORDER BY are sent as the records read's clauses, paged as `caspio.records`
---pages; HAVING is the `having` option (Caspio takes none).
---@class caspio.sql
---@overload fun(statement: string, opts?: caspio.SqlOptions): (fun(): table?)
caspio.sql = {}

---A value as a SQL literal, quoted as where tables quote it: `'O''Brien'`, `42`, `1` for
---true, a date's text in quotes, `NULL` for `caspio.json.null`.
---@param value string|number|boolean|table|caspio.json.Null
---@return string
function caspio.sql.quote(value) end

-- <options: sql>
---The options of `sql`.
---@class caspio.SqlOptions
---`FROM` names a view: read `views/NAME` (default: a table)
---@field view? boolean
---keeps the grouped rows for which it returns true: HAVING, applied in the script as the groups arrive, since Caspio's REST API takes no HAVING (every group is read)
---@field having? fun(row: table): boolean
---stop after this many rows (≥ 0); `SELECT TOP n` says the same
---@field limit? integer
---rows per request, 5 to 1000 (default 1000)
---@field pageSize? integer
---pages asked for ahead of the one the loop reads (as `caspio.records`')
---@field prefetch? integer
---`true`: a row count that differs from Caspio's count raises instead of warning (as `caspio.records`')
---@field exact? boolean
---how a NULL field reads (see `caspio.records`)
---@field nulls? "json"|"nil"
-- </options>

-- Concurrency --------------------------------------------------------------------------------

-- <options: map>
---The options of `map`, `parallel`.
---@class caspio.MapOptions
---requests in flight at once, 1 to 16 (default 4; more is capped at 16)
---@field concurrency? integer
-- </options>

-- Files --------------------------------------------------------------------------------------

---@class caspio.FileItem
---@field Name string
---@field ExternalKey string
---@field Size integer
---@field ContentType? string
---@field DateCreated? string
---@field LastModified? string

---@class caspio.UploadResult
---@field Name string
---@field ExternalKey string

-- <options: upload>
---The options of `upload`.
---@class caspio.UploadOptions
---the folder: its external key or its `/path` (default: the root folder)
---@field folder? string
---the name in Caspio (default: the local file's name)
---@field name? string
---replace a file of the same name (otherwise that is an HTTP 409)
---@field overwrite? boolean
-- </options>

-- <options: files>
---The options of `list`.
---@class caspio.FilesListOptions
---the folder: its external key or its `/path` (default: the root folder)
---@field folder? string
---files per request, 5 to 1000 (default 100)
---@field pageSize? integer
---the order of the listing
---@field sortField? "Name"|"Size"|"ContentType"|"DateCreated"|"LastModified"
---`true`: largest, latest or last first
---@field sortDescending? boolean
-- </options>

---@class caspio.files
local files = {}

---Uploads a local file; returns its name and external key.
---@param local_path string
---@param opts? caspio.UploadOptions
---@return caspio.UploadResult
function files.upload(local_path, opts) end

---Streams a file (by external key, or by "/Folder/name" path) to `local_path`, which appears
---only once complete. Returns `local_path`.
---@param key_or_path string
---@param local_path string
---@return string local_path
function files.download(key_or_path, local_path) end

---Iterates over a folder's files, page by page, the next page asked for as one comes full.
---@param opts? caspio.FilesListOptions
---@return fun(): caspio.FileItem?, nil, nil, any
function files.list(opts) end

---A file's metadata (by external key, or by "/Folder/name" path).
---@param key_or_path string
---@return caspio.FileItem
function files.info(key_or_path) end

---Deletes a file (by external key, or by "/Folder/name" path); returns true.
---@param key_or_path string
---@return true
function files.delete(key_or_path) end

---@class caspio.attachments
local attachments = {}

---Stores a local file in the attachment field of the record whose PK_ID is `pk`.
---@param table_name string
---@param field string
---@param pk integer|string
---@param local_path string
---@return true
function attachments.upload(table_name, field, pk, local_path) end

---Streams the attachment of the record whose PK_ID is `pk` to `local_path`.
---@param table_name string
---@param field string
---@param pk integer|string
---@param local_path string
---@return string local_path
function attachments.download(table_name, field, pk, local_path) end

-- The rest of Caspio -------------------------------------------------------------------------

-- <options: attachments>
---The options of `attachments`.
---@class caspio.AttachmentsOptions
---whose attachments: see [where clauses](#where-clauses) (default: every record's)
---@field where? caspio.WhereClause
-- </options>

-- <options: folders>
---The options of `folders`.
---@class caspio.FoldersOptions
---list this folder's children (its external key or `/path`); default: the whole tree, depth first
---@field folder? string
---folders per request, 5 to 1000 (default 100)
---@field pageSize? integer
-- </options>

-- <options: add>
---The options of `add`.
---@class caspio.AddUsersOptions
---REST API v4: users per bulk request, 1 to 1000 (default 1000); v3 sends one request a user
---@field chunk? integer
---REST API v4: bulk requests in flight at once, 1 to 16 (default 4; more is capped at 16)
---@field concurrency? integer
-- </options>

-- <options: activate>
---The options of `activate`.
---@class caspio.ActivateOptions
---`true`: Caspio e-mails each user (default `false`)
---@field send_email? boolean
-- </options>

---The table's (or view's) design: {Name, Note, …}.
---@return table
function Table:design() end

---One field's definition {Name, Type, Unique, Label, Description, …} (HTTP 404 when none).
---@param name string
---@return table
function Table:field(name) end

---Adds a field {Name =, Type =, Unique =, Label =, Description =}. Not for views.
---@param def table
---@return true
function Table:add_field(def) end

---Changes a field ({Name =, Label =, Description =, Unique =}). Not for views.
---@param name string
---@param changes table
---@return true
function Table:update_field(name, changes) end

---Deletes a field and its data. Not for views.
---@param name string
---@return true
function Table:delete_field(name) end

---The attachment in `field` of the record whose PK_ID is `pk` (a string for a view).
---@param field string
---@param pk integer|string
---@return caspio.Attachment
function Table:attachment(field, pk) end

---Iterates over the file info of the attachments in `field` (opts.where: whose).
---@param field string
---@param opts? caspio.AttachmentsOptions
---@return fun(): caspio.AttachmentInfo?, nil, nil, any
function Table:attachments(field, opts) end

---Changes the file info ({FileName = …}) of the matching records' attachments; returns
---RecordsAffected. An empty where clause needs nil and `{all = true}`.
---@param field string
---@param where caspio.WhereClause?
---@param changes table
---@param opts? caspio.AllRows
---@return integer affected
function Table:set_attachment_info(field, where, changes, opts) end

---Deletes the matching records' attachments (the records stay); returns RecordsAffected.
---An empty where clause needs nil and `{all = true}`.
---@param field string
---@param where caspio.WhereClause?
---@param opts? caspio.AllRows
---@return integer affected
function Table:delete_attachments(field, where, opts) end

---The names of the table's password fields.
---@return string[]
function Table:password_fields() end

---Sets the password in `field` of the matching rows (the value is redacted from logs and
---messages from then on); returns RecordsAffected. An empty where needs nil and `{all = true}`.
---@param field string
---@param where caspio.WhereClause?
---@param value string
---@param opts? caspio.AllRows
---@return integer affected
function Table:set_password(field, where, value, opts) end

---Clears the password in `field` of the matching rows; returns RecordsAffected.
---@param field string
---@param where caspio.WhereClause?
---@param opts? caspio.AllRows
---@return integer affected
function Table:clear_password(field, where, opts) end

---{PK_ID, FileName, FileType, Size, DateCreated, DateUpdated}
---@class caspio.AttachmentInfo
---@field PK_ID integer|string
---@field FileName string
---@field FileType string
---@field Size integer
---@field DateCreated string
---@field DateUpdated string

---One record's attachment, from `t:attachment(field, pk)`.
---@class caspio.Attachment
---@field field string
---@field pk integer|string
local Attachment = {}

---Streams the file to `local_path`, which appears only once complete. Returns `local_path`.
---@param local_path string
---@return string local_path
function Attachment:download(local_path) end

---Stores a local file as the record's attachment.
---@param local_path string
---@return true
function Attachment:upload(local_path) end

---The attachment's file info, or nil when the field is empty.
---@return caspio.AttachmentInfo?
function Attachment:info() end

---{Name, ExternalKey, DateCreated, Path}
---@class caspio.Folder
---@field Name string
---@field ExternalKey string
---@field DateCreated string
---@field Path? string

---Iterates over the children of `opts.folder`, or the whole folder tree, depth first.
---@param opts? caspio.FoldersOptions
---@return fun(): caspio.Folder?, nil, nil, any
function files.folders(opts) end

---One folder, by external key or /path.
---@param key_or_path string
---@return caspio.Folder
function files.folder(key_or_path) end

---Outgoing webhooks and their events. A webhook's Secret is redacted from logs and messages.
---@class caspio.webhooks
local webhooks = {}

---@return fun(): table?, nil, nil, any
function webhooks.list() end
---@param id string
---@return table
function webhooks.get(id) end
---@param def table {Name =, OutgoingUrls = {…}, CallThrottling =, Description =}
---@return table webhook with Id and Secret
function webhooks.create(def) end
---@param id string
---@param changes table
---@return table
function webhooks.update(id, changes) end
---@param id string
---@return true
function webhooks.delete(id) end
---@param id string
---@return fun(): table?, nil, nil, any
function webhooks.events(id) end
---@param id string
---@param event_id string
---@return table
function webhooks.event(id, event_id) end
---@param id string
---@param def table {EventType =, ObjectName =, ObjectFields =, EventSources =}
---@return table
function webhooks.add_event(id, def) end
---@param id string
---@param event_id string
---@param changes table
---@return table
function webhooks.update_event(id, event_id, changes) end
---@param id string
---@param event_id string
---@return true
function webhooks.delete_event(id, event_id) end

---Import/export tasks (v2: `tasks`).
---@class caspio.tasks
local tasks = {}
---@return fun(): table?, nil, nil, any
function tasks.list() end
---@param key string
---@return table
function tasks.get(key) end
---Runs the task; Caspio answers once it has run.
---@param key string
---@return true
function tasks.run(key) end

---Bridge applications and their DataPages (v2: `applications`).
---@class caspio.apps
local apps = {}
---@return fun(): table?, nil, nil, any
function apps.list() end
---@param key string
---@return table
function apps.get(key) end
---@param key string
---@return fun(): table?, nil, nil, any
function apps.datapages(key) end
---@param key string
---@param page_key string
---@return table
function apps.datapage(key, page_key) end
---@param key string
---@param page_key string
---@param on boolean
---@return true
function apps.deploy(key, page_key, on) end
---@param key string
---@param on boolean
---@return true
function apps.deploy_all(key, on) end
---A deployed DataPage's deploy code (HTTP 400 when it is not deployed).
---@param key string
---@param page_key string
---@param method? "URL"|"iFrame"|"Embedded"|"Net"
---@return string
function apps.deployment(key, page_key, method) end

---A directory's users, from `caspio.directory(id)`.
---@class caspio.Directory
---@field id string
local Directory = {}
---Iterates over the users, paged and ordered as caspio.records (by UserGUID).
---@param opts? caspio.RecordsOptions
---@return fun(): table?, nil, nil, any
function Directory:users(opts) end
---Adds a user (or a list: one request a user on v3, bulk requests of up to 1,000 on v4); returns what Caspio stored.
---@param user table
---@param opts? caspio.AddUsersOptions
---@return table
function Directory:add(user, opts) end
---Changes the matching users; returns UsersAffected. An empty where needs nil and `{all = true}`.
---@param where caspio.WhereClause?
---@param fields table
---@param opts? caspio.AllRows
---@return integer
function Directory:update(where, fields, opts) end
---Deletes the matching users; returns UsersAffected. An empty where needs nil and `{all = true}`.
---@param where caspio.WhereClause?
---@param opts? caspio.AllRows
---@return integer
function Directory:delete(where, opts) end
---Activates a user (or each of a list); returns the ActivationUrl (or a list).
---@param user_guids string|string[]
---@param opts? caspio.ActivateOptions
---@return string|string[]
function Directory:activate(user_guids, opts) end

---{year, month, day, hour, min, sec, ms}, usable with os.time (local time).
---@class caspio.Date
---@field year integer
---@field month integer
---@field day integer
---@field hour? integer
---@field min? integer
---@field sec? integer
---@field ms? integer

---Caspio's ISO 8601 dates.
---@class caspio.date
local date = {}
---"2024-01-05", "2024-01-05T09:30:00" or "2022-01-25T15:17:10.607" to a date table.
---@param text string
---@return caspio.Date
function date.parse(text) end
---A date table or an os.time() number to "2024-01-05T09:30:00" (".607" with milliseconds).
---@param value caspio.Date|osdate|number
---@return string
function date.format(value) end

-- Logging ------------------------------------------------------------------------------------

---Log records on stderr; with more arguments, `message` is a string.format pattern.
---@class caspio.log
local log = {}

---@param message any
---@param ... any
function log.trace(message, ...) end

---@param message any
---@param ... any
function log.debug(message, ...) end

---@param message any
---@param ... any
function log.info(message, ...) end

---@param message any
---@param ... any
function log.warn(message, ...) end

---@param message any
---@param ... any
function log.error(message, ...) end

-- JSON ---------------------------------------------------------------------------------------

---The value that stands for JSON null; `tostring(caspio.json.null) == "null"`.
---@class caspio.json.Null

---@class caspio.json.EncodeOptions
---Indent by 2.
---@field pretty? boolean
---Indent by this many spaces.
---@field indent? integer
---Write object keys sorted, for stable output.
---@field sort_keys? boolean

---A strict (RFC 8259) and lossless JSON codec.
---@class caspio.json
---@field null caspio.json.Null
local json = {}

---The Lua value for a JSON text; raises a `caspio.JSONError` for anything that is not JSON.
---@param text string
---@return any
function json.decode(text) end

---The JSON text for a Lua value; raises a `caspio.JSONError` for what JSON cannot hold.
---@param value any
---@param options? caspio.json.EncodeOptions
---@return string
function json.encode(value, options) end

---Marks `t` (or a new table) as an array, so that an empty one encodes as [].
---@generic T: table
---@param t? T
---@return T
function json.array(t) end

---Marks `t` (or a new table) as an object, so that it encodes as {…}.
---@generic T: table
---@param t? T
---@return T
function json.object(t) end

---Whether `t` carries the array mark.
---@param t table
---@return boolean
function json.is_array(t) end

-- The module ---------------------------------------------------------------------------------

---The `caspio` module: automate Caspio databases from Lua.
---@class caspio
---The tool's version, e.g. "0.1.0".
---@field version string
---The resolved configuration, read on first use (raises a config error when incomplete).
---@field config caspio.Config
---@field json caspio.json
---@field files caspio.files
---@field attachments caspio.attachments
---@field webhooks caspio.webhooks
---@field tasks caspio.tasks
---@field apps caspio.apps
---@field date caspio.date
---@field log caspio.log
---@field where caspio.where
caspio = {}

caspio.json = json
caspio.files = files
caspio.attachments = attachments
caspio.webhooks = webhooks
caspio.tasks = tasks
caspio.apps = apps
caspio.date = date
caspio.log = log
caspio.where = where

---Sends one request and returns the response. Raises a `caspio.Error` for a status >= 400
---(unless `opts.check == false`) and for auth, network, timeout, budget and config failures.
---@param method caspio.HTTPMethod
---@param path string Relative to the base URL, e.g. "tables/Customers/records".
---@param opts? caspio.RequestOptions
---@return caspio.Response
function caspio.request(method, path, opts) end

---GET: the decoded JSON answer (or the response table when the answer has no JSON body).
---@param path string
---@param query? table<string, string|number|boolean>
---@return any
function caspio.get(path, query) end

---POST `value` as JSON: the decoded JSON answer (or the response table when there is none).
---@param path string
---@param value any
---@param query? table<string, string|number|boolean>
---@return any
function caspio.post(path, value, query) end

---PUT `value` as JSON: the decoded JSON answer (or the response table when there is none).
---@param path string
---@param value any
---@param query? table<string, string|number|boolean>
---@return any
function caspio.put(path, value, query) end

---DELETE: the decoded JSON answer (or the response table when there is none).
---@param path string
---@param query? table<string, string|number|boolean>
---@return any
function caspio.delete(path, query) end

---A client_credentials grant now, bypassing the cache. Every grant mints a refresh token (an
---account may hold 1,000): do not call this on every run; requests sign in by themselves.
---@return caspio.TokenInfo
function caspio.auth() end

---A refresh_token grant now (client credentials if the refresh token is refused).
---@return caspio.TokenInfo
function caspio.refresh() end

---The current access token (renewed first if needed). A secret: never print or log it.
---@return string
function caspio.token() end

---What the run has cost so far.
---@return caspio.Stats
function caspio.stats() end

---Iterates over the rows of a table (or view), paging with q.pageNumber/q.pageSize in a total
---order (PK_ID last), stopping on a short page, with `prefetch` pages (default 1) asked for
---ahead and held in memory; a read that ends is checked against the first page's
---Pagination.TotalCount. The fourth value, closed by a generic for, cancels the pages asked
---for ahead when the loop breaks.
---@param name string
---@param opts? caspio.RecordsOptions
---@return fun(): caspio.Row?, nil, nil, any
function caspio.records(name, opts) end

---A handle on the table `name`.
---@param name string
---@return caspio.Table
function caspio.table(name) end

---A handle on the view `name` (read-only).
---@param name string
---@return caspio.Table
function caspio.view(name) end

---The names of the account's tables.
---@return string[]
function caspio.tables() end

---The names of the account's views.
---@return string[]
function caspio.views() end

---Creates a table {Name =, Note =, Fields = {{Name =, Type =, Unique =}, …}}; returns its handle.
---@param def table
---@return caspio.Table
function caspio.create_table(def) end

---The account's directories ({Id, Name, NumberOfUsers, …}).
---@return table[]
function caspio.directories() end

---A handle on a directory's users.
---@param id string
---@return caspio.Directory
function caspio.directory(id) end

---Calls `fn(item, index)` for every item with up to `opts.concurrency` requests in flight and
---returns the results in input order. On the first error nothing new starts, requests in
---flight are cancelled, and the error is raised (error tables get `index`).
---@generic T, R
---@param list T[]
---@param fn fun(item: T, index: integer): R
---@param opts? caspio.MapOptions
---@return R[]
function caspio.map(list, fn, opts) end

---Runs the functions concurrently (as `caspio.map`) and returns their results in order.
---@param functions (fun(): any)[]
---@param opts? caspio.MapOptions
---@return any[]
function caspio.parallel(functions, opts) end

---Waits `seconds` (Ctrl-C interrupts). Inside `caspio.map` it blocks every task.
---@param seconds number
function caspio.sleep(seconds) end

---The environment variable `name`, or nil.
---@param name string
---@return string?
function caspio.env(name) end

---Runs `fn` after the script ends, however it ends (error, Ctrl-C, `--timeout`, SIGTERM);
---handlers run last registered first, each protected: an error is reported and fails the run,
---the other handlers still run.
---@param fn fun()
function caspio.atexit(fn) end

---A small persistent key-value store per script (watermarks of incremental jobs). The file is
---`--state FILE`, `CASPIO_STATE`, or `$XDG_STATE_HOME/caspio/state/<script>-<hash>.json`.
caspio.state = {}

---The value stored under `key`, or nil.
---@param key string
---@return any
function caspio.state.get(key) end

---Stores a JSON value under `key` (nil removes it); the file is replaced atomically before
---this returns.
---@param key string
---@param value any
function caspio.state.set(key, value) end

---A copy of everything stored.
---@return table<string, any>
function caspio.state.all() end

---The path of the state file.
---@return string
function caspio.state.path() end


-- Data jobs -------------------------------------------------------------------------------------

-- <options: csv_read>
---The options of `csv.rows`.
---@class caspio.CsvReadOptions
---`false`: every line is a row, a list of strings (default `true`: the first line names the fields, and rows are tables keyed by them)
---@field header? boolean
---the one ASCII character between fields (default `","`; `"\t"` for TSV)
---@field delimiter? string
-- </options>

-- <options: csv_write>
---The options of `csv.writer`, `csv.write`.
---@class caspio.CsvWriteOptions
---`false`: no header line (default `true`)
---@field header? boolean
---the one ASCII character between fields (default `","`)
---@field delimiter? string
---`true`: end lines with CRLF, as RFC 4180 writes them (default LF)
---@field crlf? boolean
---`csv.write` only: the columns, in order (default: every key of the rows, sorted)
---@field fields? string|string[]
-- </options>

-- <options: upsert>
---The options of `upsert`.
---@class caspio.UpsertOptions
---the field, or fields, whose values identify a row (required)
---@field key? string|string[]
---writes in flight at once, 1 to 16 (default 4; more is capped at 16)
---@field concurrency? integer
---REST API v4: rows per bulk insert request, 1 to 1000 (default 1000)
---@field chunk? integer
---called with the number of rows done so far (unchanged ones first, then after each write)
---@field progress? fun(done: integer)
---where each row came from (`caspio.csv.rows`' second value), for messages: `line 7`, not `row 7`
---@field lines? integer[]
-- </options>

-- <options: insert>
---The options of `insert`.
---@class caspio.InsertOptions
---requests in flight at once, 1 to 16 (default 1 on v3, a request a row; 4 on v4, a request a chunk; more is capped at 16)
---@field concurrency? integer
---REST API v4: rows per bulk request, 1 to 1000 (default 1000, the most Caspio takes); v3 sends one request a row
---@field chunk? integer
---called with the number of rows inserted so far
---@field progress? fun(done: integer)
---`true`: leave out the fields Caspio generates (PK_ID, GUID, RANDOM ID, TIMESTAMP), as `upsert` does, so an exported file inserts as it is
---@field omit_generated? boolean
-- </options>

-- <options: export>
---The options of `export`.
---@class caspio.ExportOptions
---`csv` (default), `json` (one array) or `jsonl` (one object a line)
---@field format? "csv"|"json"|"jsonl"
---filter: see [where clauses](#where-clauses)
---@field where? caspio.WhereClause
---the columns, in this order (default: every field, in the table's order)
---@field select? string|string[]
---columns left out (say, a LIST field, which cannot be imported again); not with `select`
---@field skip? string|string[]
---the order of the rows (`PK_ID` is appended as the tiebreaker)
---@field orderBy? string|string[]
---called with the rows written so far, and the total once known
---@field progress? fun(done: integer, total: integer?)
---CSV: the one ASCII character between fields (default `","`)
---@field delimiter? string
---CSV: `true` ends lines with CRLF (default LF)
---@field crlf? boolean
-- </options>

-- <options: mirror>
---The options of `mirror`.
---@class caspio.MirrorOptions
---where the copy lives: `sqlite:PATH` or `postgres://USER@HOST/DATABASE` (required)
---@field target? string
---the tables to mirror (`"A,B"` or `{"A", "B"}`); or `all`
---@field tables? string|string[]
---`true`: every table of the account
---@field all? boolean
---`true`: copy every table whole again, as on the first run
---@field full? boolean
---`TABLE.FIELD`: the DATE/TIME field stamped on every change of that table (default: a TIMESTAMP field stamped on update)
---@field cursor? string|string[]
---seconds before the cursor that are read again, for rows committed late (default 600)
---@field lookback? integer
---compare the key sets for deletes (and re-read the design) every Nth run of a table (default 1: every run)
---@field deletes_every? integer
---`true`: drop the columns of fields removed in Caspio (default: keep them)
---@field prune? boolean
---`true`: read and compare, but commit nothing to the target (default: as the run's `--dry-run`)
---@field dry_run? boolean
---called with each table's record once its changes are committed, before the next table (a run that fails later has reported these)
---@field each? fun(record: table)
---webhook messages (Caspio's default body, decoded) to apply instead of reading Caspio: no call; see below
---@field events? table[]
-- </options>

-- <options: inspect>
---The options of `inspect`.
---@class caspio.InspectOptions
---nesting shown before `{...}` (default 5)
---@field depth? integer
---items shown of a table before `…` (default 50)
---@field items? integer
---the line width to fit (default 80)
---@field width? integer
-- </options>

-- <options: print_table>
---The options of `print_table`.
---@class caspio.PrintTableOptions
---the columns, in order (default: every key of the rows, sorted; `t:columns()` gives a table's order)
---@field columns? string|string[]
---the width to fit (default: the terminal's, else 100)
---@field width? integer
---rows shown before `… N more` (default 50)
---@field max_rows? integer
-- </options>

---The field names in the table's order (as Caspio shows them), from its design, read once
---per run; not PASSWORD fields, which records never hold.
---@return string[]
function Table:columns() end

---A copy of `row` with its text cells in the types of the table's fields: INTEGER, NUMBER and
---CURRENCY numbers, YES/NO booleans (yes/no, true/false, 1/0, any case), DATE/TIME in
---Caspio's ISO form (`2024-01-05T00:00:00`), empty text null. A field the table lacks or a
---value that does not convert is an input error naming it (and `line`, when given).
---@param row table<string, any>
---@param line? integer
---@return caspio.Row
function Table:coerce(row, line) end

---Syncs rows by key: looks the keys up (IN lists under the URI limit, or the whole table when
---that is fewer requests), inserts the missing rows, updates changed fields, leaves identical
---rows alone. Duplicate keys are an error before any write. Rerunning after a crash is safe.
---Fields Caspio generates (PK_ID, GUID, RANDOM ID, TIMESTAMP) are neither compared nor written.
---@param rows caspio.Row[]
---@param opts caspio.UpsertOptions
---@return {inserted: integer, updated: integer, unchanged: integer}
function Table:upsert(rows, opts) end

---Writes the matching rows to `dest` (a path, renamed into place when complete, or an open
---file) as CSV, JSON or JSON Lines, columns in the table's order; returns the row count.
---@param dest string|file*
---@param opts? caspio.ExportOptions
---@return integer
function Table:export(dest, opts) end

---Keeps a live SQL copy of tables in `opts.target` (`sqlite:PATH`): the first run copies each
---table, later runs read the rows changed since a cursor and compare key sets for deletes.
---@param opts caspio.MirrorOptions
---@return {tables: {table: string, mode: string, inserted: integer, updated: integer, deleted: integer, calls: integer, rows: integer, notes: string[], line: string}[], total: table}
function caspio.mirror(opts) end

---RFC 4180 CSV, streamed: one record in memory at a time.
caspio.csv = {}

---Iterates over the rows of `source` (a path, CSV text holding a line break, or an open
---file): `for row, line in caspio.csv.rows(src) do`. Rows are tables keyed by the header, or
---lists with `header = false`; a malformed line is an input error with its `line`.
---@param source string|file*
---@param opts? caspio.CsvReadOptions
---@return fun(): table<string, string>?, integer?
function caspio.csv.rows(source, opts) end

---@class caspio.CsvWriter
local CsvWriter = {}

---Writes a row: a table keyed by the writer's fields (nil and null empty), or a list.
---@param row table
---@return caspio.CsvWriter
function CsvWriter:write(row) end

---Finishes the file (a path is renamed into place); returns the rows written.
---@return integer
function CsvWriter:close() end

---A CSV writer with the columns `fields`, in that order.
---@param dest string|file*
---@param fields string[]|string
---@param opts? caspio.CsvWriteOptions
---@return caspio.CsvWriter
function caspio.csv.writer(dest, fields, opts) end

---Writes a list of rows at once; returns how many.
---@param dest string|file*
---@param rows table[]
---@param opts? caspio.CsvWriteOptions
---@return integer
function caspio.csv.write(dest, rows, opts) end

---The REPL's rendering of a value, as a string (a record read by t:rows, t:first or t:all
---shows its fields in the table's order).
---@param value any
---@param opts? caspio.InspectOptions
---@return string
function caspio.inspect(value, opts) end

---Prints a list of records as an aligned table with a row count, cells cut to the width.
---@param rows caspio.Row[]
---@param opts? caspio.PrintTableOptions
function caspio.print_table(rows, opts) end

return caspio
