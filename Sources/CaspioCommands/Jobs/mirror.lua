-- `caspio mirror TARGET`: caspio.mirror with the command's options, then a line per table and
-- the total; with --every, again after each pause, until a signal stops the run.
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
while true do
  local report = caspio.mirror(opts)
  print(report.total.line)
  io.stdout:flush()
  if p.every == nil then break end
  -- --full is for the first copy only; the pause ends early on SIGTERM or Ctrl-C.
  opts.full = nil
  caspio.sleep(p.every)
end
