#include "CLineEditShim.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <editline/readline.h>

static volatile sig_atomic_t prompt_interrupted = 0;
static caspio_le_complete_fn swift_completer = NULL;

static char **candidates = NULL;
static size_t candidate_count = 0, candidate_capacity = 0;

static void on_prompt_sigint(int sig) {
    (void)sig;
    prompt_interrupted = 1;
}

/* libedit reads through this: a Ctrl-C (EINTR with our flag set) ends input, and
   UTF-8 is decoded here so multibyte characters reach the editor as one character. */
static int read_byte(void) {
    for (;;) {
        if (prompt_interrupted) return -1; /* input typed after Ctrl-C waits for the next line */
        /* poll is never restarted after a signal (read may be, under SA_RESTART). */
        struct pollfd ready = { .fd = STDIN_FILENO, .events = POLLIN };
        if (poll(&ready, 1, -1) < 0) {
            if (errno == EINTR && prompt_interrupted) return -1;
            continue;
        }
        unsigned char byte;
        ssize_t n = read(STDIN_FILENO, &byte, 1);
        if (n == 1) return byte;
        if (n == 0) return -1;
        if (errno == EINTR) {
            if (prompt_interrupted) return -1;
            continue;
        }
        return -1;
    }
}

static int getc_function(FILE *stream) {
    (void)stream;
    int lead = read_byte();
    if (lead < 0x80) return lead;
    int extra = lead >= 0xF0 ? 3 : lead >= 0xE0 ? 2 : lead >= 0xC0 ? 1 : 0;
    int code = extra == 3 ? (lead & 0x07) : extra == 2 ? (lead & 0x0F) : (lead & 0x1F);
    if (extra == 0) return 0xFFFD;
    for (int i = 0; i < extra; i++) {
        int next = read_byte();
        if (next < 0) return -1;
        code = (code << 6) | (next & 0x3F);
    }
    return code;
}

static void clear_candidates(void) {
    for (size_t i = 0; i < candidate_count; i++) free(candidates[i]);
    candidate_count = 0;
}

void caspio_le_add_candidate(const char *candidate) {
    if (candidate_count == candidate_capacity) {
        size_t capacity = candidate_capacity ? candidate_capacity * 2 : 32;
        char **grown = realloc(candidates, capacity * sizeof(char *));
        if (grown == NULL) return;
        candidates = grown;
        candidate_capacity = capacity;
    }
    char *copy = strdup(candidate);
    if (copy != NULL) candidates[candidate_count++] = copy;
}

static char *generator(const char *text, int state) {
    static size_t next;
    (void)text;
    if (state == 0) next = 0;
    if (next >= candidate_count) return NULL;
    return strdup(candidates[next++]);
}

static char **attempt_completion(const char *text, int start, int end) {
    rl_attempted_completion_over = 1; /* never fall back to file names */
    clear_candidates();
    if (swift_completer != NULL) swift_completer(rl_line_buffer, start, end);
    if (candidate_count == 0) return NULL;
    return rl_completion_matches(text, generator);
}

static char word_breaks[] = " \t\n\"'`@$><=;|&{(,+-*/%^~#";

void caspio_le_init(caspio_le_complete_fn completer) {
    swift_completer = completer;
    rl_readline_name = "caspio";
    rl_catch_signals = 0;
    rl_getc_function = getc_function;
    rl_completer_word_break_characters = word_breaks;
    rl_basic_word_break_characters = word_breaks;
    rl_completion_append_character = '\0';
    rl_attempted_completion_function = attempt_completion;
    rl_initialize();
}

char *caspio_le_readline(const char *prompt, int *interrupted) {
    struct sigaction action, previous;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_prompt_sigint;
    sigemptyset(&action.sa_mask);
    action.sa_flags = 0; /* no SA_RESTART: read() must return EINTR */
    prompt_interrupted = 0;
    sigaction(SIGINT, &action, &previous);
    char *line = readline(prompt);
    sigaction(SIGINT, &previous, NULL);
    *interrupted = prompt_interrupted;
    if (prompt_interrupted) {
        free(line);
        line = NULL;
        prompt_interrupted = 0;
    }
    return line;
}

void caspio_le_free(char *line) { free(line); }

void caspio_le_add_history(const char *line) { add_history(line); }

void caspio_le_read_history(const char *path, int max) {
    stifle_history(max);
    read_history(path);
}

int caspio_le_write_history(const char *path) {
    /* Create it private first, so the history is never readable by others, even briefly. */
    int fd = open(path, O_WRONLY | O_CREAT, 0600);
    if (fd >= 0) close(fd);
    int status = write_history(path);
    chmod(path, 0600);
    return status;
}
