-- wrk script for ops/bench/webhooks-wrk.sh: replays pre-signed webhook requests (one per line:
-- timestamp, signature, body, tab-separated) starting at the offset given after `--`, so every event is new.
local reqs = {}
local i = 0
init = function(args)
  i = tonumber(args[2] or "0")
  for line in io.lines(args[1]) do
    local ts, sig, body = line:match("([^\t]+)\t([^\t]+)\t(.*)")
    reqs[#reqs + 1] = wrk.format("POST", "/webhooks/hooks", { ["Content-Type"] = "application/json", ["x-template-timestamp"] = ts, ["x-template-signature"] = sig }, body)
  end
end
request = function()
  i = i + 1
  if i > #reqs then i = 1 end
  return reqs[i]
end
