#include "CLuaShim.h"

#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

static caspio_dispatch_fn swift_dispatch;
static caspio_release_fn swift_release;

void caspio_set_callbacks(caspio_dispatch_fn dispatch, caspio_release_fn release) {
    swift_dispatch = dispatch;
    swift_release = release;
}

/* A userdata box around a Swift context; the context is NULL once released. */
typedef struct { void *context; } caspio_box;

#define FUNCTION_MT "caspio.swift.function"

static int release_box(lua_State *L) {
    caspio_box *box = (caspio_box *)lua_touserdata(L, 1);
    if (box != NULL && box->context != NULL) {
        void *context = box->context;
        box->context = NULL;
        swift_release(context);
    }
    return 0;
}

/* Every Swift function goes through here. The Swift frame has returned before lua_error or
   lua_yield runs, so their longjmp only crosses C frames. */
static int trampoline(lua_State *L) {
    caspio_box *box = (caspio_box *)lua_touserdata(L, lua_upvalueindex(1));
    if (box == NULL || box->context == NULL) {
        return luaL_error(L, "host function called after it was released");
    }
    int status = swift_dispatch(L, box->context);
    if (status >= 0) return status;
    if (status == CASPIO_RAISE_WITH_POSITION) {
        luaL_where(L, 1);
        lua_insert(L, -2);
        lua_concat(L, 2);
        return lua_error(L);
    }
    if (status <= CASPIO_YIELD_BASE) {
        return lua_yield(L, CASPIO_YIELD_BASE - status);
    }
    return lua_error(L);
}

void caspio_push_swift_function(lua_State *L, void *context) {
    caspio_box *box = (caspio_box *)lua_newuserdatauv(L, sizeof(caspio_box), 0);
    box->context = context;
    if (luaL_newmetatable(L, FUNCTION_MT)) {
        lua_pushcfunction(L, release_box);
        lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2);
    lua_pushcclosure(L, trampoline, 1);
}

int caspio_new_object_metatable(lua_State *L, const char *tname) {
    if (!luaL_newmetatable(L, tname)) return 0;
    lua_pushcfunction(L, release_box);
    lua_setfield(L, -2, "__gc");
    return 1;
}

void caspio_push_object(lua_State *L, void *context, const char *tname) {
    caspio_box *box = (caspio_box *)lua_newuserdatauv(L, sizeof(caspio_box), 1);
    box->context = context;
    caspio_new_object_metatable(L, tname);
    lua_setmetatable(L, -2);
}

void *caspio_to_object(lua_State *L, int idx, const char *tname) {
    caspio_box *box = (caspio_box *)luaL_testudata(L, idx, tname);
    return box == NULL ? NULL : box->context;
}

int caspio_message_handler(lua_State *L) {
    const char *msg = lua_tostring(L, 1);
    if (msg == NULL) {
        if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING) {
            msg = lua_tostring(L, -1);
        } else {
            msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
        }
    }
    luaL_traceback(L, L, msg, 1);
    lua_setfield(L, LUA_REGISTRYINDEX, CASPIO_TRACEBACK_KEY);
    lua_settop(L, 1);
    return 1;
}

int caspio_pcall(lua_State *L, int nargs, int nresults) {
    int base = lua_gettop(L) - nargs;
    lua_pushcfunction(L, caspio_message_handler);
    lua_insert(L, base);
    int status = lua_pcall(L, nargs, nresults, base);
    lua_remove(L, base);
    return status;
}

/* ---- Stops: Ctrl-C as lua.c does it, generalised to timeouts and SIGTERM ---- */

static lua_State *volatile interrupt_target = NULL;
static volatile sig_atomic_t interrupt_raised = 0;
static volatile sig_atomic_t interrupt_requested = 0;
/* The first reason wins: a SIGTERM after a timeout must not turn exit 124 into 143. */
static volatile sig_atomic_t stop_reason = CASPIO_STOP_NONE;

static void stop_hook(lua_State *L, lua_Debug *ar) {
    (void)ar;
    lua_sethook(L, NULL, 0, 0);
    interrupt_raised = 1;
    switch (stop_reason) {
    case CASPIO_STOP_TIMEOUT: luaL_error(L, "timeout!"); break;
    case CASPIO_STOP_TERMINATE: luaL_error(L, "terminated!"); break;
    default: luaL_error(L, "interrupted!"); break;
    }
}

