/**
 * The Lua program of the sticky-assignment EnvoyFilter. It runs where Istio
 * makes the routing decision (callers' sidecars, the ingress gateway), before
 * the router filter: for requests to the service's hosts it hashes the key,
 * sets the assignment header and clears the route cache, so the VirtualService
 * routes on the assignment. It computes exactly what {@link assignKey} does.
 */
import { CanarySpec } from '../../spec';
import { bucketRanges } from '../assignment';

/** Header the filter sets to the assigned version (any client value is removed first). */
export const ASSIGNMENT_HEADER = 'x-canary-assigned';

/** Options of {@link stickyAssignmentLua}. */
export interface LuaOptions {
  /** Host names (without port) the filter acts on. */
  readonly hosts: readonly string[];
  /** Host prefix `name.` matched in any namespace, when the namespace is not known. */
  readonly hostPrefix?: string;
}

function luaString(s: string): string {
  return JSON.stringify(s); // a JSON string of printable text is a valid Lua string literal
}

/** The Lua source, deterministic for a given spec and options. */
export function stickyAssignmentLua(spec: CanarySpec, options: LuaOptions): string {
  if (spec.routing.type === 'random') throw new Error('sticky assignment needs header or query routing');
  const kind = spec.routing.type;
  const key = kind === 'header' ? spec.routing.key.toLowerCase() : spec.routing.key;
  const ranges = bucketRanges(spec)
    .filter((r) => r.to > r.from)
    .map((r) => `  { ${r.to}, ${luaString(r.version)} },`)
    .join('\n');
  const hosts = [...options.hosts].sort().map((h) => `  [${luaString(h.toLowerCase())}] = true,`).join('\n');
  return `-- canary-inference: sticky assignment for ${spec.name}
-- bucket = FNV-1a 32-bit of the key's bytes, mod 100; the version whose range holds the bucket wins
local KEY_KIND = ${luaString(kind)}
local KEY = ${luaString(key)}
local ASSIGNMENT_HEADER = ${luaString(ASSIGNMENT_HEADER)}
local HOST_PREFIX = ${options.hostPrefix ? luaString(options.hostPrefix) : 'nil'}
local HOSTS = {
${hosts}
}
-- upper bounds (exclusive) of the cumulative bucket ranges, canaries first, main last
local RANGES = {
${ranges}
}

local function xor8(a, b)
  local r, bit = 0, 1
  for _ = 1, 8 do
    local x, y = a % 2, b % 2
    if x ~= y then r = r + bit end
    a, b, bit = (a - x) / 2, (b - y) / 2, bit * 2
  end
  return r
end

local function fnv1a32(s)
  local h = 2166136261
  for i = 1, #s do
    local low = h % 256
    h = h - low + xor8(low, s:byte(i))
    -- h * 16777619 mod 2^32, exact in doubles: 16777619 = 2^24 + 403
    h = (h * 403 + (h % 256) * 16777216) % 4294967296
  end
  return h
end

local function decode(s)
  return (s:gsub("%%(%x%x)", function(hex) return string.char(tonumber(hex, 16)) end))
end

local function query_value(path, name)
  local query = path:match("%?([^#]*)")
  if query == nil then return nil end
  for pair in query:gmatch("[^&]+") do
    local k, v = pair:match("^([^=]*)=?(.*)$")
    if decode(k) == name then return decode(v) end
  end
  return nil
end

local function is_target(authority)
  if authority == nil then return false end
  local host = string.lower(authority:match("^[^:]*"))
  if HOSTS[host] then return true end
  return HOST_PREFIX ~= nil and host:sub(1, #HOST_PREFIX) == HOST_PREFIX
end

function envoy_on_request(handle)
  local headers = handle:headers()
  if not is_target(headers:get(":authority")) then return end
  headers:remove(ASSIGNMENT_HEADER)
  local key
  if KEY_KIND == "header" then
    key = headers:get(KEY)
  else
    key = query_value(headers:get(":path") or "", KEY)
  end
  if key == nil or key == "" then return end -- no key: the weighted random split applies
  local bucket = fnv1a32(key) % 100
  for _, range in ipairs(RANGES) do
    if bucket < range[1] then
      headers:add(ASSIGNMENT_HEADER, range[2])
      break
    end
  end
  -- Envoy 1.34 added clearRouteCache; older Envoy (Istio 1.25 and before) has no such method
  -- and recomputes the route itself after a header change
  if handle.clearRouteCache ~= nil then handle:clearRouteCache() end
end
`;
}
