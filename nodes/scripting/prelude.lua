-- splitbrain-server's Lua sandbox, run once per interpreter with the Python bridge as
-- its argument. It builds redis 7.0's script environment: the `redis` table, `bit`,
-- redis's `pcall`, the error handler that adds `source`/`line`, and a read-only view of
-- the globals for user code. It returns the functions Python drives scripts through.
local py = ...

local G = _G
local rawget, rawset, type, tostring, tonumber, error, select = rawget, rawset, type, tostring, tonumber, error, select
local setfenv, rawloadstring, rawload, xpcall, rawpcall = setfenv, loadstring, load, xpcall, pcall
local setmetatable, unpack, floor = setmetatable, unpack, math.floor
local dbg = debug
local error_table, error_value = py.error_table, py.error_value

-- Frames that are ours (this chunk) are skipped when an error names its script line.
local PRELUDE = "@splitbrain_prelude"

-- A user-facing function that can fail: `f` returns true, value or false, error table.
-- The result is a Python callable (a C function to Lua), so that the failing call keeps
-- the user's frame even when it is a tail call (`return redis.setresp(4)`).
local c_function = py.c_function
local function checked(f) return c_function(f) end
local function fail(msg) return false, error_table(msg) end

-- The environment user code sees: reads fall through to the real globals (an unknown
-- name is an error), every assignment is refused (redis locks the global table).
local env = setmetatable({}, {
  __index = function(_, name)
    local value = rawget(G, name)
    if value == nil then
      error("Script attempted to access nonexistent global variable '" .. tostring(name) .. "'", 2)
    end
    return value
  end,
  __newindex = function()
    error("Attempt to modify a readonly table", 2)
  end,
  __metatable = false,
})

local redis = {}

