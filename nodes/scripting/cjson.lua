-- The `cjson` library as redis 7.0 embeds it (lua-cjson 2.1), written in Lua for
-- splitbrain-server. Run once per interpreter with the library kit as its argument; it
-- returns the library's functions (argument errors are raised with kit.argerror, other
-- errors as strings; the sandbox turns both into redis's messages) and the fields.
local kit = ...
local argerror, checkinteger, checkstring, checkoption, null = kit.argerror, kit.checkinteger, kit.checkstring, kit.checkoption, kit.null
local type, error, select, tostring, tonumber, next, rawget, rawset = type, error, select, tostring, tonumber, next, rawget, rawset
local floor, huge = math.floor, math.huge
local format, byte, sub, find, gsub, char, concat = string.format, string.byte, string.sub, string.find, string.gsub, string.char, table.concat

-- The configuration lives as long as the interpreter (SCRIPT FLUSH makes a new one).
local cfg = {
  sparse_convert = 0, sparse_ratio = 2, sparse_safe = 10,
  encode_max_depth = 1000, decode_max_depth = 1000,
  encode_invalid_numbers = 0, decode_invalid_numbers = 1,
  encode_keep_buffer = 1, precision = 14,
}

local INT_MAX = 2147483647

-- ===== configuration functions =====

local function arg_init(n, ...)
  if select("#", ...) > n then argerror(n + 1, "found too many arguments") end
end

local function integer_option(value, key, min, max)
  if value ~= nil then
    local v = checkinteger(1, value)
    if not (min <= v and v <= max) then
      argerror(1, format("expected integer between %d and %d", min, max))
    end
    cfg[key] = v
  end
  return cfg[key]
end

local BOOL_OPTIONS = {"off", "on"}
local function enum_option(index, value, key, options)
  options = options or BOOL_OPTIONS
  if value ~= nil then
    if type(value) == "boolean" then
      cfg[key] = value and 1 or 0
    else
      cfg[key] = checkoption(index, value, options)
    end
  end
  local s = cfg[key]
  if s == 0 or s == 1 then return s == 1 end
  return options[s + 1]
end

local lib = {}

function lib.encode_sparse_array(...)
  arg_init(3, ...)
  local convert, ratio, safe = ...
  return enum_option(1, convert, "sparse_convert"),
         integer_option(ratio, "sparse_ratio", 0, INT_MAX),
         integer_option(safe, "sparse_safe", 0, INT_MAX)
end

function lib.encode_max_depth(...)
  arg_init(1, ...)
  return integer_option((...), "encode_max_depth", 1, INT_MAX)
end

function lib.decode_max_depth(...)
  arg_init(1, ...)
  return integer_option((...), "decode_max_depth", 1, INT_MAX)
end

function lib.encode_number_precision(...)
  arg_init(1, ...)
  return integer_option((...), "precision", 1, 14)
end

function lib.encode_keep_buffer(...)
  arg_init(1, ...)
  return enum_option(1, (...), "encode_keep_buffer")
end

function lib.encode_invalid_numbers(...)
  arg_init(1, ...)
  return enum_option(1, (...), "encode_invalid_numbers", {"off", "on", "null"})
end

function lib.decode_invalid_numbers(...)
  arg_init(1, ...)
  return enum_option(1, (...), "decode_invalid_numbers")
end

-- ===== encoding =====

local ESCAPES = {}
for i = 0, 31 do ESCAPES[char(i)] = format("\\u%04x", i) end
ESCAPES["\b"], ESCAPES["\t"], ESCAPES["\n"], ESCAPES["\f"], ESCAPES["\r"] = "\\b", "\\t", "\\n", "\\f", "\\r"
ESCAPES['"'], ESCAPES["\\"], ESCAPES["/"], ESCAPES["\127"] = '\\"', "\\\\", "\\/", "\\u007f"

local function quote(s)
  return '"' .. gsub(s, '[%z\1-\31"\\/\127]', ESCAPES) .. '"'
end

local function fail(value, reason)
  error(format("Cannot serialise %s: %s", type(value), reason), 0)
end

local function number_text(n)
  local mode = cfg.encode_invalid_numbers
  if mode == 0 then
    if n ~= n or n == huge or n == -huge then fail(n, "must not be NaN or Inf") end
  elseif mode == 1 then
    if n ~= n then return "nan" end
  elseif n ~= n or n == huge or n == -huge then
    return "null"
  end
  return format("%." .. cfg.precision .. "g", n)
end

-- The length of a table that is an array (every key an integer >= 1, not too sparse),
-- or -1 for an object.
local function array_length(t)
  local max, items = 0, 0
  for k in next, t do
    if type(k) == "number" and k ~= 0 and floor(k) == k and k >= 1 then
      if k > max then max = k end
      items = items + 1
    else
      return -1
    end
  end
  local ratio = cfg.sparse_ratio
  if ratio > 0 and max > items * ratio and max > cfg.sparse_safe then
    if cfg.sparse_convert == 0 then fail(t, "excessively sparse array") end
    return -1
  end
  return max
end

local append_value

