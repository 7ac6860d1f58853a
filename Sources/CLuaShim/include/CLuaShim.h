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

// ---- Stops (Ctrl-C, SIGTERM, --timeout) ----
// The state lives here because signal handlers must reach it; Swift reads and changes it only
// through LuaBridge's `RunStop`. Nothing else calls these.

/// Why a run is being stopped; the runner maps it to the exit status (130, 124, 143).
enum {
    CASPIO_STOP_NONE = 0,
    CASPIO_STOP_INTERRUPT = 1,
    CASPIO_STOP_TIMEOUT = 2,
    CASPIO_STOP_TERMINATE = 3,
};
/// What a signal does while no Lua state is attached.
enum {
    /// Remember it: the next attach stops Lua at once, and caspio_stop_wait returns.
    CASPIO_IDLE_RECORD = 0,
    /// End the process at once with 128 + the signal's number (the REPL between evaluations).
    CASPIO_IDLE_EXIT = 1,
};
/// Unblocks SIGINT and SIGTERM (a spawner may have blocked them) and installs their handlers
/// for the whole process. Done first thing, so that no signal can arrive unhandled. A second
/// signal of the same kind kills the process (the default action), as in lua.c.
void caspio_stop_arm_signals(int idle_action);
/// Restores the default dispositions: from now on a signal kills.
void caspio_stop_disarm_signals(void);
/// The state a stop interrupts, with a hook at its next instruction; hooked at once when a
/// stop is already pending. Detach before the state closes.
void caspio_stop_attach(lua_State *L);
void caspio_stop_detach(void);
/// Requests a stop from any thread or a signal handler. Only the first reason is kept.
/// Every reason, TERMINATE included, aborts blocked waits at once (the request in flight is
/// abandoned: a supervisor's SIGTERM comes with a short grace), until
/// caspio_stop_begin_cleanup lets clean-up handlers wait again.
void caspio_stop(int reason);
int caspio_stop_reason(void);
/// Whether blocked waits (HTTP, sleeps) should return now.
int caspio_stop_aborts_waits(void);
/// Blocks until a stop is requested or `seconds` pass; 1 if a stop was requested.
int caspio_stop_wait(double seconds);
/// Clean-up after a stop: removes the pending hook and lets waits wait again (the reason stays).
void caspio_stop_begin_cleanup(lua_State *L);
/// Forgets any stop and re-installs the handlers (the REPL, before each evaluation).
void caspio_stop_reset(void);
/// The watcher thread's side: begin (once, before the thread starts), then block
/// until the next stop request, one return per request.
void caspio_stop_watch_begin(void);
void caspio_stop_watch_next(void);

/* Whether the kernel may write a core file of this process (prctl is variadic: Swift cannot call it). */
int caspio_set_dumpable(int dumpable);

/// The lua_State's extra space (LUA_EXTRASPACE bytes), where Swift keeps its owner pointer.
void **caspio_extraspace(lua_State *L);

// Function-like macros of lua.h, as functions.
int caspio_registry_index(void);
void caspio_pop(lua_State *L, int n);
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

/// "Lua 5.4.x" of the headers this was built with.
const char *caspio_lua_release(void);

#endif
