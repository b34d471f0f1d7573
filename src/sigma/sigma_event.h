/*
 * sigma_event.h — how the Sigma matcher reads an event, whatever it came
 * from (EVTX record, JSON line, a test's key/value list).
 *
 * The matcher never depends on a concrete format: it calls these function
 * pointers.  Values follow the sp_value contract of spoor.h; in addition
 * `str`/`len` must always carry the value's text, also for typed integers
 * (the prefilter and string comparisons read the text).  Pointers handed out
 * need only stay valid until the matcher returns from sp_scanner_match_event.
 *
 *   field   exact-name lookup (may be NULL: the matcher then uses `each`)
 *   each    visit every named value (required)
 *   nfields / name_at / values_at  the same by position, values on demand
 *   time_unix_ms  the event's timestamp in ms since 1970 (may be NULL or
 *           return INT64_MIN when unknown; correlations then skip the event)
 *   product/category/service  an optional logsource the producer vouches
 *           for (e.g. "linux"/"process_creation"); NULL for Windows event
 *           logs, which are routed by Channel/EventID through logsources.yml.
 */
#ifndef SP_SIGMA_EVENT_H
#define SP_SIGMA_EVENT_H

#include <stddef.h>
#include <stdint.h>
#include "spoor.h"

struct sp_event {
    size_t (*field)(const void *ev, const char *name, size_t len, sp_value *vals, size_t max);
    void (*each)(const void *ev, sp_field_fn fn, void *user);
    /* optional, all three or none: the event's fields by position, names
     * first and values only when asked (an EVTX record renders a value's
     * text only then); `each` is used when absent */
    size_t (*nfields)(const void *ev);
    const char *(*name_at)(const void *ev, size_t i, size_t *len);
    size_t (*values_at)(const void *ev, size_t i, sp_value *vals, size_t max);
    /* non-zero: events with the same value hand out names (name_at) that
     * keep their address and text, so the matcher may cache by address */
    uint64_t name_gen;
    /* optional: events with the same non-NULL value (and name_gen) have the
     * same names at the same positions, so the matcher may reuse what it
     * derived from them */
    const void *(*names_id)(const void *ev);
    int64_t (*time_unix_ms)(const void *ev);
    const void *ev;
    const char *product, *category, *service;
};

/* An sp_event over a decoded EVTX record (fills *out; no allocation). */
void sp_event_from_record(sp_event *out, const sp_record *rec);

/* A simple key/value event (tests, tools): `kv` holds 2*n strings,
 * name then value; a value of NULL is a present-but-null field.  Values that
 * are decimal integers are also exposed as typed integers when
 * `typed_ints` is set.  `time_ms` is returned by time_unix_ms. */
typedef struct sp_kv_event {
    const char *const *kv;
    size_t n;
    int typed_ints;
    int64_t time_ms;
} sp_kv_event;
void sp_event_from_kv(sp_event *out, const sp_kv_event *kv);

/* Parse an ISO 8601 timestamp ("2024-05-01T10:11:12.123Z", "2024-05-01
 * 10:11:12", a trailing +hh:mm offset is honoured) into ms since 1970.
 * Returns 0 on success. */
int sp_parse_iso_ms(const char *s, size_t n, int64_t *out);

#endif