-- Python callables (C functions to Lua: a tail call keeps the caller's frame, so an
-- error names the user's line). redis.call raises its error table as a Python exception;
-- error_value() turns that back into the table.
redis.call = py.call
redis.pcall = py.pcall

redis.sha1hex = checked(function(...)
  if select("#", ...) ~= 1 then return fail("wrong number of arguments") end
  local s = ...
  if type(s) == "number" then s = tostring(s) end
  if type(s) ~= "string" then s = "" end
  return true, py.sha1hex(s)
end)

redis.error_reply = function(...)
  local msg = ...
  if select("#", ...) ~= 1 or type(msg) ~= "string" then
    return error_table("wrong number or type of arguments")
  end
  if msg:sub(1, 1) ~= "-" then msg = "-" .. msg end
  return error_table(msg)
end

redis.status_reply = function(...)
  local msg = ...
  if select("#", ...) ~= 1 or type(msg) ~= "string" then
    return error_table("wrong number or type of arguments")
  end
  return {ok = msg}
end

redis.log = checked(function(...)
  local n = select("#", ...)
  if n < 2 then return fail("redis.log() requires two arguments or more.") end
  local level = ...
  if tonumber(level) == nil then return fail("First argument must be a number (log level).") end
  level = tonumber(level)
  if level < 0 or level > 3 then return fail("Invalid debug level.") end
  local parts = {}
  for i = 2, n do
    local v = select(i, ...)
    if type(v) == "string" or type(v) == "number" then parts[#parts + 1] = tostring(v) end
  end
  py.log(level, table.concat(parts, " "))
  return true, nil
end)

redis.setresp = checked(function(...)
  if select("#", ...) ~= 1 then return fail("redis.setresp() requires one argument.") end
  local resp = tonumber((...)) or 0
  if resp ~= 2 and resp ~= 3 then return fail("RESP version must be 2 or 3.") end
  py.setresp(resp)
  return true, nil
end)

redis.set_repl = checked(function(...)
  if select("#", ...) ~= 1 then return fail("redis.set_repl() requires two arguments.") end
  local flags = tonumber((...)) or 0
  flags = flags >= 0 and floor(flags) or -floor(-flags)
  if flags ~= 0 and flags ~= 1 and flags ~= 2 and flags ~= 3 then
    return fail("Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.")
  end
  py.set_repl(flags)
  return true, nil
end)

redis.acl_check_cmd = checked(function(...) return py.acl_check_cmd(...) end)

redis.replicate_commands = function() return true end
redis.breakpoint = function() return false end
redis.debug = function() end

redis.LOG_DEBUG, redis.LOG_VERBOSE, redis.LOG_NOTICE, redis.LOG_WARNING = 0, 1, 2, 3
redis.REPL_NONE, redis.REPL_AOF, redis.REPL_SLAVE, redis.REPL_REPLICA, redis.REPL_ALL = 0, 1, 2, 2, 3
redis.REDIS_VERSION = py.version
redis.REDIS_VERSION_NUM = py.version_num

-- redis's pcall hands back the message of an error table instead of the table.
local function pcall_result(ok, ...)
  if not ok then
    local e = ...
    if type(e) == "userdata" then e = error_value(e) or e end
    if type(e) == "table" then
      local m = rawget(e, "err")
      if type(m) == "string" or type(m) == "number" then return false, m end
    end
    return false, e
  end
  return true, ...
end
G.pcall = function(f, ...)
  return pcall_result(rawpcall(f, ...))
end

-- Code compiled by a script runs in the script environment too.
G.loadstring = function(s, name)
  local f, e = rawloadstring(s, name)
  if f then setfenv(f, env) end
  return f, e
end
G.load = function(fn, name)
  local f, e = rawload(fn, name)
  if f then setfenv(f, env) end
  return f, e
end

-- math.random/randomseed from redis's own generator (the same sequence on every host).
G.math.random = function(...)
  local n = select("#", ...)
  local r = py.random()
  if n == 0 then return r end
  local l, u = 1, nil
  if n == 1 then
    u = floor(tonumber((...)) or error("bad argument #1 to 'random' (number expected)", 2))
    if u < 1 then error("bad argument #1 to 'random' (interval is empty)", 2) end
  elseif n == 2 then
    l, u = ...
    l, u = floor(tonumber(l) or 0), floor(tonumber(u) or 0)
    if l > u then error("bad argument #2 to 'random' (interval is empty)", 2) end
  else
    error("wrong number of arguments", 2)
  end
  return floor(r * (u - l + 1)) + l
end
G.math.randomseed = function(seed)
  py.randomseed(floor(tonumber(seed) or error("bad argument #1 to 'randomseed' (number expected)", 2)))
end

-- LuaBitOp's `bit` (the functions are Python's, wrapped so they are Lua functions).
local bit = {}
for _, name in ipairs({"tobit", "tohex", "bnot", "band", "bor", "bxor", "lshift", "rshift",
                       "arshift", "rol", "ror", "bswap"}) do
  local f = py.bit[name]
  bit[name] = function(...) return f(...) end
end
-- Library tables are read-only to scripts (redis locks every table reachable from the
-- globals): scripts see empty proxies that read through to the real tables.
local function readonly(t)
  return setmetatable({}, {
    __index = t,
    __newindex = function() error("Attempt to modify a readonly table", 2) end,
    __metatable = false,
  })
end
G.bit = readonly(bit)

-- cjson, cmsgpack, struct: Lua sources (cjson.lua, ...) that return their functions and
-- fields. Each public function is a Python callable (a C function to Lua, so that an error
-- names the caller's line even from a tail call, as redis's C libraries do) around a
-- guarded call of the Lua function; errors become redis's messages.
local ARGERROR = {}
local null = newproxy(true)
getmetatable(null).__tostring = function() return "userdata: (nil)" end
getmetatable(null).__metatable = false
local kit = {null = null, binary = py.binary, pcall = rawpcall}
local RUNTIME = {}
function kit.argerror(n, msg) error({[ARGERROR] = true, n = n, msg = msg}, 0) end
-- An error Lua's VM raises inside a C function (no position: "table index is nil").
function kit.runtime_error(msg) error({[RUNTIME] = true, msg = msg}, 0) end
local function typename(v, present) if present then return type(v) end return "no value" end
function kit.typeerror(n, expected, v, present)
  kit.argerror(n, expected .. " expected, got " .. typename(v, present))
end
function kit.checkinteger(n, v, present)
  local x = tonumber(v)
  if x == nil then kit.typeerror(n, "number", v, present ~= false) end
  return x >= 0 and floor(x) or -floor(-x)
end
function kit.checknumber(n, v, present)
  local x = tonumber(v)
  if x == nil then kit.typeerror(n, "number", v, present ~= false) end
  return x
end
function kit.checkstring(n, v, present)
  local t = type(v)
  if t == "string" then return v end
  if t == "number" then return tostring(v) end
  kit.typeerror(n, "string", v, present ~= false)
end
function kit.checkoption(n, v, options)
  local s = kit.checkstring(n, v)
  for i, o in ipairs(options) do
    if o == s then return i - 1 end
  end
  kit.argerror(n, "invalid option '" .. s .. "'")
end

-- The message redis's luaL_error would give: the C function's caller's line first. The
-- first C frame above this one is the library function's (the Python callable).
local function lib_error(e)
  local level = 2
  while true do
    local info = dbg.getinfo(level, "S")
    if info == nil or info.what == "C" then break end
    level = level + 1
  end
  if type(e) == "table" and rawget(e, RUNTIME) then return e.msg end
  if type(e) == "table" and rawget(e, ARGERROR) then
    local info = dbg.getinfo(level, "n")
    e = "bad argument #" .. e.n .. " to '" .. tostring(info and info.name or "?") .. "' (" .. e.msg .. ")"
  end
  local where = dbg.getinfo(level + 1, "Sl")
  if where and where.currentline and where.currentline > 0 then
    e = where.short_src .. ":" .. where.currentline .. ": " .. tostring(e)
  end
  return e
end
local function lib_result(ok, ...)
  if ok then return true, ... end
  return false, lib_error((...))
end
local lib_function = py.lib_function
local function library(name)
  local chunk = assert(rawloadstring(py.lib_sources[name], "@splitbrain_" .. name))
  local functions, fields = chunk(kit)
  local t = {}
  for k, f in pairs(functions) do
    t[k] = lib_function(function(...) return lib_result(rawpcall(f, ...)) end)
  end
  for k, v in pairs(fields or {}) do t[k] = v end
  return t
end
local cjson = library("cjson")
cjson.new = lib_function(function(...) return true, library("cjson") end)
G.cjson = readonly(cjson)
G.struct = readonly(library("struct"))
G.cmsgpack = readonly(library("cmsgpack"))
G.redis = readonly(redis)
G.string = readonly(G.string)
G.math = readonly(G.math)
G.table = readonly(G.table)
G.coroutine = readonly(G.coroutine)

-- Only redis's allow-listed globals stay.
local allowed = {}
for _, name in ipairs({"string", "cjson", "bit", "cmsgpack", "math", "table", "struct", "redis",
                       "xpcall", "tostring", "getfenv", "setmetatable", "next", "assert",
                       "tonumber", "rawequal", "collectgarbage", "getmetatable", "rawset",
                       "pcall", "coroutine", "type", "_G", "select", "unpack", "gcinfo",
                       "pairs", "rawget", "loadstring", "ipairs", "_VERSION", "setfenv", "load",
                       "error", "newproxy"}) do
  allowed[name] = true
end
local names = {}
for name in pairs(G) do names[#names + 1] = name end
for _, name in ipairs(names) do
  if not allowed[name] then rawset(G, name, nil) end
end
rawset(G, "_G", env)

-- The error handler of a script call: a table {err=, source=, line=} naming the user's
-- line (C functions and this prelude's frames are skipped).
local function handler(err)
  if type(err) == "userdata" then err = error_value(err) or err end
  local level, info = 2, nil
  while true do
    info = dbg.getinfo(level, "nSl")
    if info == nil or (info.what ~= "C" and info.source ~= PRELUDE) then break end
    level = level + 1
  end
  if type(err) ~= "table" then
    err = {err = "ERR " .. tostring(err)}
  end
  if info then
    err.source = info.source
    err.line = info.currentline
  end
  return err
end

local HOOK_COUNT = 100000
local killed = error_table("Script killed by user with SCRIPT KILL...")
local function hook()
  if py.interrupt() then
    dbg.sethook(hook, "l")
    error(killed)
  end
end

local function finish(ok, ...)
  dbg.sethook()
  return ok, (...)
end

local api = {}

-- Compile a script body (`name` is the chunk name, "@user_script" for EVAL).
function api.compile(body, name)
  local f, e = rawloadstring(body, name)
  if f then setfenv(f, env) end
  return f, e
end

-- Run an EVAL script with KEYS and ARGV set: returns ok, value or false, error table.
function api.run_eval(f, keys, argv, timed)
  rawset(G, "KEYS", keys)
  rawset(G, "ARGV", argv)
  if timed then dbg.sethook(hook, "", HOOK_COUNT) end
  return finish(xpcall(f, handler))
end

-- Run a library function with its keys and args tables.
function api.run_function(f, keys, args, timed)
  if timed then dbg.sethook(hook, "", HOOK_COUNT) end
  return finish(xpcall(function() return f(keys, args) end, handler))
end

-- Run a library's body (FUNCTION LOAD). While it runs, the only global is a `redis`
-- holding the loading API (`loader`); afterwards the functions it defined see the
-- normal script environment. Returns ok or false, error table.
local function strict(t)
  return setmetatable({}, {
    __index = function(_, name)
      local value = rawget(t, name)
      if value == nil then
        error("Script attempted to access nonexistent global variable '" .. tostring(name) .. "'", 2)
      end
      return value
    end,
    __newindex = function() error("Attempt to modify a readonly table", 2) end,
    __metatable = false,
  })
end

function api.load_library(f, loader, timed)
  local loading = true
  local loader_redis = strict(loader)
  local lib_env = setmetatable({}, {
    __index = function(_, name)
      if not loading then return env[name] end
      if name == "redis" then return loader_redis end
      error("Script attempted to access nonexistent global variable '" .. tostring(name) .. "'", 2)
    end,
    __newindex = function()
      error("Attempt to modify a readonly table", 2)
    end,
    __metatable = false,
  })
  setfenv(f, lib_env)
  if timed then dbg.sethook(hook, "", HOOK_COUNT) end
  local ok, err = finish(xpcall(f, handler))
  loading = false
  return ok, err
end

function api.rawget(t, k) return rawget(t, k) end
function api.next(t, k) return next(t, k) end
function api.type(v) return type(v) end
api.redis = redis
api.env = env

return api
