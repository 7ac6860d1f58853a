-- `caspio export TABLE`: t:export with the command's options; stdout without -o.
local p, bar = ...
local t = p.view and caspio.view(p.table) or caspio.table(p.table)
local ok, count = pcall(t.export, t, p.output or io.stdout, {
  format = p.format, where = p.where, select = p.select, skip = p.skip, orderBy = p.order_by,
  delimiter = p.delimiter, crlf = p.crlf or nil, progress = p.bar and bar.update or nil,
})
-- A reader that stopped early (`| head`): end as a pipe's writer does, without a word. The
-- HTTP client ignores SIGPIPE, so the write fails instead of killing the process.
if not ok and p.output == nil and tostring(count):find("Broken pipe", 1, true) then os.exit(141) end
if not ok then error(count, 0) end
bar.finish(string.format("%s: %d row%s exported to %s", p.table, count, count == 1 and "" or "s", p.output or "standard output"))
