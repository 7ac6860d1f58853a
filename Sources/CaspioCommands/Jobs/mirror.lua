-- `caspio mirror TARGET`: caspio.mirror with the command's options, then a line per table and
-- the total; with --every, again after each pause, until a signal stops the run.
local p = ...
local opts = {
  target = p.target, tables = p.tables, all = p.all or nil, full = p.full or nil, prune = p.prune or nil,
  cursor = p.cursor, lookback = p.lookback, deletes_every = p.deletes_every,
}
while true do
  local report = caspio.mirror(opts)
  for _, r in ipairs(report.tables) do
    for _, note in ipairs(r.notes) do print(r.table .. ": " .. note) end
    print(r.line)
  end
  print(report.total.line)
  io.stdout:flush()
  if p.every == nil then break end
  -- --full is for the first copy only; the pause ends early on SIGTERM or Ctrl-C.
  opts.full = nil
  caspio.sleep(p.every)
end
