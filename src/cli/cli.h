/*
 * cli.h — what the spoor subcommands share: exit codes, terminal habits
 * (colour only on a TTY without NO_COLOR, progress only when stderr is a
 * TTY), and small argument helpers.  The CLI is a thin layer: all parsing
 * and matching happens in libspoor.
 */
#ifndef SP_CLI_H
#define SP_CLI_H

#include <stdio.h>
#include "spoor.h"

/* exit codes (documented in README and --help) */
enum {
    EX_OK = 0,          /* success; for hunt: no detections */
    EX_FOUND = 1,       /* hunt: detections */
    EX_USAGE = 2,       /* bad command line */
    EX_NOINPUT = 3,     /* nothing could be read */
    EX_PARTIAL = 4      /* some inputs could not be read (others were) */
};

typedef struct cli_term {
    int color_out, color_err;   /* use ANSI colour on stdout / stderr */
    int progress;               /* stderr is a terminal */
} cli_term;

void cli_term_init(cli_term *t);
/* parse an unsigned option value; returns 0 on success */
int cli_parse_uint(const char *s, unsigned *out);
/* append `s` as a JSON string (quoted, escaped) */
void cli_json_str(sp_buf *b, const char *s);
/* print a diagnostic line "spoor: FILE: offset 0x..: msg" to stderr */
void cli_diag(void *user, const char *file, uint64_t off, sp_damage kind, const char *msg);

/* Load ATT&CK (`attack`, NULL: the shipped KB) and, unless no_profiles, the
 * profiles (`profiles`, NULL: <intel>/profiles); problems go to stderr.
 * Returns EX_OK or EX_NOINPUT. */
int cli_kb_load(const char *attack, int no_profiles, const char *profiles, sp_kb **out);

/* Attribution from findings/evidence JSON (cmd_attribute.c): parse, build the
 * model on the KB, name `rs`'s rules (may be NULL) in "hunt next", render text
 * or JSON into `out`.  Problems go to stderr.  Returns EX_OK, EX_USAGE or
 * EX_NOINPUT. */
typedef struct cli_attr_opts {
    const char *attack, *profiles, *sector, *country;
    int no_profiles, json;
    unsigned top;
} cli_attr_opts;
struct sp_buf;
int cli_attribute_run(const char *text, size_t len, const char *name, const cli_attr_opts *o, const sp_ruleset *rs,
                      struct sp_buf *out);

int cmd_evtx(int argc, char **argv);
int cmd_rules(int argc, char **argv);
int cmd_hunt(int argc, char **argv);
int cmd_logons(int argc, char **argv);
int cmd_intel(int argc, char **argv);
int cmd_intel_lookup(int argc, char **argv);
int cmd_logs(int argc, char **argv);
int cmd_attribute(int argc, char **argv);
int cmd_bench(int argc, char **argv);

/* Whether a command frees what it built before it returns.  spoor's
 * commands return straight to exit(): the kernel takes the memory back
 * faster than freeing it piece by piece (a hunt's ruleset, scanners and
 * detections: 0.3-0.5 ms of a 2-thread hunt of the 64 MB bench file).
 * Builds with AddressSanitizer free everything, so its leak check still
 * sees every allocation answered for. */
#if defined(__SANITIZE_ADDRESS__)
#define CLI_FREE_AT_EXIT 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CLI_FREE_AT_EXIT 1
#endif
#endif
#ifndef CLI_FREE_AT_EXIT
#define CLI_FREE_AT_EXIT 0
#endif

#endif
