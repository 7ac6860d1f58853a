-- The wire shapes of the account's objects other than records, per REST API version, beside
-- dialect.lua's for records: files and folders, attachments, password fields, webhooks and
-- their events, tasks, DataPages, directories and their users. files.lua, folders.lua, attachments.lua, webhooks.lua and
-- account.lua ask the base URL's dialect; scripts see v3's names on every version.
local caspio, internal = ...
local usage, json, segment = internal.usage, internal.json, internal.segment
local V3, V4, either, integer = internal.dialects.V3, internal.dialects.V4, internal.dialects.either, internal.dialects.integer

-- REST API v3 (and v2) ---------------------------------------------------------------------------

--- One object of an answer: its Result, or the answer itself (`true` without a body).
function V3.single(response) return internal.result(response) end

--- An object as scripts read it: v3 answers in the names scripts use.
function V3.named(item) return item end

-- A webhook's or event's Status as a script writes it ("Enabled"/"Disabled", as answers show
-- it), as the flag bodies carry: v3's `Enabled` (openapi-v3.json's WebhookPutRequest and
-- WebhookEventRequest take no Status), v4's `enabled`.
local function enabled_flag(status)
  if status ~= "Enabled" and status ~= "Disabled" then usage("Status is \"Enabled\" or \"Disabled\" (got %s)", internal.describe(status)) end
  return status == "Enabled"
end

