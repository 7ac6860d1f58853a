// The small C layer between Swift and Lua.
//
// Lua raises errors with longjmp. A longjmp across a Swift frame skips Swift's releases, so
// Swift code never calls lua_error: Swift functions return a status to the trampoline below,
// which raises after the Swift frame has returned. Lua's function-like macros, which Swift
// cannot import, are re-exported here as functions.
#ifndef CLUA_SHIM_H
#define CLUA_SHIM_H

#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>
#include <stddef.h>

/// What a Swift function returns to the trampoline: n >= 0 results, or one of these.
enum {
    /// Raise the value on top of the stack as it is.
    CASPIO_RAISE_VALUE = -1,
    /// Raise the string on top of the stack, prefixed with the caller's position ("file:line: ").
    CASPIO_RAISE_WITH_POSITION = -2,
    /// Yield n values from the top of the stack: return CASPIO_YIELD_BASE - n. When the
    /// coroutine is resumed, the values given to resume become the function's results.
    CASPIO_YIELD_BASE = -100,
};

/// Called by the trampoline with the Swift context stored in the closure's upvalue.
typedef int (*caspio_dispatch_fn)(lua_State *L, void *context);
/// Called by `__gc` to drop Swift's retain on a context.
typedef void (*caspio_release_fn)(void *context);

/// Installs the two Swift entry points; done once per process before any state is used.
void caspio_set_callbacks(caspio_dispatch_fn dispatch, caspio_release_fn release);

/// Pushes a Lua function that calls `dispatch(L, context)`; `__gc` of its upvalue releases context.
void caspio_push_swift_function(lua_State *L, void *context);

/// Pushes a full userdata holding `context`, with the metatable registered under `tname`
/// (created with `caspio_new_object_metatable`).
void caspio_push_object(lua_State *L, void *context, const char *tname);
/// The context of the userdata at `idx` if it carries metatable `tname` and is still alive;
/// NULL otherwise. Never raises.
void *caspio_to_object(lua_State *L, int idx, const char *tname);
/// Creates (or fetches) the metatable `tname` with `__gc` releasing the object's context and
/// `__name` set; leaves it on the stack. Returns 1 if it was created now.
int caspio_new_object_metatable(lua_State *L, const char *tname);

/// Message handler for lua_pcall: leaves the error object as it is (tables keep their fields)
/// and stores a traceback string in the registry under CASPIO_TRACEBACK_KEY.
int caspio_message_handler(lua_State *L);
#define CASPIO_TRACEBACK_KEY "caspio.traceback"

/// lua_pcall with caspio_message_handler below the function.
int caspio_pcall(lua_State *L, int nargs, int nresults);

/// SIGINT handling as in lua.c: the first Ctrl-C sets a hook that raises "interrupted!" at
/// the next Lua instruction; a second one kills the process (the default action).
void caspio_sigint_arm(lua_State *L);
void caspio_sigint_disarm(void);
/// Clears the signal mask inherited from the parent (some spawners block SIGINT and SIGTERM,
/// which would make Ctrl-C and a supervisor's stop request silently pending forever).
void caspio_unblock_signals(void);
/// Whether an interrupt was raised since the last reset.
int caspio_interrupted(void);
/// Whether an interrupt was requested (Ctrl-C) since the last reset, even if Lua has not run
/// since: host code that blocks (waiting for HTTP) polls this to return promptly.
int caspio_interrupt_requested(void);
void caspio_interrupt_reset(void);
/// Requests an interrupt of L from any thread or a signal handler (as a Ctrl-C would).
void caspio_interrupt(lua_State *L);

/// Why a run is being stopped; the runner maps it to the exit status (130, 124, 143).
enum {
    CASPIO_STOP_NONE = 0,
    CASPIO_STOP_INTERRUPT = 1,
    CASPIO_STOP_TIMEOUT = 2,
    CASPIO_STOP_TERMINATE = 3,
};
/// Stops L at its next instruction with "interrupted!", "timeout!" or "terminated!"; safe
/// from any thread or a signal handler. Only the first reason is kept. Unlike the others,
/// TERMINATE does not set interrupt_requested: the request in flight may finish first.
void caspio_stop(lua_State *L, int reason);
/// SIGTERM stops L with CASPIO_STOP_TERMINATE (a second SIGTERM kills, as a second Ctrl-C).
void caspio_sigterm_arm(lua_State *L);
/// Whether any stop (including SIGTERM) was requested: sleeps wake up for it.
int caspio_stop_requested(void);
int caspio_stop_reason(void);
/// Clears the stop reason as well as the interrupt flags (once, at the start of a run).
void caspio_stop_reset(void);
/// Removes a pending stop hook, so that clean-up code (atexit handlers) can run.
void caspio_clear_hook(lua_State *L);

/// The lua_State's extra space (LUA_EXTRASPACE bytes), where Swift keeps its owner pointer.
void **caspio_extraspace(lua_State *L);

// Function-like macros of lua.h, as functions.
int caspio_registry_index(void);
int caspio_upvalue_index(int i);
void caspio_pop(lua_State *L, int n);
void caspio_newtable(lua_State *L);
const char *caspio_tostring(lua_State *L, int idx, size_t *len);
int caspio_isnoneornil(lua_State *L, int idx);
lua_Integer caspio_tointeger(lua_State *L, int idx, int *isnum);
int caspio_loadbuffer(lua_State *L, const char *buff, size_t sz, const char *name);
void caspio_replace(lua_State *L, int idx);
void caspio_remove(lua_State *L, int idx);
void caspio_insert(lua_State *L, int idx);

/// Converts the value at idx with luaL_tolstring under protection (a __tostring may raise).
/// Returns the string (valid while it stays on the stack, pushed on top) or NULL on error
/// (error message on top).
const char *caspio_safe_tolstring(lua_State *L, int idx, size_t *len);

/// Flushes stdout, then writes `len` bytes to stderr and flushes it (Swift 6 cannot name the
/// C streams: they are shared mutable globals).
void caspio_write_stderr(const char *text, size_t len);
/// Flushes stdout (Lua's print writes through C stdio).
void caspio_flush_stdout(void);

/// Bytes of the C heap in use (mallinfo2), for leak checks.
size_t caspio_heap_in_use(void);

/// "Lua 5.4.x" of the headers this was built with.
const char *caspio_lua_release(void);

#endif
