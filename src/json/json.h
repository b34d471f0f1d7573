/*
 * json.h — a JSON reader for event lines (EDR/SIEM exports, evtx_dump,
 * Winlogbeat/ECS, NXLog), producing the flat list of leaves the event layer
 * needs: every scalar with the dotted path of keys that leads to it
 * ("winlog.event_data.CommandLine", "Event.System.EventID").  Array elements
 * share their array's path, in order.
 *
 * Hand-written rather than a DOM library (jansson, json-c) because events
 * only ever need flat leaves: no node allocations, keys and plain strings
 * point into the input, and only strings with escapes are decoded (into the
 * caller's arena).  bench/bench_json.sh measures it against jansson.
 *
 * Hostile input: nesting, leaf count and length are bounded (limits.h);
 * every error names the byte offset; invalid UTF-8 inside strings is kept
 * as bytes (the JSON writers escape it on output).
 */
#ifndef SP_JSON_H
#define SP_JSON_H

#include <stddef.h>
#include <stdint.h>
#include "base/arena.h"

enum { SP_J_STR = 1, SP_J_NUM, SP_J_TRUE, SP_J_FALSE, SP_J_NULL, SP_J_EMPTY_OBJ, SP_J_EMPTY_ARR };

typedef struct sp_jleaf {
    const char *path;      /* dotted key path, NUL-terminated */
    uint32_t path_len;
    uint32_t depth;        /* number of keys in the path */
    const char *val;       /* string (decoded, not NUL-terminated) or number text */
    uint32_t val_len;
    uint8_t type;          /* SP_J_* */
    uint8_t in_array;      /* element of an array */
} sp_jleaf;

typedef struct sp_jdoc {
    sp_jleaf *leaves;
    uint32_t n, cap;
    int top_is_object;
} sp_jdoc;

/* Parse one JSON value from text[0..len) (trailing white space allowed).
 * Leaves and decoded strings live in `a` (reset it between documents).
 * Returns 0, or -1 with a message naming the offset in err. */
int sp_json_parse(const char *text, size_t len, sp_arena *a, sp_jdoc *doc, char *err, size_t errcap);

/* Whether the integer text of a number leaf fits int64 (sets *out). */
int sp_json_int(const char *s, size_t n, int64_t *out);

#endif
