// libedit's readline-compatible API, from Debian's libedit-dev (linked, never vendored).
#include <stdio.h>
#include <editline/readline.h>
