-- What the helpers for Caspio's other objects share: unwrapping answers, one-request
-- listings on the pager, the API version of the base URL, and secrets kept out of output.
local caspio, internal = ...
local native, usage = internal.native, internal.usage
local format = string.format

--- An answer's Result, or the answer itself: some operations (webhooks) answer bare JSON.
--- 201/204 answers without a body are `true`.
function internal.result(response)
  local body = response.json
  if body == nil then return true end
  if type(body) == "table" and body.Result ~= nil then return body.Result end
  return body
end

--- caspio.request, and the answer's Result.
function internal.call(method, path, opts)
  return internal.result(caspio.request(method, path, opts))
end

--- A listing of the account's objects (webhooks, events, tasks, apps), as an iterator on
--- the one pager, read as the base URL's version answers it; filter(item) sees each item.
function internal.listing(path, query, filter)
  return internal.dialect().listing(path, query, filter)
end

--- A string argument that must not be empty, or a usage error naming it.
function internal.name_arg(value, position, fname, what)
  if type(value) ~= "string" or value == "" then
    usage("bad argument #%d to '%s' (%s expected, got %s)", position, fname, what, internal.describe(value))
  end
  return value
end

--- A table argument, or a usage error naming it.
function internal.table_arg(value, position, fname, what)
  if type(value) ~= "table" then
    usage("bad argument #%d to '%s' (%s expected, got %s)", position, fname, what, internal.describe(value))
  end
  return value
end

--- Registers text that must never appear in logs or messages (a password, a webhook's
--- secret) with the redactor that blanks out the client secret.
function internal.secret(text)
  if type(text) == "string" then native.secret(text) end
  return text
end

-- v2 accounts ------------------------------------------------------------------------------

--- The base URL's REST API version (2, 3 or 4), as the dialect knows it.
function internal.api_version() return internal.dialect().version end

-- v2 names two resources differently (API-NOTES.md "Other resources").
local V2_NAMES = { dataImportExportTasks = "tasks", bridgeApplications = "applications" }

--- A v3 path in the base URL's version.
function internal.versioned(path)
  if internal.api_version() ~= 2 then return path end
  local first, rest = path:match("^([^/]+)(.*)$")
  return (V2_NAMES[first] or first) .. rest
end

-- Operations of REST API v3 that v2 has not: a 404 for one says so.
local V3_ONLY = {
  outgoingWebhooks = "outgoing webhooks", directories = "directories",
  ["files/folders"] = "folder listings (v2 lists folders with GET files)",
}

--- " (… are a REST API v3 operation: …)" for a 404 of a v3-only path on a v2 base URL.
function internal.v2_hint(path)
  if internal.api_version() ~= 2 then return nil end
  path = path:gsub("^/+", "")
  for prefix, what in pairs(V3_ONLY) do
    if path == prefix or path:sub(1, #prefix + 1) == prefix .. "/" then
      return format(" (%s are a REST API v3 operation and this account's base URL is v2 (%s): use the v3 one, …/integrations/rest/v3)",
        what, tostring(rawget(caspio, "config") and caspio.config.base_url))
    end
  end
end
