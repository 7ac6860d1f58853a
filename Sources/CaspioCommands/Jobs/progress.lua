-- The progress bar of `caspio export` and `caspio import` (a terminal only: the command
-- passes p.bar false for pipes and --quiet), and their one-line summary.
local p = ...
local started = caspio.stats().duration
local bar = {}

local function elapsed() return caspio.stats().duration - started end

local function seconds(s)
  if s >= 90 then return string.format("%dm%02ds", s // 60, math.floor(s % 60)) end
  return string.format("%.0fs", s)
end

local shown = -1
function bar.update(done, total)
  if not p.bar then return end
  local now = elapsed()
  -- Redrawing at most ten times a second costs nothing next to the requests.
  if done ~= total and now - shown < 0.1 then return end
  shown = now
  local rate = now > 0 and done / now or 0
  local text
  if total and total > 0 then
    local width = 24
    local filled = math.min(width, math.floor(width * done / total))
    local eta = rate > 0 and seconds((total - done) / rate) or "?"
    text = string.format("[%s%s] %d/%d rows  %.0f rows/s  ETA %s", string.rep("#", filled), string.rep(".", width - filled), done, total, rate, eta)
  else
    text = string.format("%d rows  %.0f rows/s", done, rate)
  end
  io.stderr:write("\r\27[K", text)
  io.stderr:flush()
end

function bar.finish(summary)
  if p.bar then io.stderr:write("\r\27[K") end
  if not p.quiet then io.stderr:write(summary, string.format(" in %.1fs\n", elapsed())) end
end

return bar
