-- Outgoing webhooks and their events. A webhook's Secret is registered as a secret whenever
-- one passes through (created, read, or given), so no log line or message shows it.
local caspio, internal = ...
local segment, call, name_arg, table_arg = internal.segment, internal.call, internal.name_arg, internal.table_arg

-- One webhook or event of an answer, in v3's names on every version.
local function single(response) return internal.dialect().single(response) end

-- A body in the script's (v3's) names, as the base URL's version takes it.
local function body(def) return internal.dialect().body(def) end

local function hide_secret(hook)
  if type(hook) == "table" then internal.secret(hook.Secret or hook.secret) end
  return hook
end

local function webhook_path(id, fname, rest)
  return "outgoingWebhooks/" .. segment(name_arg(id, 1, fname, "webhook id")) .. (rest or "")
end

local function event_path(id, event_id, fname)
  return webhook_path(id, fname, "/events/" .. segment(name_arg(event_id, 2, fname, "event id")))
end

caspio.webhooks = {}
local webhooks = caspio.webhooks

--- Iterates over the account's webhooks {Id, Name, Status, OutgoingUrls, CallThrottling, …}.
function webhooks.list()
  return internal.listing("outgoingWebhooks", nil, hide_secret)
end

--- One webhook, with its counts of Events, Messages, Calls and Errors.
function webhooks.get(id)
  return hide_secret(single(caspio.request("GET", webhook_path(id, "get"))))
end

--- Creates a webhook {Name =, OutgoingUrls = {…}, CallThrottling =, Description =}; returns it
--- with its Id and Secret (Caspio shows the secret only here).
function webhooks.create(def)
  table_arg(def, 1, "create", "a webhook {Name = …, OutgoingUrls = {…}}")
  hide_secret(def)
  return hide_secret(single(caspio.request("POST", "outgoingWebhooks", { json = body(def) })))
end

--- Changes a webhook ({Status = "Disabled"}, {OutgoingUrls = {…}}, …); returns it.
function webhooks.update(id, changes)
  local path = webhook_path(id, "update")
  table_arg(changes, 2, "update", "a table of changes")
  hide_secret(changes)
  return hide_secret(single(caspio.request(internal.dialect().CHANGE, path, { json = body(changes) })))
end

--- Deletes a webhook and its events.
function webhooks.delete(id)
  return call("DELETE", webhook_path(id, "delete"))
end

--- Iterates over a webhook's events {Id, Type, Status, ObjectName, ObjectFields, EventSources, …}.
function webhooks.events(id)
  return internal.listing(webhook_path(id, "events", "/events"))
end

--- One event of a webhook, with its counts of Messages, Calls and Errors.
function webhooks.event(id, event_id)
  return single(caspio.request("GET", event_path(id, event_id, "event")))
end

--- Adds an event {EventType = "table.recordInsert"|"table.recordUpdate"|"table.recordDelete",
--- ObjectName = table, ObjectFields = {…} (updates only), EventSources = {…}}; returns it.
function webhooks.add_event(id, def)
  local path = webhook_path(id, "add_event", "/events")
  table_arg(def, 2, "add_event", "an event {EventType = …, ObjectName = …}")
  return single(caspio.request("POST", path, { json = body(def) }))
end

--- Changes an event; returns it.
function webhooks.update_event(id, event_id, changes)
  local path = event_path(id, event_id, "update_event")
  table_arg(changes, 3, "update_event", "a table of changes")
  return single(caspio.request(internal.dialect().CHANGE, path, { json = body(changes) }))
end

--- Deletes an event.
function webhooks.delete_event(id, event_id)
  return call("DELETE", event_path(id, event_id, "delete_event"))
end