local function append_table(t, depth, out)
  depth = depth + 1
  if depth > cfg.encode_max_depth then
    error(format("Cannot serialise, excessive nesting (%d)", depth), 0)
  end
  local n = array_length(t)
  if n > 0 then
    out[#out + 1] = "["
    for i = 1, n do
      if i > 1 then out[#out + 1] = "," end
      append_value(rawget(t, i), depth, out)
    end
    out[#out + 1] = "]"
    return
  end
  out[#out + 1] = "{"
  local comma = false
  for k, v in next, t do
    if comma then out[#out + 1] = "," else comma = true end
    local kt = type(k)
    if kt == "number" then
      out[#out + 1] = '"' .. number_text(k) .. '":'
    elseif kt == "string" then
      out[#out + 1] = quote(k) .. ":"
    else
      fail(k, "table key must be a number or string")
    end
    append_value(v, depth, out)
  end
  out[#out + 1] = "}"
end

append_value = function(v, depth, out)
  local t = type(v)
  if t == "string" then
    out[#out + 1] = quote(v)
  elseif t == "number" then
    out[#out + 1] = number_text(v)
  elseif t == "boolean" then
    out[#out + 1] = v and "true" or "false"
  elseif t == "table" then
    append_table(v, depth, out)
  elseif t == "nil" or v == null then
    out[#out + 1] = "null"
  else
    fail(v, "type not supported")
  end
end

function lib.encode(...)
  if select("#", ...) ~= 1 then argerror(1, "expected 1 argument") end
  local out = {}
  append_value((...), 0, out)
  return concat(out)
end

-- ===== decoding =====
-- A parser over the text up to its first NUL (the C parser reads a C string: NUL is
-- the end of the input). Positions are 1-based; redis reports 1-based characters.

local UNESCAPE = {['"'] = '"', ["\\"] = "\\", ["/"] = "/", b = "\b", t = "\t", n = "\n", f = "\f", r = "\r"}

local function utf8(cp)
  if cp <= 0x7F then return char(cp) end
  if cp <= 0x7FF then return char(floor(cp / 64) + 0xC0, cp % 64 + 0x80) end
  if cp <= 0xFFFF then
    return char(floor(cp / 4096) + 0xE0, floor(cp / 64) % 64 + 0x80, cp % 64 + 0x80)
  end
  return char(floor(cp / 262144) + 0xF0, floor(cp / 4096) % 64 + 0x80, floor(cp / 64) % 64 + 0x80, cp % 64 + 0x80)
end

local function hex4(s, i)
  local h = sub(s, i, i + 3)
  if not find(h, "^%x%x%x%x$") then return nil end
  return tonumber(h, 16)
end

-- The longest prefix of s at i that C's strtod reads as a number: its text or nil.
local function strtod_prefix(s, i)
  local sign = find(s, "^[+-]", i) and 1 or 0
  local j = i + sign
  local m = s:match("^[iI][nN][fF][iI][nN][iI][tT][yY]", j) or s:match("^[iI][nN][fF]", j)
  if not m then
    m = s:match("^[nN][aA][nN]%([%w_]*%)", j) or s:match("^[nN][aA][nN]", j)
  end
  if not m then
    local hex = s:match("^0[xX]%x*%.?%x*", j)
    if hex and find(hex, "%x", 3) then
      m = hex
      local e = s:match("^[pP][+-]?%d+", j + #hex)
      if e then m = m .. e end
    else
      m = s:match("^%d*%.?%d*", j)
      if not find(m, "%d") then return nil end
      local e = s:match("^[eE][+-]?%d+", j + #m)
      if e then m = m .. e end
    end
  end
  return sub(s, i, j - 1) .. m
end

local function invalid_number(s, i)
  local c = sub(s, i, i)
  if c == "+" then return true end
  if c == "-" then i = i + 1; c = sub(s, i, i) end
  if c == "0" then
    local c2 = sub(s, i + 1, i + 1)
    return c2 == "x" or c2 == "X" or find(c2, "^%d") ~= nil
  elseif c ~= "" and byte(c) <= 57 then
    return false
  end
  local w = sub(s, i, i + 2):lower()
  return w == "inf" or w == "nan"
end

-- Tokens: kind, value, index (0-based character of the token, as in the C parser).
local PUNCT = {["{"] = "T_OBJ_BEGIN", ["}"] = "T_OBJ_END", ["["] = "T_ARR_BEGIN", ["]"] = "T_ARR_END",
               [","] = "T_COMMA", [":"] = "T_COLON"}
local UNKNOWN = {}
for c in ("fiIntN\"+-0123456789"):gmatch(".") do UNKNOWN[c] = true end

local P = {}  -- the parse state: s (text), pos (1-based), depth

local function number_token(start)
  local text = strtod_prefix(P.s, P.pos)
  if not text then return "T_ERROR", "invalid number", start end
  P.pos = P.pos + #text
  return "T_NUMBER", tonumber(text) or 0, start
end

local function string_token(start)
  local s, i, parts = P.s, P.pos + 1, {}
  while true do
    local j = find(s, '["\\]', i)
    if not j then
      P.pos = #s + 1
      return "T_ERROR", "unexpected end of string", #s
    end
    parts[#parts + 1] = sub(s, i, j - 1)
    if sub(s, j, j) == '"' then
      P.pos = j + 1
      return "T_STRING", concat(parts), start
    end
    local e = sub(s, j + 1, j + 1)
    if e == "u" then
      local cp = hex4(s, j + 2)
      local len = 6
      if cp and cp >= 0xD800 and cp <= 0xDFFF then
        local low = cp < 0xDC00 and sub(s, j + 6, j + 7) == "\\u" and hex4(s, j + 8) or nil
        if low and low >= 0xDC00 and low <= 0xDFFF then
          cp = (cp - 0xD800) * 1024 + (low - 0xDC00) + 0x10000
          len = 12
        else
          cp = nil
        end
      end
      if not cp then
        P.pos = j
        return "T_ERROR", "invalid unicode escape code", j - 1
      end
      parts[#parts + 1] = utf8(cp)
      i = j + len
    else
      local c = UNESCAPE[e]
      if not c then
        P.pos = j
        return "T_ERROR", "invalid escape code", j - 1
      end
      parts[#parts + 1] = c
      i = j + 2
    end
  end
end

local function next_token()
  local s = P.s
  local i = find(s, "[^ \t\n\r]", P.pos) or #s + 1
  P.pos = i
  local start = i - 1
  if i > #s then return "T_END", nil, start end
  local c = sub(s, i, i)
  local p = PUNCT[c]
  if p then
    P.pos = i + 1
    return p, nil, start
  end
  if not UNKNOWN[c] then return "T_ERROR", "invalid token", start end
  if c == '"' then return string_token(start) end
  local invalid_ok = cfg.decode_invalid_numbers ~= 0
  if c == "-" or find(c, "^%d") then
    if not invalid_ok and invalid_number(s, i) then return "T_ERROR", "invalid number", start end
    return number_token(start)
  end
  if sub(s, i, i + 3) == "true" then P.pos = i + 4; return "T_BOOLEAN", true, start end
  if sub(s, i, i + 4) == "false" then P.pos = i + 5; return "T_BOOLEAN", false, start end
  if sub(s, i, i + 3) == "null" then P.pos = i + 4; return "T_NULL", nil, start end
  if invalid_ok and invalid_number(s, i) then return number_token(start) end
  return "T_ERROR", "invalid token", start
end

local function parse_error(expected, kind, value, index)
  local found = kind == "T_ERROR" and value or kind
  error(format("Expected %s but found %s at character %d", expected, found, index + 1), 0)
end

local function descend()
  P.depth = P.depth + 1
  if P.depth > cfg.decode_max_depth then
    error(format("Found too many nested data structures (%d) at character %d", P.depth, P.pos - 1), 0)
  end
end

local process_value

local function parse_object()
  descend()
  local t = {}
  local kind, value, index = next_token()
  if kind == "T_OBJ_END" then P.depth = P.depth - 1; return t end
  while true do
    if kind ~= "T_STRING" then parse_error("object key string", kind, value, index) end
    local key = value
    kind, value, index = next_token()
    if kind ~= "T_COLON" then parse_error("colon", kind, value, index) end
    rawset(t, key, process_value(next_token()))
    kind, value, index = next_token()
    if kind == "T_OBJ_END" then P.depth = P.depth - 1; return t end
    if kind ~= "T_COMMA" then parse_error("comma or object end", kind, value, index) end
    kind, value, index = next_token()
  end
end

local function parse_array()
  descend()
  local t = {}
  local kind, value, index = next_token()
  if kind == "T_ARR_END" then P.depth = P.depth - 1; return t end
  local i = 1
  while true do
    rawset(t, i, process_value(kind, value, index))
    kind, value, index = next_token()
    if kind == "T_ARR_END" then P.depth = P.depth - 1; return t end
    if kind ~= "T_COMMA" then parse_error("comma or array end", kind, value, index) end
    kind, value, index = next_token()
    i = i + 1
  end
end

process_value = function(kind, value, index)
  if kind == "T_STRING" or kind == "T_NUMBER" or kind == "T_BOOLEAN" then return value end
  if kind == "T_OBJ_BEGIN" then return parse_object() end
  if kind == "T_ARR_BEGIN" then return parse_array() end
  if kind == "T_NULL" then return null end
  parse_error("value", kind, value, index)
end

function lib.decode(...)
  if select("#", ...) ~= 1 then argerror(1, "expected 1 argument") end
  local s = checkstring(1, (...))
  if #s >= 2 and (byte(s, 1) == 0 or byte(s, 2) == 0) then
    error("JSON parser does not support UTF-16 or UTF-32", 0)
  end
  local nul = find(s, "%z")
  if nul then s = sub(s, 1, nul - 1) end
  P.s, P.pos, P.depth = s, 1, 0
  local v = process_value(next_token())
  local kind, value, index = next_token()
  if kind ~= "T_END" then parse_error("the end", kind, value, index) end
  P.s = nil
  return v
end

lib.new = nil  -- set by the sandbox (a fresh library is the same library here)

return lib, {null = null, _NAME = "cjson", _VERSION = "2.1.0"}
