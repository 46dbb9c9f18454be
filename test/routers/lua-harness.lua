-- Runs the emitted EnvoyFilter Lua against a stub of Envoy's request handle.
-- usage: luajit lua-harness.lua FILTER.lua REQUESTS.tsv
-- REQUESTS.tsv: one request a line: authority \t path \t header-name \t header-value (empty name: no header)
-- prints, one line a request: the assignment header the filter set ("-" for none) and whether it cleared the route cache
-- OLD_ENVOY=1: the handle of Envoy before 1.34, which has no clearRouteCache method
local filter, requests = arg[1], arg[2]
local oldEnvoy = os.getenv("OLD_ENVOY") == "1"
dofile(filter)

local function split(line)
  local fields = {}
  for field in (line .. "\t"):gmatch("([^\t]*)\t") do fields[#fields + 1] = field end
  return fields
end

for line in io.lines(requests) do
  local f = split(line)
  local map = { [":authority"] = f[1], [":path"] = f[2], ["x-canary-assigned"] = "spoofed" }
  if f[3] ~= "" then map[f[3]] = f[4] end
  local headers = {}
  function headers:get(name) return map[name] end
  function headers:add(name, value) map[name] = value end
  function headers:replace(name, value) map[name] = value end
  function headers:remove(name) map[name] = nil end
  local handle = { cleared = false }
  function handle:headers() return headers end
  if not oldEnvoy then
    function handle:clearRouteCache() self.cleared = true end
  end
  envoy_on_request(handle)
  io.write(map["x-canary-assigned"] or "-", " ", tostring(handle.cleared), "\n")
end
