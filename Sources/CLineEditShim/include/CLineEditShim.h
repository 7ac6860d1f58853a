// A thin wrapper over libedit's readline API for the REPL. Swift never touches libedit's
// globals or signal handling directly: everything goes through these functions.
#ifndef CLINE_EDIT_SHIM_H
#define CLINE_EDIT_SHIM_H

#include <stddef.h>

/// Called on TAB with the whole line and the word being completed (bytes start..<end);
/// it answers by calling caspio_le_add_candidate for each full replacement of the word.
/// Must not raise (it runs inside libedit).
typedef void (*caspio_le_complete_fn)(const char *line, int start, int end);

/// Sets up libedit once: our input function (so Ctrl-C ends the line being edited), word
/// breaks that keep `a.b:c` together, no appended space, and the completer.
void caspio_le_init(caspio_le_complete_fn completer);

/// Reads a line with editing. Returns a malloc'd line (free with caspio_le_free) or NULL at
/// end of input; *interrupted is set when Ctrl-C abandoned the line (NULL is returned then).
char *caspio_le_readline(const char *prompt, int *interrupted);
void caspio_le_free(char *line);

/// Candidates for the completion in progress.
void caspio_le_add_candidate(const char *candidate);

void caspio_le_add_history(const char *line);
/// Loads the history file (missing is fine); caps the in-memory history at `max` entries.
void caspio_le_read_history(const char *path, int max);
/// Writes the history file with mode 0600; returns 0 on success.
int caspio_le_write_history(const char *path);

#endif
