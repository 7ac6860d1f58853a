-- `caspio export TABLE`: t:export with the command's options; stdout without -o.
local p, bar = ...
local t = p.view and caspio.view(p.table) or caspio.table(p.table)
local count = t:export(p.output or io.stdout, {
  format = p.format, where = p.where, select = p.select, orderBy = p.order_by, progress = p.bar and bar.update or nil,
})
bar.finish(string.format("%s: %d row%s exported to %s", p.table, count, count == 1 and "" or "s", p.output or "standard output"))
