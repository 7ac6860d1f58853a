-- `caspio mirror TARGET`: caspio.mirror with the command's options, then a line per table and
-- the total; with --every, again after each pause, until a signal stops the run. With
-- --listen, the webhook messages received are applied during the pauses, by this same thread.
local p = ...
local opts = {
  target = p.target, tables = p.tables, all = p.all or nil, full = p.full or nil, prune = p.prune or nil,
  cursor = p.cursor, lookback = p.lookback, deletes_every = p.deletes_every,
  -- Each table's line as soon as it is done: a run that fails later still shows what it cost.
  each = function(r)
    for _, note in ipairs(r.notes) do print(r.table .. ": " .. note) end
    print(r.line)
    io.stdout:flush()
  end,
}

-- The messages of a pause, decoded (the listener let only JSON objects in), applied at once.
local function apply(bodies)
  local messages = {}
  for i, body in ipairs(bodies) do messages[i] = caspio.json.decode(body) end
  caspio.mirror({ target = p.target, tables = p.tables, all = p.all or nil, events = messages, each = opts.each })
end

-- Listening starts before the first run, so that an address this host cannot listen on is
-- an error before any call; what arrives meanwhile waits for the first pause.
if p.listen then
  print("listening for webhooks on " .. p.listen())
  io.stdout:flush()
end
while true do
  local report = caspio.mirror(opts)
  print(report.total.line)
  io.stdout:flush()
  if p.every == nil then break end
  -- --full is for the first copy only; the pause ends early on SIGTERM or Ctrl-C.
  opts.full = nil
  if p.listen then
    p.pause(p.every)
    for bodies in p.webhooks do apply(bodies) end
  else
    caspio.sleep(p.every)
  end
end
