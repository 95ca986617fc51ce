-- The `cmsgpack` library as redis 7.0 embeds it (lua-cmsgpack 0.4.0 on a 64-bit host),
-- written in Lua for splitbrain-server. Byte conversions are Python's (kit.binary).
local kit = ...
local argerror, checkinteger, checkstring = kit.argerror, kit.checkinteger, kit.checkstring
local bin = kit.binary
local pack_int, unpack_int, pack_float, unpack_float = bin.pack_int, bin.unpack_int, bin.pack_float, bin.unpack_float
local type, error, select, next, unpack, pcall = type, error, select, next, unpack, kit.pcall
local floor, huge = math.floor, math.huge
local format, byte, char, sub, concat = string.format, string.byte, string.char, string.sub, table.concat

local MAX_NESTING = 16
local TWO63 = 2 ^ 63

-- ===== packing =====

local function be(n, size) return pack_int(n, size, false) end

local function encode_int(n, out)
  if n >= 0 then
    if n <= 127 then out[#out + 1] = char(n)
    elseif n <= 0xff then out[#out + 1] = "\204" .. char(n)
    elseif n <= 0xffff then out[#out + 1] = "\205" .. be(n, 2)
    elseif n <= 0xffffffff then out[#out + 1] = "\206" .. be(n, 4)
    else out[#out + 1] = "\207" .. be(n, 8) end
  else
    if n >= -32 then out[#out + 1] = char(n + 256)
    elseif n >= -128 then out[#out + 1] = "\208" .. char(n + 256)
    elseif n >= -32768 then out[#out + 1] = "\209" .. be(n, 2)
    elseif n >= -2147483648 then out[#out + 1] = "\210" .. be(n, 4)
    else out[#out + 1] = "\211" .. be(n, 8) end
  end
end

local function encode_number(n, out)
  -- C's IS_INT64_EQUIVALENT: finite and (int64_t)n == n.
  if n == n and n ~= huge and n ~= -huge and floor(n) == n and n >= -TWO63 and n < TWO63 then
    encode_int(n, out)
    return
  end
  local single = pack_float(n, false, false)
  if unpack_float(single, false) == n then
    out[#out + 1] = "\202" .. single
  else
    out[#out + 1] = "\203" .. pack_float(n, false, true)
  end
end

local function encode_string(s, out)
  local len = #s
  if len < 32 then out[#out + 1] = char(0xa0 + len)
  elseif len <= 0xff then out[#out + 1] = "\217" .. char(len)
  elseif len <= 0xffff then out[#out + 1] = "\218" .. be(len, 2)
  else out[#out + 1] = "\219" .. be(len, 4) end
  out[#out + 1] = s
end

local function header(n, fix, h16, h32, out)
  if n <= 15 then out[#out + 1] = char(fix + n)
  elseif n <= 65535 then out[#out + 1] = h16 .. be(n, 2)
  else out[#out + 1] = h32 .. be(n, 4) end
end

-- Every key a number > 0 that fits a C int, and as many keys as the largest.
local function is_array(t)
  local count, max = 0, 0
  for k in next, t do
    if type(k) ~= "number" or k <= 0 or k ~= floor(k) or k > 2147483647 then return false end
    if k > max then max = k end
    count = count + 1
  end
  return max == count
end

local encode_value

local function encode_table(t, level, out)
  if is_array(t) then
    local len = #t
    header(len, 0x90, "\220", "\221", out)
    for j = 1, len do encode_value(t[j], level + 1, out) end
  else
    local len = 0
    for _ in next, t do len = len + 1 end
    header(len, 0x80, "\222", "\223", out)
    for k, v in next, t do
      encode_value(k, level + 1, out)
      encode_value(v, level + 1, out)
    end
  end
end

encode_value = function(v, level, out)
  local t = type(v)
  if t == "table" and level == MAX_NESTING then t = "nil" end
  if t == "string" then encode_string(v, out)
  elseif t == "boolean" then out[#out + 1] = v and "\195" or "\194"
  elseif t == "number" then encode_number(v, out)
  elseif t == "table" then encode_table(v, level, out)
  else out[#out + 1] = "\192" end
end

local lib = {}

function lib.pack(...)
  local n = select("#", ...)
  if n == 0 then argerror(0, "MessagePack pack needs input.") end
  local out = {}
  for i = 1, n do encode_value((select(i, ...)), 0, out) end
  return concat(out)
end

-- ===== unpacking =====
-- A cursor over s: D.s, D.pos (1-based next byte), D.len. Decoding raises "eof" or
-- "badfmt" (a table) for the caller to word.

local D = {}
local EOF, BADFMT = {}, {}

local function need(n)
  if D.len - D.pos + 1 < n then error(EOF, 0) end
end

local function take(n)
  local p = D.pos
  D.pos = p + n
  return sub(D.s, p, p + n - 1)
end

local decode_value

local function decode_array(len)
  local t = {}
  for i = 1, len do t[i] = decode_value() end
  return t
end

local function decode_map(len)
  local t = {}
  for _ = 1, len do
    local k = decode_value()
    local v = decode_value()
    if k == nil then kit.runtime_error("table index is nil") end
    if k ~= k then kit.runtime_error("table index is NaN") end
    t[k] = v
  end
  return t
end

local function uint(n) return unpack_int(take(n), false, false) end
local function int(n) return unpack_int(take(n), false, true) end

decode_value = function()
  need(1)
  local c = byte(D.s, D.pos)
  if c < 0x80 then D.pos = D.pos + 1; return c end
  if c >= 0xe0 then D.pos = D.pos + 1; return c - 256 end
  if c >= 0xa0 and c <= 0xbf then
    local l = c - 0xa0
    need(1 + l)
    D.pos = D.pos + 1
    return take(l)
  end
  if c >= 0x90 and c <= 0x9f then D.pos = D.pos + 1; return decode_array(c - 0x90) end
  if c >= 0x80 and c <= 0x8f then D.pos = D.pos + 1; return decode_map(c - 0x80) end
  if c == 0xcc then need(2); D.pos = D.pos + 1; return uint(1) end
  if c == 0xd0 then need(2); D.pos = D.pos + 1; return int(1) end
  if c == 0xcd then need(3); D.pos = D.pos + 1; return uint(2) end
  if c == 0xd1 then need(3); D.pos = D.pos + 1; return int(2) end
  if c == 0xce then need(5); D.pos = D.pos + 1; return uint(4) end
  if c == 0xd2 then need(5); D.pos = D.pos + 1; return int(4) end
  if c == 0xcf or c == 0xd3 then need(9); D.pos = D.pos + 1; return int(8) end
  if c == 0xc0 then D.pos = D.pos + 1; return nil end
  if c == 0xc3 then D.pos = D.pos + 1; return true end
  if c == 0xc2 then D.pos = D.pos + 1; return false end
  if c == 0xca then need(5); D.pos = D.pos + 1; return unpack_float(take(4), false) end
  if c == 0xcb then need(9); D.pos = D.pos + 1; return unpack_float(take(8), false) end
  if c == 0xd9 then
    need(2)
    local l = byte(D.s, D.pos + 1)
    need(2 + l)
    D.pos = D.pos + 2
    return take(l)
  end
  if c == 0xda then
    need(3)
    local l = unpack_int(sub(D.s, D.pos + 1, D.pos + 2), false, false)
    need(3 + l)
    D.pos = D.pos + 3
    return take(l)
  end
  if c == 0xdb then
    need(5)
    D.pos = D.pos + 1
    local l = uint(4)
    need(l)
    return take(l)
  end
  if c == 0xdc then need(3); D.pos = D.pos + 1; return decode_array(uint(2)) end
  if c == 0xdd then need(5); D.pos = D.pos + 1; return decode_array(uint(4)) end
  if c == 0xde then need(3); D.pos = D.pos + 1; return decode_map(uint(2)) end
  if c == 0xdf then need(5); D.pos = D.pos + 1; return decode_map(uint(4)) end
  error(BADFMT, 0)
end

local function unpack_full(s, limit, offset)
  local len = #s
  local decode_all = limit == 0 and offset == 0
  if offset < 0 or limit < 0 then
    error(format("Invalid request to unpack with offset of %d and limit of %d.", offset, len), 0)
  elseif offset > len then
    error(format("Start offset %d greater than input length %d.", offset, len), 0)
  end
  if decode_all then limit = 2147483647 end
  D.s, D.pos, D.len = s, offset + 1, len
  local results, cnt = {}, 0
  while D.pos <= len and cnt < limit do
    local ok, v = pcall(decode_value)
    if not ok then
      D.s = nil
      if v == EOF then error("Missing bytes in input.", 0) end
      if v == BADFMT then error("Bad data format in input.", 0) end
      error(v, 0)  -- a runtime error of decode_map
    end
    cnt = cnt + 1
    results[cnt] = v
  end
  D.s = nil
  if decode_all then return unpack(results, 1, cnt) end
  local left = len - D.pos + 1
  return left == 0 and -1 or D.pos - 1, unpack(results, 1, cnt)
end

function lib.unpack(...)
  local nargs = select("#", ...)
  return unpack_full(checkstring(1, (...), nargs >= 1), 0, 0)
end

function lib.unpack_one(...)
  local nargs = select("#", ...)
  local s, offset = ...
  offset = offset == nil and 0 or checkinteger(2, offset)
  return unpack_full(checkstring(1, s, nargs >= 1), 1, offset)
end

function lib.unpack_limit(...)
  local nargs = select("#", ...)
  local s, limit, offset = ...
  limit = checkinteger(2, limit, nargs >= 2)
  offset = offset == nil and 0 or checkinteger(3, offset)
  return unpack_full(checkstring(1, s, nargs >= 1), limit, offset)
end

return lib, {
  _NAME = "cmsgpack",
  _VERSION = "lua-cmsgpack 0.4.0",
  _COPYRIGHT = "Copyright (C) 2012, Salvatore Sanfilippo",
  _DESCRIPTION = "MessagePack C implementation for Lua",
}
