/*
 * hunt.h — internals of `spoor hunt`: inputs, per-file accounting, the
 * detection store.
 *
 *   hunt.c        the sp_hunt object: walks inputs, detects their format from
 *                 content, runs the Sigma scanners (one per worker) over EVTX
 *                 and JSON-lines events, keeps detections with their sort keys
 *   hunt_out.c    timeline writers (JSONL, CSV) and the summary
 *
 * Detections are kept in memory in compact form (metadata + the event's JSON)
 * and sorted at the end by time, then source, then record.
 */
#ifndef SP_HUNT_H
#define SP_HUNT_H

#include "spoor.h"
#include "base/arena.h"
#include "base/buf.h"

typedef struct sp_hunt_det {
    int64_t time_ms;          /* INT64_MIN when unknown */
    uint32_t source;          /* index into the file table */
    uint64_t record;          /* EVTX record id, or JSON line number */
    uint64_t seq;             /* order of arrival (stable tie-break) */
    uint32_t rule;            /* rule index in the ruleset */
    uint32_t event_id;
    int has_event_id;
    int recovered;
    const char *channel, *host;   /* NUL-terminated, in the store */
    const char *event;        /* event JSON (evtx_dump shape for EVTX) */
    uint32_t event_len;
    /* correlations */
    int is_corr;
    int64_t first_ms;
    uint64_t count;
    double value;
    const char *group;        /* "field=value, ..." or "" */
} sp_hunt_det;

#endif
