-- Argo CD health of a TTStack (ttstack.dev), read from the status the operator writes. Argo CD runs
-- it with gopher-lua (Lua 5.1); the chart's tests run it with lua5.1 against statuses recorded from
-- the operator on a real API server. Install: see the chart's README ("Argo CD and Flux").
--   Healthy      Ready=True for the generation the operator last observed.
--   Degraded     what needs a person: an invalid spec, a failed or rolled-back app rollout, a missing
--                secret or key, a refused change, lost Redis slots, a reconcile that fails.
--   Progressing  everything else: not yet observed, components starting, Redis healing.
local needsAPerson = {
  InvalidSpec = true, ReconcileError = true, RolledBack = true,
  TokenNotFound = true, SecretNotFound = true, MissingKeys = true, AuthenticationFailed = true,
  MajorUpgradeRefused = true, ScaleChangeRefused = true,
  SlotsLost = true, ClusterLost = true, OnlyCopyWithoutIdentity = true,
}

local function conditionOf(conditions, kind)
  if conditions == nil then
    return nil
  end
  for _, c in ipairs(conditions) do
    if c.type == kind then
      return c
    end
  end
  return nil
end

local function health(status, message)
  return { status = status, message = message }
end

local status = obj.status
if status == nil then
  return health("Progressing", "Waiting for the operator to observe the stack")
end
local generation = obj.metadata.generation
if generation ~= nil and (status.observedGeneration == nil or status.observedGeneration < generation) then
  return health("Progressing", "Waiting for the operator to observe generation " .. generation)
end
local ready = conditionOf(status.conditions, "Ready")
if ready == nil then
  return health("Progressing", "Waiting for the Ready condition")
end
if ready.status == "True" then
  return health("Healthy", ready.message)
end
if needsAPerson[ready.reason] then
  return health("Degraded", ready.message)
end
-- Ready=False because of a component: the first component condition that needs a person.
for _, c in ipairs(status.conditions) do
  if c.type ~= "Ready" and c.status ~= "True" and needsAPerson[c.reason] then
    return health("Degraded", c.type .. ": " .. (c.message or c.reason))
  end
end
if status.app ~= nil and (status.app.state == "Failed" or status.app.state == "RolledBack") then
  local app = conditionOf(status.conditions, "AppReady")
  return health("Degraded", "AppReady: " .. ((app and app.message) or ("the rollout is " .. status.app.state)))
end
return health("Progressing", ready.message)
