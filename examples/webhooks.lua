-- Webhooks: create a webhook on a table, make a change, show the event Caspio delivered.
-- Run it: caspio run --sandbox examples/webhooks.lua  (the sandbox only: the webhook posts to the
-- sandbox's own /_sandbox/inbox; against an account, point OutgoingUrls at a receiver of yours).
local origin = caspio.config.base_url:match("^(https?://[^/]+)")
local inbox = origin .. "/_sandbox/inbox"

local hook = caspio.webhooks.create({ Name = "Example: new products", OutgoingUrls = { inbox }, CallThrottling = 5 })
caspio.webhooks.add_event(hook.Id, { EventType = "table.recordInsert", ObjectName = "Products" })
local events = 0
for _ in caspio.webhooks.events(hook.Id) do events = events + 1 end
print("webhook", hook.Name, "events:", events)

caspio.table("Products"):insert({ Name = "Example glue", Price = 2.5 })

-- Delivery is asynchronous: wait for the message (at most 10 s). A receiver dedupes on
-- messageId and checks the sender: on v3 the webhook's secret travels in the body; on v4 the
-- body leaves it out and the delivery is signed with it instead (a header; which one, and what
-- it signs, Caspio has not published: see docs/lua-api.md, "REST API v4").
local delivered
for _ = 1, 100 do
  for _, message in ipairs(caspio.request("GET", inbox).json or {}) do
    if message.webhookId == hook.Id then delivered = message end
  end
  if delivered then break end
  caspio.sleep(0.1)
end
assert(delivered, "no message arrived within 10 s")
if caspio.config.base_url:match("/v4$") then
  assert(delivered.secret == nil, "a v4 delivery carries no secret in its body")
else
  assert(delivered.secret == hook.Secret, "the message does not carry the webhook's secret")
end
print("delivered", delivered.eventType, delivered.objectName, delivered.data[1].Name)

caspio.webhooks.delete(hook.Id)
