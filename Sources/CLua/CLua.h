// Debian's Lua 5.4 headers (liblua5.4-dev); the include path comes from pkg-config lua5.4.
#include <lua.h>
#include <lualib.h>
#include <lauxlib.h>
