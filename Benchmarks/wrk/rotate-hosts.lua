-- wrk script for `flagstorm serve`: rotates the Host header over 1,000 host
-- names, one per request, so the server routes each request to another host.
--   wrk -t1 -c64 -d10s --latency -s Benchmarks/wrk/rotate-hosts.lua \
--       http://127.0.0.1:PORT/api/2.0/connector-service/feature-flags/go/1.0
local counter = 0
request = function()
  counter = counter + 1
  local host = "h" .. (counter % 1000) .. ".example.com"
  return wrk.format("GET", "/api/2.0/connector-service/feature-flags/go/1.0", { ["Host"] = host })
end
