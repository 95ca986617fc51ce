"""Lua scripting (EVAL/EVALSHA, SCRIPT, FUNCTION, FCALL) on a real Lua 5.1 (lupa).

Layers: :mod:`nodes.scripting.sandbox` builds the interpreter (redis's restricted globals,
the ``redis`` table, ``bit``), :mod:`nodes.scripting.convert` translates replies between
Python values and Lua values by redis's rules, :mod:`nodes.scripting.engine` runs a script
(the run context, ``redis.call``, the kill hook), :mod:`nodes.scripting.shebang` parses
EVAL's ``#!lua flags=...`` line and :mod:`nodes.scripting.library` holds FUNCTION
libraries. The commands are in :mod:`nodes.commands.scripting` and
:mod:`nodes.commands.functions`.
"""