--- A body a script wrote (v3's names) as the version takes it: as written, but Status as
--- `Enabled`.
function V3.body(def)
  if def.Status == nil then return def end
  local body = {}
  for key, value in pairs(def) do body[key] = value end
  body.Status = nil
  if body.Enabled == nil then body.Enabled = enabled_flag(def.Status) end
  return body
end

--- The method that changes a webhook or an event.
V3.CHANGE = "PUT"

--- Files: the library's path, the query parameter naming a file's folder, and the folder
--- listing's path and parameter naming the parent.
V3.FILES, V3.FILE_FOLDER = "files", "externalKey"
V3.FOLDERS, V3.FOLDER_PARENT = "files/folders", "externalKey"

--- The method, path and multipart part name of an upload (`overwrite`: replace a file of
--- the same name).
function V3.upload(overwrite)
  if overwrite then return "PUT", "files", "File" end
  return "POST", "files", "Files"
end

--- Pages of a listing of objects (folders, files); `lenient`: an answer without a Result
--- list is an empty one (an empty folder's files).
function V3.pages(path, query, size, lenient)
  return internal.numbered_pages(path, query, size, function(response)
    local body = response.json
    if lenient then return (type(body) == "table" and body.Result) or {} end
    return internal.result_list(response, path)
  end)
end

--- Query options v3 takes that v4's are not known for: files' sort order.
function V3.file_sort(query, field, descending)
  query.sortField, query.sortDescending = field, descending
end

--- The path of record `pk`'s attachment in `field` of the table or view at `owner`.
function V3.attachment(owner, field, pk)
  return owner .. "/attachments/" .. segment(field) .. "/" .. segment(tostring(pk))
end

--- Renames (`changes`: {FileName = …}) the attachments in `field` of the rows `clause` matches;
--- the count.
function V3.rename_attachments(owner, field, clause, changes)
  local path = owner .. "/attachments/" .. segment(field) .. "/fileInfo"
  return internal.affected(caspio.request("PUT", path, { json = changes, query = { ["q.where"] = clause } }).json)
end

--- Deletes the attachments in `field` of the rows `clause` matches; the count.
function V3.delete_attachments(owner, field, clause)
  return internal.affected(caspio.request("DELETE", owner .. "/attachments/" .. segment(field), { query = { ["q.where"] = clause } }).json)
end

--- The account's directories (a list).
function V3.directories() return json.array(internal.call("GET", "directories")) end

--- Adds one user to the directory whose users are at `path`; what Caspio stored, or `user`.
function V3.add_user(path, user)
  local result = internal.call("POST", path, { json = user, query = { response = "rows" } })
  return type(result) == "table" and result[1] or user
end

--- Changes the users `clause` matches; the count.
function V3.update_users(path, clause, fields)
  return internal.affected(caspio.request("PUT", path, { json = fields, query = { Where = clause } }).json, "UsersAffected")
end

--- Deletes the users `clause` matches; the count.
function V3.delete_users(path, clause)
  return internal.affected(caspio.request("DELETE", path, { query = { Where = clause } }).json, "UsersAffected")
end

--- Activates one user; the ActivationUrl.
function V3.activate_user(path, guid, send_email)
  local result = internal.call("POST", path .. "/activate", { json = { UserGUID = guid, SendEmail = send_email } })
  return type(result) == "table" and result.ActivationUrl or result
end

--- The names of the password fields of the table at `owner` (a list).
function V3.password_fields(owner) return json.array(internal.call("GET", owner .. "/passwordFields")) end

--- Sets (`value` a string) or clears (nil) the password in `field` of the rows `clause`
--- matches; the count.
function V3.set_passwords(owner, field, clause, value)
  local path = owner .. "/passwordFields/" .. segment(field)
  local query = { ["q.where"] = clause }
  if value == nil then return internal.affected(caspio.request("DELETE", path, { query = query }).json) end
  return internal.affected(caspio.request("PUT", path, { json = { Value = value }, query = query }).json)
end

--- An application's DataPages, under its path; and the path that (un)deploys them all.
V3.DATAPAGES, V3.DEPLOY_ALL = "/datapages", "/datapages/deployment"

-- The writes a dry run answers without a body (openapi-v3.json's 204s), and the POSTs it
-- answers 200; by method and path (relative, without its query).
V3.NO_CONTENT = {
  { "PUT", "^tables/[^/]+/fields/[^/]+$" }, { "DELETE", "^tables/[^/]+/fields/[^/]+$" },
  { "PUT", "^%a+/[^/]+/attachments/[^/]+/[^/]+$", unless = "/fileInfo$" },
  { "DELETE", "^files/." }, { "DELETE", "^outgoingWebhooks/[^/]+$" }, { "DELETE", "^outgoingWebhooks/[^/]+/events/[^/]+$" },
  { "POST", "^%a+/[^/]+/run$" }, { "PUT", "/deployment$" },
}
V3.OK_POSTS = { "^directories/[^/]+/users/activate$" }

-- The creates a dry run answers as Caspio would (dryrun.lua): by path (relative, without its
-- query), the key of the new object's id in the answer (a records path captures its kind and
-- name; `bulk`: a list of them; `secret`: the answer shows the new object's secret too;
-- `upload`: multipart files, each an object whose name, under this key, is its filename;
-- `listed`: the answer lists the objects).
V3.CREATES = {
  { "^(%a+)/([^/]+)/records$", id = "PK_ID", records = true, result = true },
  { "^files$", id = "ExternalKey", upload = "Name", listed = true },
  { "^outgoingWebhooks$", id = "Id", secret = "Secret" }, { "^outgoingWebhooks/[^/]+/events$", id = "Id" },
  { "^directories/[^/]+/users$", id = "UserGUID", result = true },
}

--- The answer to a create of `objects` (each with its stand-in id) under `rule`: a row or a
--- user `{"Result": [...]}` when asked (`response=rows`), else no body; files uploaded
--- `{"Result": [...]}`; a webhook or an event the object itself (openapi-v3.json's
--- WebhookPostResponse, WebhookEventPostResponse).
function V3.created_answer(objects, rule, query)
  if rule.listed then return { Result = json.array(objects) } end
  if rule.result then
    if type(query) == "table" and query.response == "rows" then return { Result = json.array(objects) } end
    return nil
  end
  return objects[1]
end

-- REST API v4 --------------------------------------------------------------------------------

-- An object's own id, under v3's name: the first of these it has (a file carries its folder's
-- folderId too, an event its webhook's, a user its directory's); v3's names are Id,
-- ExternalKey or UserGUID (the sandbox gives both versions the same values).
local OWN_IDS = {
  { "fileId", "ExternalKey" }, { "eventId", "Id" }, { "userId", "UserGUID" }, { "taskId", "ExternalKey" }, { "appId", "ExternalKey" },
  { "webhookId", "Id" }, { "directoryId", "Id" }, { "folderId", "ExternalKey" },
}
-- Other keys whose v3 name is not v4's with a capital first letter (name → Name).
local V3_NAMES = { fullFolderPath = "Path" }

--- Adds v3's names to a v4 object, in place (v4's stay): scripts read one set of names on
--- both versions (v4's keys read in either casing). `enabled` is v3's Status too; a PK_ID of
--- digits an integer, as v3 gives it.
function V4.named(item)
  if type(item) ~= "table" or json.is_array(item) then return item end
  local added = {}
  for key, value in pairs(item) do
    if type(key) == "string" and key:find("^%l") then
      local name = V3_NAMES[key] or key:sub(1, 1):upper() .. key:sub(2)
      if item[name] == nil then added[name] = value end
    end
  end
  for _, id in ipairs(OWN_IDS) do
    local value = either(item, id[1])
    if value ~= nil and value ~= json.null then
      if item[id[2]] == nil then added[id[2]] = value end
      break
    end
  end
  for name, value in pairs(added) do item[name] = value end
  local enabled = either(item, "enabled")
  if type(enabled) == "boolean" and item.Status == nil then item.Status = enabled and "Enabled" or "Disabled" end
  if type(item.PK_ID) == "string" then item.PK_ID = integer(item.PK_ID) or item.PK_ID end
  return item
end

--- One object of a v4 answer: `data`'s first (either casing), else the answer itself [unknown:
--- a user reads data[0], then the top level]; `true` without a body.
function V4.single(response)
  local body = response.json
  if body == nil then return true end
  local data = either(body, "data")
  if type(data) == "table" and json.is_array(data) then return V4.named(data[1]) end
  return V4.named(body)
end

-- v4's names for v3's that are not v3's with a small first letter.
local V4_NAMES = { EventType = "type", CustomPayloadFields = "defaultPayloadFields", ObjectName = "objectId", Enabled = "enabled" }

--- A body in v3's names (a webhook, an event, file info changes) in v4's: keys with a small
--- first letter, a table's name (ObjectName) its tableId, Status "Enabled"/"Disabled" the
--- boolean `enabled`. v4's own names pass as they are.
function V4.body(def)
  local body = {}
  for key, value in pairs(def) do
    if type(key) == "string" and key:find("^%u") then
      local name = V4_NAMES[key] or key:sub(1, 1):lower() .. key:sub(2)
      if name == "objectId" and type(value) == "string" then value = V4.id("tables", value) end
      if key == "Status" then name, value = "enabled", enabled_flag(value) end
      if body[name] == nil then body[name] = value end
    else
      body[key] = value
    end
  end
  return body
end

V4.CHANGE = "PATCH"

V4.FILES, V4.FILE_FOLDER = "fileAssets/files", "folderId"
V4.FOLDERS, V4.FOLDER_PARENT = "fileAssets/folders", "parentFolderId"

-- A new file goes to POST …/files/bulk (parts `Files`, 409 for a name taken); PUT …/files
-- replaces (one part `File`) [used; spec].
function V4.upload(overwrite)
  if overwrite then return "PUT", "fileAssets/files", "File" end
  return "POST", "fileAssets/files/bulk", "Files"
end

function V4.pages(path, query, size) return V4.listing(path, query, nil, size) end

-- The sort parameters of v4's file listing are [unknown]: an option that might be ignored
-- is refused, not sent.
function V4.file_sort(_, field, descending)
  if field ~= nil or descending ~= nil then
    usage("sortField and sortDescending are not known on REST API v4: sort the files in the script (v4 lists them by name in the sandbox)")
  end
end

function V4.attachment(owner, field, pk)
  return owner .. "/records/" .. segment(tostring(pk)) .. "/attachments/" .. segment(field)
end

-- Bulk attachment changes carry their condition in the JSON body, as bulk updates do; the
-- answers' count is read as theirs (dialect.lua), 0 when there is none.
local function affected(response) return V4.affected_in(response.json) or 0 end

function V4.rename_attachments(owner, field, clause, changes)
  local body = V4.body(changes)
  body.where = clause
  return affected(caspio.request("PATCH", owner .. "/records/bulk/attachments/" .. segment(field) .. "/fileInfo", { json = body }))
end

function V4.delete_attachments(owner, field, clause)
  return affected(caspio.request("DELETE", owner .. "/records/bulk/attachments/" .. segment(field), { json = { where = clause } }))
end

function V4.directories()
  local list = json.array({})
  for directory in V4.listing("directories") do list[#list + 1] = directory end
  return list
end

function V4.add_user(path, user)
  local stored = V4.single(caspio.request("POST", path, { json = user }))
  return type(stored) == "table" and stored or user
end

-- A list of users: `POST …/users/bulk`, a bare array as records' bulk insert [spec: the path;
-- bodies unknown], chunked and reported as t:insert's (upsert.lua). The answer is read as a
-- records' bulk answer, each user's id under UserGUID or userId; `echo=true` asks for the
-- users as stored (Status, DateCreated), as one user's add returns. An answer of success
-- without ids stands for every user added, as sent.
local USER_IDS = { "UserGUID", "userId" }

function V4.add_users(path, users)
  local outcomes = V4.post_bulk(path .. "/bulk", users, { ids = USER_IDS, query = { echo = true }, ids_optional = true })
  for _, outcome in ipairs(outcomes) do
    if outcome.stored then V4.named(outcome.stored) end
  end
  return outcomes
end

function V4.update_users(path, clause, fields)
  return affected(caspio.request("PATCH", path .. "/bulk", { json = { where = clause, recordValues = fields } }))
end

function V4.delete_users(path, clause)
  return affected(caspio.request("DELETE", path .. "/bulk", { json = { where = clause } }))
end

-- POST …/users/{userId}/activate; whether v4 reads a body is [unknown]: the choice to send
-- an e-mail is sent as v3's, in v4's case.
function V4.activate_user(path, guid, send_email)
  local answer = V4.single(caspio.request("POST", path .. "/" .. segment(guid) .. "/activate", { json = { sendEmail = send_email } }))
  return type(answer) == "table" and answer.ActivationUrl or answer
end

-- v4 has no listing of password fields: they are the fields whose dataType is PASSWORD (one
-- schema listing a run).
function V4.password_fields(owner)
  local names = json.array({})
  for _, field in ipairs(V4.fields(owner .. "/fields")) do
    if either(field, "dataType") == "PASSWORD" then names[#names + 1] = field.Name end
  end
  return names
end

-- PATCH (set, `{"where", "value"}`) or DELETE (clear, `{"where"}`) …/records/bulk/passwordFields/{field}
-- [spec: the paths; bodies unknown].
function V4.set_passwords(owner, field, clause, value)
  local path = owner .. "/records/bulk/passwordFields/" .. segment(field)
  if value == nil then return affected(caspio.request("DELETE", path, { json = { where = clause } })) end
  return affected(caspio.request("PATCH", path, { json = { where = clause, value = value } }))
end

V4.DATAPAGES, V4.DEPLOY_ALL = "/dataPages", "/dataPages/bulk/deployment"

V4.NO_CONTENT = {
  { "DELETE", "^fileAssets/files" }, { "DELETE", "^outgoingWebhooks/[^/]+$" }, { "DELETE", "^outgoingWebhooks/[^/]+/events/[^/]+$" },
  { "PUT", "^%a+/[^/]+/records/[^/]+/attachments/[^/]+$" }, { "DELETE", "^%a+/[^/]+/records/[^/]+/attachments/[^/]+$" },
  { "DELETE", "^directories/[^/]+/users/[^/]+$" }, { "POST", "^%a+/[^/]+/run$" }, { "PUT", "/deployment$" },
}
V4.OK_POSTS = { "^directories/[^/]+/users/[^/]+/activate$" }

V4.CREATES = {
  { "^(%a+)/([^/]+)/records$", id = "PK_ID", records = true }, { "^(%a+)/([^/]+)/records/bulk$", id = "PK_ID", records = true, bulk = true },
  { "^fileAssets/files/bulk$", id = "fileId", upload = "name", listed = true },
  { "^outgoingWebhooks$", id = "webhookId", secret = "secret" }, { "^outgoingWebhooks/[^/]+/events$", id = "eventId" },
  { "^directories/[^/]+/users$", id = "UserGUID" }, { "^directories/[^/]+/users/bulk$", id = "UserGUID", bulk = true },
}

-- As the sandbox answers (the shapes are [unknown] in the notes but for the bulk insert's):
-- `echo=true`, and files uploaded, the objects in `data`; a bulk create its ids as strings (`{"PK_ID": ["1001", …]}`,
-- as the one live answer had them); one row `{"PK_ID": "251"}`; another object `{"data": [object]}`.
function V4.created_answer(objects, rule, query)
  if rule.listed or (type(query) == "table" and tostring(query.echo) == "true") then return { data = json.array(objects) } end
  local ids = json.array({})
  for i, object in ipairs(objects) do ids[i] = tostring(object[rule.id]) end
  if rule.bulk then return { [rule.id] = ids } end
  if rule.records then return { PK_ID = ids[1] } end
  return { data = json.array({ objects[1] }) }
end
