/*
 * hunt.h — internals of `spoor hunt`: inputs, per-file accounting, the
 * detection store.
 *
 *   hunt.c            the sp_hunt object: walks inputs, detects their format
 *                     from content, runs the Sigma scanners (one per worker)
 *                     over EVTX and JSON-lines events, keeps detections with
 *                     their sort keys, runs correlations at the end
 *   hunt_container.c  .gz / .zst / .zip (nested) members as inputs
 *   hunt_out.c        timeline writers (JSONL, CSV)
 *
 * Detections are kept in memory in compact form (metadata + the event's JSON)
 * and sorted at the end by time, then source, then record.
 */
#ifndef SP_HUNT_INT_H
#define SP_HUNT_INT_H

#include <stdio.h>
#include "spoor.h"
#include "base/arena.h"
#include "base/buf.h"
#include "analytics/analytics.h"

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
    /* IOC matches */
    const sp_ioc *ioc;
    const sp_rule_info *rinfo; /* synthetic rule describing the indicator */
    const char *ioc_field, *ioc_observed;
} sp_hunt_det;


/* the geo data the hunt was given (NULL none): the timeline enriches IPs */
const sp_geo *hunt_geo(const sp_hunt *h);

typedef struct input {
    sp_input_stats st;
    char *path;
    unsigned reported;         /* problems printed so far (capped) */
    char skip_reason[160];
    char error[600];
} input;

/* a match of a rule that correlations use, kept for the correlation pass */
typedef struct hunt_cin {
    int64_t t;
    uint32_t source;
    uint64_t record;
    uint64_t seq;
    uint32_t rule;
    uint32_t nkv;
    const char *kv;            /* "field\0value\0..." */
    const char *channel, *host;
} hunt_cin;

struct sp_hunt {
    const sp_ruleset *rs;
    sp_hunt_opts o;
    unsigned nthreads;
    sp_scanner **sc;           /* one per worker */
    uint8_t *keep;             /* per rule: report its detections */
    input *in;
    size_t nin, capin;
    sp_hunt_det *det;
    size_t ndet, capdet;
    uint64_t seq;
    sp_arena store;            /* strings of detections and correlation inputs */
    hunt_cin *cin;
    size_t ncin, capcin;
    /* synthetic rule infos of the indicators that hit (one per sp_ioc) */
    struct ioc_rule { const sp_ioc *ioc; const sp_rule_info *info; } *irules;
    size_t nirules, capirules;
    sp_ana *ana;               /* logons, account changes, operator hours */
    sp_ana_worker **aw;        /* one per worker */
    sp_ana_worker *aw_merge;   /* fed by the (serialised) merge of detections */
    int finished;
    int nomem;
};

/* hunt.c */
input *hunt_new_input(sp_hunt *h, const char *path, const char *format);
void hunt_note(sp_hunt *h, input *in, uint64_t off, const char *msg);
const char *hunt_sniff(const unsigned char *b, size_t n);
void hunt_jsonl(sp_hunt *h, input *in, FILE *fp);
/* line logs (src/logs): fmt is an sp_logfmt; hunt_logfmt picks it from a file's head */
void hunt_logfile(sp_hunt *h, input *in, FILE *fp, int fmt);
int hunt_logfmt(const unsigned char *head, size_t n);
void hunt_evtx_path(sp_hunt *h, input *in, const char *path);
void hunt_evtx_mem(sp_hunt *h, input *in, const void *data, size_t len);
/* hunt_container.c */
/* a container file (mem == NULL) or one in memory, named `path` */
void hunt_container(sp_hunt *h, const char *path, const void *mem, size_t len);

#endif
