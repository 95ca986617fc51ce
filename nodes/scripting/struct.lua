-- The `struct` library as redis 7.0 embeds it (Roberto Ierusalimschy's struct 0.2 for a
-- 64-bit little-endian host: long and size_t are 8 bytes, int 4, maximum alignment 8),
-- written in Lua for splitbrain-server. Byte conversions are Python's (kit.binary).
local kit = ...
local argerror, checkinteger, checknumber, checkstring = kit.argerror, kit.checkinteger, kit.checknumber, kit.checkstring
local bin = kit.binary
local pack_int, unpack_int, pack_float, unpack_float = bin.pack_int, bin.unpack_int, bin.pack_float, bin.unpack_float
local error, select, tonumber, unpack = error, select, tonumber, unpack
local format, sub, find, rep, concat = string.format, string.sub, string.find, string.rep, table.concat

local INT_MAX, MAXINTSIZE, MAXALIGN = 2147483647, 32, 8

-- x & (m - 1) for a power-of-two-or-not m as C computes it, on small non-negative ints.
local function band(a, b)
  local r, bitv = 0, 1
  while a > 0 and b > 0 do
    if a % 2 == 1 and b % 2 == 1 then r = r + bitv end
    a, b, bitv = (a - a % 2) / 2, (b - b % 2) / 2, bitv * 2
  end
  return r
end

-- A decimal count at fmt[i]: value, next index (or default, i).
local function getnum(fmt, i, default)
  local digits = fmt:match("^%d+", i)
  if not digits then return default, i end
  local a = 0
  for j = 1, #digits do
    local d = digits:byte(j) - 48
    if a > (INT_MAX - INT_MAX % 10) / 10 or a * 10 > INT_MAX - d then
      error("integral size overflow", 0)
    end
    a = a * 10 + d
  end
  return a, i + #digits
end

local SIZES = {b = 1, B = 1, h = 2, H = 2, l = 8, L = 8, T = 8, f = 4, d = 8, x = 1}

local function optsize(opt, fmt, i)
  local s = SIZES[opt]
  if s then return s, i end
  if opt == "c" then return getnum(fmt, i, 1) end
  if opt == "i" or opt == "I" then
    local sz
    sz, i = getnum(fmt, i, 4)
    if sz > MAXINTSIZE then
      error(format("integral size %d is larger than limit of %d", sz, MAXINTSIZE), 0)
    end
    return sz, i
  end
  return 0, i
end

local function toalign(len, h, opt, size)
  if size == 0 or opt == "c" then return 0 end
  if size > h.align then size = h.align end
  return band(size - band(len, size - 1), size - 1)
end

local function controloptions(opt, fmt, i, h)
  if opt == " " then return i end
  if opt == ">" then h.little = false; return i end
  if opt == "<" then h.little = true; return i end
  if opt == "!" then
    local a
    a, i = getnum(fmt, i, MAXALIGN)
    if not (a > 0 and band(a, a - 1) == 0) then
      error(format("alignment %d is not a power of 2", a), 0)
    end
    h.align = a
    return i
  end
  argerror(1, format("invalid format option '%s'", opt))
end

local INTEGERS = {b = true, B = true, h = true, H = true, l = true, L = true, T = true, i = true, I = true}

local lib = {}

function lib.pack(...)
  local nargs = select("#", ...)
  local fmt = checkstring(1, (...), nargs >= 1)
  local args = {...}
  local h = {little = true, align = 1}
  local out, total, arg, i = {}, 0, 2, 1
  while i <= #fmt and sub(fmt, i, i) ~= "\0" do
    local opt = sub(fmt, i, i)
    local size
    size, i = optsize(opt, fmt, i + 1)
    local pad = toalign(total, h, opt, size)
    total = total + pad
    if pad > 0 then out[#out + 1] = rep("\0", pad) end
    if INTEGERS[opt] then
      out[#out + 1] = pack_int(checknumber(arg, args[arg], true), size, h.little)
      arg = arg + 1
    elseif opt == "x" then
      out[#out + 1] = "\0"
    elseif opt == "f" or opt == "d" then
      local x = checknumber(arg, args[arg], true)
      out[#out + 1] = pack_float(x, h.little, opt == "d", x == 0 and 1 / x < 0)
      arg = arg + 1
    elseif opt == "c" or opt == "s" then
      local s = checkstring(arg, args[arg], true)
      arg = arg + 1
      if size == 0 then size = #s end
      if #s < size then argerror(arg, "string too short") end
      out[#out + 1] = sub(s, 1, size)
      if opt == "s" then
        out[#out + 1] = "\0"
        size = size + 1
      end
    else
      i = controloptions(opt, fmt, i, h)
    end
    total = total + size
  end
  return concat(out)
end

function lib.unpack(...)
  local nargs = select("#", ...)
  local fmt, data, pos = ...
  fmt = checkstring(1, fmt, nargs >= 1)
  data = checkstring(2, data, nargs >= 2)
  if pos == nil then pos = 1 else pos = checkinteger(3, pos) end
  if pos == 0 then argerror(3, "offset must be 1 or greater") end
  if pos < 0 then pos = 2 ^ 64 + pos end
  pos = pos - 1
  local ld = #data
  local h = {little = true, align = 1}
  local results, n, i = {}, 0, 1
  while i <= #fmt and sub(fmt, i, i) ~= "\0" do
    local opt = sub(fmt, i, i)
    local size
    size, i = optsize(opt, fmt, i + 1)
    pos = pos + toalign(pos, h, opt, size)
    if not (size <= ld and pos <= ld - size) then argerror(2, "data string too short") end
    if INTEGERS[opt] then
      n = n + 1
      results[n] = unpack_int(sub(data, pos + 1, pos + size), h.little, opt:lower() == opt)
    elseif opt == "x" then
      -- padding only
    elseif opt == "f" or opt == "d" then
      n = n + 1
      results[n] = unpack_float(sub(data, pos + 1, pos + size), h.little)
    elseif opt == "c" then
      if size == 0 then
        if n == 0 or tonumber(results[n]) == nil then
          error("format 'c0' needs a previous size", 0)
        end
        size = tonumber(results[n])
        n = n - 1
        if not (size <= ld and pos <= ld - size) then argerror(2, "data string too short") end
      end
      n = n + 1
      results[n] = sub(data, pos + 1, pos + size)
    elseif opt == "s" then
      local e = find(data, "\0", pos + 1, true)
      if not e then error("unfinished string in data", 0) end
      size = e - pos
      n = n + 1
      results[n] = sub(data, pos + 1, e - 1)
    else
      i = controloptions(opt, fmt, i, h)
    end
    pos = pos + size
  end
  results[n + 1] = pos + 1
  return unpack(results, 1, n + 1)
end

function lib.size(...)
  local fmt = checkstring(1, (...), select("#", ...) >= 1)
  local h = {little = true, align = 1}
  local pos, i = 0, 1
  while i <= #fmt and sub(fmt, i, i) ~= "\0" do
    local opt = sub(fmt, i, i)
    local size
    size, i = optsize(opt, fmt, i + 1)
    pos = pos + toalign(pos, h, opt, size)
    if opt == "s" then
      argerror(1, "option 's' has no fixed size")
    elseif opt == "c" and size == 0 then
      argerror(1, "option 'c0' has no fixed size")
    end
    if not find(opt, "^%w") then i = controloptions(opt, fmt, i, h) end
    pos = pos + size
  end
  return pos
end

return lib, {}
