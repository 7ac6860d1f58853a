-- Running scripts: log, sleep, env, atexit, caspio.state and caspio.config.
local caspio, internal = ...
local native, json, usage, raise = internal.native, internal.json, internal.usage, internal.raise
local format = string.format

caspio.log = {}
for name, level in pairs({ trace = "trace", debug = "debug", info = "info", warn = "warning", error = "error" }) do
  caspio.log[name] = function(message, ...)
    if select("#", ...) > 0 then message = format(message, ...) end
    native.log(level, tostring(message))
  end
end

-- The host checks the seconds (and wakes early for a stop).
caspio.sleep = native.sleep

function caspio.env(name)
  if type(name) ~= "string" then usage("bad argument #1 to 'env' (variable name expected)") end
  return os.getenv(name)
end

-- Unattended runs ---------------------------------------------------------------------------

-- atexit handlers run after the script ends, however it ends (error, Ctrl-C, timeout,
-- SIGTERM); the host pops them one by one, last registered first, with internal.next_atexit
-- (which it keeps in the registry for the runner).
local atexit_handlers = {}

function caspio.atexit(fn)
  if type(fn) ~= "function" and not (getmetatable(fn) or {}).__call then
    usage("bad argument #1 to 'atexit' (function expected)")
  end
  atexit_handlers[#atexit_handlers + 1] = fn
end

function internal.next_atexit()
  return table.remove(atexit_handlers)
end

-- caspio.state: read once on first use (runs of one script are serialised by --lock), and
-- written back whole, atomically, on every set.
local state_values

local function state_table()
  if state_values == nil then
    local text = native.state_read()
    if text == nil or text == "" then
      state_values = {}
    else
      local ok, decoded = pcall(json.decode, text)
      if not ok or type(decoded) ~= "table" or json.is_array(decoded) then
        raise("config", "the state file " .. native.state_path() .. " does not hold a JSON object")
      end
      state_values = decoded
    end
  end
  return state_values
end

local function state_key(key, name)
  if type(key) ~= "string" then usage("bad argument #1 to '%s' (string key expected)", name) end
end

caspio.state = {}

--- The value stored under key, or nil.
function caspio.state.get(key)
  state_key(key, "get")
  return state_table()[key]
end

--- Stores a JSON value under key (nil removes it) and writes the file before returning.
function caspio.state.set(key, value)
  state_key(key, "set")
  local values = state_table()
  local old = values[key]
  values[key] = value
  local ok, text = pcall(json.encode, values, { sort_keys = true })
  if not ok then
    values[key] = old
    usage("caspio.state.set: %s is not a JSON value (%s)", key, tostring(text))
  end
  native.state_write(text .. "\n")
end

--- A copy of everything stored.
function caspio.state.all()
  local copy = {}
  for k, v in pairs(state_table()) do copy[k] = v end
  return copy
end

--- The path of the state file.
function caspio.state.path() return native.state_path() end

-- caspio.config is resolved on first use, so that scripts that never call the API need no
-- account configured.
setmetatable(caspio, {
  __index = function(t, key)
    if key == "config" then
      local config = native.config()
      rawset(t, "config", config)
      return config
    end
  end,
})
