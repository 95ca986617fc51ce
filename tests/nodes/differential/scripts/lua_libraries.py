# ruff: noqa: E501  (each entry is one Lua script, kept on one line as it is sent)
"""The Lua libraries redis embeds in every script: cjson, cmsgpack, struct.

Each step is an EVAL of one small script; the reply (values, or the error message with
its ``user_script:1:`` position) must be redis-server's byte for byte. Scripts that change
a library setting put it back, so the next step starts from redis's defaults.
"""

from tests.nodes.differential.runner import Script, Step, both_protocols, cmd

CJSON = [
    "return cjson.encode({1,2,'a/b',{x=1.5}, 1e20, 0.1, -0, 123456789012345678})",
    "return cjson.encode(function() end)",
    "local x = cjson.encode(function() end) return x",
    "return {pcall(cjson.encode, function() end)}",
    "return {pcall(cjson.encode)}",
    "local x = cjson.encode() return x",
    "local x = cjson.decode({}) return x",
    "local x = cjson.decode() return x",
    "return cjson.decode('[1] x')",
    "return {pcall(cjson.decode, '[1,')}",
    "return type(cjson.decode('[null]')[1])",
    "return tostring(cjson.null)",
    "cjson.x = 1",
    "return {pcall(cjson.encode, {[1]=1,[100]=2})}",
    "return {pcall(cjson.encode, {[true]=1})}",
    "return {pcall(cjson.encode, 1/0)}",
    "return cjson.encode('\\0\\1\\127\\128\\255\"\\\\\\n\\t\\b\\f\\r/')",
    "return cjson.encode({[1]=1,[2]=2,[4]=4})",
    "return cjson.encode({a={b={c={1,2,{}}}}, [3.5]=1, [-1]=2})",
    "return cjson.encode({[1]=1, [2]=2, x=3})",
    "return {pcall(cjson.encode_keep_buffer, 1)}",
    "return {cjson.encode_max_depth(), cjson.decode_max_depth(), cjson.encode_number_precision(), cjson.encode_sparse_array(), cjson.encode_invalid_numbers(), cjson.decode_invalid_numbers(), cjson.encode_keep_buffer()}",
    "return {cjson.encode_sparse_array()}",
    'return cjson.decode(\'[1,"a",{"b":[true,false,null]},1e400, 0x10, -inf, 12345678901234567890, 1.5, "\\\\u00e9\\\\ud83d\\\\ude00", "\\\\/"]\')',
    'return cjson.encode(cjson.decode(\'{"a":[1,2,3],"b":{"c":"d"},"e":1.25,"f":"\\\\u0001"}\'))',
    "return cjson.decode('\"\\\\x\"')",
    "return cjson.decode('\"\\\\ud800\"')",
    "return cjson.decode('\"abc')",
    "return cjson.decode('{\"a\" 1}')",
    "return cjson.decode('{1:2}')",
    "return cjson.decode('[1 2]')",
    "return cjson.decode('')",
    "return cjson.decode('   ')",
    "return cjson.decode('nul')",
    "return cjson.decode('-')",
    "return cjson.decode('+5')",
    "return cjson.decode('0001')",
    "return cjson.decode('[1]\\0garbage')",
    "return cjson.decode('\\0a')",
    "return cjson.decode(string.rep('[', 1001) .. string.rep(']', 1001))",
    "return cjson.encode(cjson.decode(string.rep('[', 1000) .. string.rep(']', 1000))) == string.rep('[', 1000) .. string.rep(']', 1000)",
    "local t = {} local c = t for i = 1, 1001 do c[1] = {} c = c[1] end return cjson.encode(t)",
    "return cjson.decode(12)",
    "return cjson.decode(true)",
    "return cjson.encode_max_depth(0)",
    "return cjson.encode_max_depth('a')",
    "return cjson.encode_max_depth(1, 2)",
    "return cjson.encode_sparse_array(1,2,3,4)",
    "return cjson.encode_invalid_numbers('x')",
    "return cjson.encode_number_precision(15)",
    "cjson.encode_invalid_numbers(true) local x = cjson.encode({1/0, -1/0, 0/0}) cjson.encode_invalid_numbers(false) return x",
    "cjson.encode_invalid_numbers('null') local x = cjson.encode({1/0, -1/0, 0/0}) local y = cjson.encode_invalid_numbers() cjson.encode_invalid_numbers(false) return {x, y}",
    "cjson.encode_number_precision(3) local x = cjson.encode({3.14159, 1234567, 0.0001234}) cjson.encode_number_precision(14) return x",
    "cjson.encode_sparse_array(true) local x = cjson.encode({[1]=1,[100]=2}) cjson.encode_sparse_array(false) return x",
    "cjson.encode_sparse_array(false, 0) local x = cjson.encode({[1]=1,[30]=2}) cjson.encode_sparse_array(false, 2, 10) return x",
    "cjson.decode_invalid_numbers(false) local ok, e = pcall(cjson.decode, '[0x10]') cjson.decode_invalid_numbers(true) return e",
    "cjson.decode_max_depth(2) local ok, e = pcall(cjson.decode, '[[[1]]]') cjson.decode_max_depth(1000) return e",
    "cjson.encode_max_depth(2) local ok, e = pcall(cjson.encode, {{{1}}}) cjson.encode_max_depth(1000) return e",
    "return cjson.encode(cjson.new().decode('[1,2]'))",
    'return cjson.encode({["a\\0b"]=1})',
    'return cjson.decode(\'{"a":1,"a":2}\').a',
    "return cjson.decode('[1,2,3]')",
    "return cjson.decode('1e5')",
    "return cjson.decode('\"\\\\u0000x\"')",
    "return cjson.decode(' {\"k\": [ 1 , 2 ] } ').k",
]
"""cjson: encode/decode of nested tables, sparse arrays, numbers (%.14g, huge, inf/nan,
hex), escapes and unicode, every parse error, depth limits and the settings."""


def _evals(bodies: list[str]) -> list[Step]:
    """One EVAL step (no keys) per script body."""
    return [cmd("EVAL", b, "0") for b in bodies]


SCRIPTS: list[Script] = [
    *both_protocols("lua-cjson", *_evals(CJSON)),
]
