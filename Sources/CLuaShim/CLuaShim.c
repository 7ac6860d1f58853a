#include "CLuaShim.h"

#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <time.h>
#include <unistd.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>

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

static lua_State *volatile stop_target = NULL;
/* The first reason wins: a SIGTERM after a timeout must not turn exit 124 into 143. */
static volatile sig_atomic_t stop_reason = CASPIO_STOP_NONE;
static volatile sig_atomic_t waits_aborted = 0;
static volatile sig_atomic_t idle_action = CASPIO_IDLE_RECORD;
static volatile sig_atomic_t signals_armed = 0;
/* sem_post is async-signal-safe: the one way a handler can wake a waiting thread. */
static sem_t stop_posted;
/* A second one for the watcher thread, which wakes waits that need a lock to be woken
   (condition variables), as a handler cannot take one. Posted only once it exists. */
static sem_t stop_watched;
static volatile sig_atomic_t watch_ready = 0;

static const char *stop_message(int reason) {
    switch (reason) {
    case CASPIO_STOP_TIMEOUT: return "timeout!";
    case CASPIO_STOP_TERMINATE: return "terminated!";
    default: return "interrupted!";
    }
}

static void stop_hook(lua_State *L, lua_Debug *ar) {
    (void)ar;
    lua_sethook(L, NULL, 0, 0);
    luaL_error(L, "%s", stop_message(stop_reason));
}

static void hook(lua_State *L) {
    int flag = LUA_MASKCALL | LUA_MASKRET | LUA_MASKLINE | LUA_MASKCOUNT;
    lua_sethook(L, stop_hook, flag, 1);
}

void caspio_stop(int reason) {
    if (stop_reason == CASPIO_STOP_NONE) stop_reason = reason;
    /* Every stop abandons the request in flight: a supervisor's SIGTERM comes with a short
       grace (systemd's TimeoutStopSec), and a hung server must not outlast it. */
    waits_aborted = 1;
    lua_State *L = stop_target;
    if (L != NULL) hook(L);
    sem_post(&stop_posted);
    if (watch_ready) sem_post(&stop_watched);
}

void caspio_stop_watch_begin(void) {
    if (watch_ready) return;
    sem_init(&stop_watched, 0, 0);
    watch_ready = 1;
}

void caspio_stop_watch_next(void) {
    while (sem_wait(&stop_watched) != 0 && errno == EINTR) {}
}

static void on_signal(int sig) {
    signal(sig, SIG_DFL); /* a second Ctrl-C or SIGTERM terminates the process */
    if (stop_target == NULL && idle_action == CASPIO_IDLE_EXIT) _exit(128 + sig);
    caspio_stop(sig == SIGTERM ? CASPIO_STOP_TERMINATE : CASPIO_STOP_INTERRUPT);
}

static void install_handlers(void) {
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(SIGINT, &action, NULL);
    sigaction(SIGTERM, &action, NULL);
}

void caspio_stop_arm_signals(int action) {
    if (!signals_armed) sem_init(&stop_posted, 0, 0);
    signals_armed = 1;
    idle_action = action;
    install_handlers();
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
}

void caspio_stop_disarm_signals(void) {
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
}

void caspio_stop_attach(lua_State *L) {
    stop_target = L;
    if (stop_reason != CASPIO_STOP_NONE) hook(L);
}

void caspio_stop_detach(void) { stop_target = NULL; }

int caspio_stop_reason(void) { return stop_reason; }
int caspio_stop_aborts_waits(void) { return waits_aborted; }

int caspio_stop_wait(double seconds) {
    if (!signals_armed) { sem_init(&stop_posted, 0, 0); signals_armed = 1; }
    if (stop_reason != CASPIO_STOP_NONE) return 1;
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    long long nanos = until.tv_nsec + (long long)(seconds * 1e9);
    until.tv_sec += nanos / 1000000000LL;
    until.tv_nsec = nanos % 1000000000LL;
    while (sem_timedwait(&stop_posted, &until) != 0) {
        if (errno != EINTR) break;
    }
    return stop_reason != CASPIO_STOP_NONE;
}

void caspio_stop_begin_cleanup(lua_State *L) {
    lua_sethook(L, NULL, 0, 0);
    waits_aborted = 0;
}

int caspio_set_dumpable(int dumpable) { return prctl(PR_SET_DUMPABLE, dumpable ? 1 : 0, 0, 0, 0); }

void caspio_stop_reset(void) {
    stop_reason = CASPIO_STOP_NONE;
    waits_aborted = 0;
    if (signals_armed) {
        while (sem_trywait(&stop_posted) == 0) {}
        install_handlers();
    }
}

void **caspio_extraspace(lua_State *L) { return (void **)lua_getextraspace(L); }

int caspio_registry_index(void) { return LUA_REGISTRYINDEX; }
void caspio_pop(lua_State *L, int n) { lua_pop(L, n); }
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


const char *caspio_lua_ident(void) { return lua_ident; }