void caspio_stop(lua_State *L, int reason) {
    if (stop_reason == CASPIO_STOP_NONE) stop_reason = reason;
    /* SIGTERM lets the current request finish: blocked waits keep waiting, and the hook
       raises as soon as Lua runs again. Ctrl-C and timeouts abort the wait. */
    if (reason != CASPIO_STOP_TERMINATE) interrupt_requested = 1;
    int flag = LUA_MASKCALL | LUA_MASKRET | LUA_MASKLINE | LUA_MASKCOUNT;
    lua_sethook(L, stop_hook, flag, 1);
}

void caspio_interrupt(lua_State *L) { caspio_stop(L, CASPIO_STOP_INTERRUPT); }

static void on_signal(int sig) {
    signal(sig, SIG_DFL); /* a second Ctrl-C or SIGTERM terminates the process */
    lua_State *L = interrupt_target;
    if (L != NULL) caspio_stop(L, sig == SIGTERM ? CASPIO_STOP_TERMINATE : CASPIO_STOP_INTERRUPT);
}

void caspio_sigint_arm(lua_State *L) {
    interrupt_target = L;
    signal(SIGINT, on_signal);
}

void caspio_sigterm_arm(lua_State *L) {
    interrupt_target = L;
    signal(SIGTERM, on_signal);
}

void caspio_unblock_signals(void) {
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
}

void caspio_sigint_disarm(void) {
    signal(SIGINT, SIG_DFL);
    interrupt_target = NULL;
}

int caspio_interrupted(void) { return interrupt_raised; }
int caspio_interrupt_requested(void) { return interrupt_requested; }
int caspio_stop_requested(void) { return stop_reason != CASPIO_STOP_NONE; }
int caspio_stop_reason(void) { return stop_reason; }
void caspio_interrupt_reset(void) {
    interrupt_raised = 0;
    interrupt_requested = 0;
}
void caspio_stop_reset(void) {
    caspio_interrupt_reset();
    stop_reason = CASPIO_STOP_NONE;
}
void caspio_clear_hook(lua_State *L) { lua_sethook(L, NULL, 0, 0); }

void **caspio_extraspace(lua_State *L) { return (void **)lua_getextraspace(L); }

int caspio_registry_index(void) { return LUA_REGISTRYINDEX; }
int caspio_upvalue_index(int i) { return lua_upvalueindex(i); }
void caspio_pop(lua_State *L, int n) { lua_pop(L, n); }
void caspio_newtable(lua_State *L) { lua_newtable(L); }
const char *caspio_tostring(lua_State *L, int idx, size_t *len) { return lua_tolstring(L, idx, len); }
int caspio_isnoneornil(lua_State *L, int idx) { return lua_isnoneornil(L, idx); }
lua_Integer caspio_tointeger(lua_State *L, int idx, int *isnum) { return lua_tointegerx(L, idx, isnum); }
int caspio_loadbuffer(lua_State *L, const char *buff, size_t sz, const char *name) {
    return luaL_loadbufferx(L, buff, sz, name, NULL);
}
void caspio_replace(lua_State *L, int idx) { lua_replace(L, idx); }
void caspio_remove(lua_State *L, int idx) { lua_remove(L, idx); }
void caspio_insert(lua_State *L, int idx) { lua_insert(L, idx); }

static int protected_tolstring(lua_State *L) {
    luaL_tolstring(L, 1, NULL);
    return 1;
}

const char *caspio_safe_tolstring(lua_State *L, int idx, size_t *len) {
    idx = lua_absindex(L, idx);
    lua_pushcfunction(L, protected_tolstring);
    lua_pushvalue(L, idx);
    if (lua_pcall(L, 1, 1, 0) != LUA_OK) return NULL;
    return lua_tolstring(L, -1, len);
}

const char *caspio_lua_release(void) { return LUA_RELEASE; }

void caspio_write_stderr(const char *text, size_t len) {
    fflush(stdout);
    fwrite(text, 1, len, stderr);
    fflush(stderr);
}

void caspio_flush_stdout(void) { fflush(stdout); }

size_t caspio_heap_in_use(void) { return mallinfo2().uordblks; }
