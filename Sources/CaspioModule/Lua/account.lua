-- The account's other objects: import/export tasks, bridge applications and their
-- DataPages, directories and their users. Tasks and applications keep their v2 paths on a
-- v2 base URL (internal.versioned).
local caspio, internal = ...
local json, usage, segment = internal.json, internal.usage, internal.segment
local name_arg, table_arg, versioned = internal.name_arg, internal.table_arg, internal.versioned
local format = string.format

-- Tasks -------------------------------------------------------------------------------------

caspio.tasks = {}

local function task_path(key, fname, rest)
  return versioned("dataImportExportTasks/" .. segment(name_arg(key, 1, fname, "task external key")) .. (rest or ""))
end

--- Iterates over the import/export tasks {ExternalKey, Name, Status, LastRunTime, …}.
function caspio.tasks.list() return internal.listing(versioned("dataImportExportTasks")) end

--- One task.
function caspio.tasks.get(key) return internal.dialect().single(caspio.request("GET", task_path(key, "get"))) end

--- Runs a task now; Caspio answers once it has run.
function caspio.tasks.run(key)
  caspio.request("POST", task_path(key, "run", "/run"))
  return true
end

-- Applications --------------------------------------------------------------------------------

caspio.apps = {}

local function app_path(key, fname, rest)
  return versioned("bridgeApplications/" .. segment(name_arg(key, 1, fname, "application external key")) .. (rest or ""))
end

local function page_path(key, page_key, fname, rest)
  return app_path(key, fname, internal.dialect().DATAPAGES .. "/" .. segment(name_arg(page_key, 2, fname, "DataPage AppKey")) .. (rest or ""))
end

local function on_arg(on, position, fname)
  if type(on) ~= "boolean" then usage("bad argument #%d to '%s' (true to deploy, false to undeploy; got %s)", position, fname, internal.describe(on)) end
  return on
end

--- Iterates over the bridge applications {AppName, ExternalKey, DataPagesCount, …}.
function caspio.apps.list() return internal.listing(versioned("bridgeApplications")) end

function caspio.apps.get(key) return internal.dialect().single(caspio.request("GET", app_path(key, "get"))) end

--- Iterates over an application's DataPages {AppKey, Name, Type, Path, Deployed, …}.
function caspio.apps.datapages(key) return internal.listing(app_path(key, "datapages", internal.dialect().DATAPAGES)) end

function caspio.apps.datapage(key, page_key) return internal.dialect().single(caspio.request("GET", page_path(key, page_key, "datapage"))) end

--- Deploys (on = true) or undeploys (false) one DataPage.
function caspio.apps.deploy(key, page_key, on)
  local path = page_path(key, page_key, "deploy", "/deployment")
  caspio.request("PUT", path, { json = internal.dialect().body({ Deployed = on_arg(on, 3, "deploy") }) })
  return true
end

--- Deploys or undeploys every DataPage of the application.
function caspio.apps.deploy_all(key, on)
  local path = app_path(key, "deploy_all", internal.dialect().DEPLOY_ALL)
  caspio.request("PUT", path, { json = internal.dialect().body({ Deployed = on_arg(on, 2, "deploy_all") }) })
  return true
end

local METHODS = { iframe = "iFrame", url = "URL", embedded = "Embedded", net = "Net" }

--- A deployed DataPage's deploy code for `method`: "URL" (default), "iFrame", "Embedded" or
--- "Net". A DataPage that is not deployed is Caspio's HTTP 400.
function caspio.apps.deployment(key, page_key, method)
  local path = page_path(key, page_key, "deployment", "/deployment")
  local spelled = METHODS[type(method) == "string" and method:lower() or "url"]
  if method ~= nil and spelled == nil then
    usage("bad argument #3 to 'deployment' (\"URL\", \"iFrame\", \"Embedded\" or \"Net\" expected, got %s)", internal.describe(method))
  end
  return internal.dialect().single(caspio.request("GET", path, { query = { method = spelled } }))
end

-- Directories ---------------------------------------------------------------------------------

--- The account's directories {Id, Name, NumberOfUsers, …} (a list).
function caspio.directories()
  return internal.dialect().directories()
end

local Directory = { __name = "caspio.directory" }
Directory.__index = Directory
Directory.__tostring = function(d) return format("caspio.directory(%q)", d.id) end

function caspio.directory(id)
  return setmetatable({ id = name_arg(id, 1, "directory", "directory id"), name = "directory " .. tostring(id) }, Directory)
end

function Directory:path() return "directories/" .. segment(self.id) .. "/users" end

--- Iterates over the directory's users, paged and ordered as caspio.records (by UserGUID).
function Directory:users(opts)
  opts = internal.check_options("users", opts)
  return internal.read_rows(tostring(self) .. ":users()", self:path(), opts, "UserGUID")
end

--- Adds a user {Email =, FirstName =, …} (or a list of them: on v3 one request each, on v4
--- in bulk requests of up to 1,000); returns what Caspio stored.
function Directory:add(user, opts)
  opts = internal.check_options("add", opts)
  table_arg(user, 1, "add", "a user {Email = …} or a list of users")
  local single = user[1] == nil
  local dialect = internal.dialect()
  if not single and dialect.add_users then return internal.add_users(self, user, opts) end
  local added = json.array({})
  for i, one in ipairs(single and { user } or user) do added[i] = dialect.add_user(self:path(), one) end
  if single then return added[1] end
  return added
end

local function shape(d, verb, after)
  return { after = after, what = format("%s every user of %s", verb, tostring(d)), receiver = "d" }
end

--- Changes the users matching `where` (Caspio's `Where`); returns UsersAffected.
function Directory:update(where, fields, opts)
  table_arg(fields, 2, "update", "a table of fields")
  local clause = internal.guarded_where(self, where, opts, "update", shape(self, "update", "fields, "))
  return internal.dialect().update_users(self:path(), clause, fields)
end

--- Deletes the users matching `where`; returns UsersAffected.
function Directory:delete(where, opts)
  local clause = internal.guarded_where(self, where, opts, "delete", shape(self, "delete"))
  return internal.dialect().delete_users(self:path(), clause)
end

--- Activates users (a UserGUID or a list of them); returns the ActivationUrl (or a list).
function Directory:activate(user_guids, opts)
  opts = internal.check_options("activate", opts)
  local single = type(user_guids) == "string"
  if not single and (type(user_guids) ~= "table" or user_guids[1] == nil) then
    usage("bad argument #1 to 'activate' (a UserGUID or a list of them expected, got %s)", internal.describe(user_guids))
  end
  local urls = json.array({})
  for i, guid in ipairs(single and { user_guids } or user_guids) do
    urls[i] = internal.dialect().activate_user(self:path(), guid, opts.send_email == true)
  end
  if single then return urls[1] end
  return urls
end
