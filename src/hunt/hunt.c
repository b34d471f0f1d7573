/*
 * hunt.c — the sp_hunt object: inputs, format detection, matching, the
 * detection store.  See hunt.h.
 *
 * EVTX files are decoded in parallel by chunk (sp_evtx_scan); each worker has
 * its own Sigma scanner, and serialises its detections (rule, keys, the
 * event's JSON rendered once per record) into the chunk's output buffer; the
 * ordered flush moves them into the store.  JSON-lines files are read line
 * by line (bounded length) on the calling thread.
 *
 * Ownership: the hunt owns its store (an arena for strings, a growable array
 * of sp_hunt_det) and its scanners; the ruleset is borrowed and must outlive
 * the hunt.
 */
#include "hunt/hunt_int.h"
#include "base/dirlist.h"

#include <pthread.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/limits.h"
#include "json/json_event.h"
#include "logs/logs.h"
#include "sigma/sigma_event.h"

#ifndef SP_MAX_DIR_DEPTH
#define SP_MAX_DIR_DEPTH 64
#endif



/* ------------------------------------------------------------ store */

static char *store_str(sp_hunt *h, const char *s, size_t n)
{
    char *p = sp_arena_alloc(&h->store, n + 1);
    if (!p) { h->nomem = 1; return NULL; }
    if (n) memcpy(p, s, n);
    p[n] = 0;
    return p;
}

static sp_hunt_det *new_det(sp_hunt *h)
{
    if (h->ndet == h->capdet) {
        size_t nc = h->capdet ? h->capdet * 2 : 1024;
        sp_hunt_det *nd = realloc(h->det, nc * sizeof *nd);
        if (!nd) { h->nomem = 1; return NULL; }
        h->det = nd;
        h->capdet = nc;
    }
    sp_hunt_det *d = &h->det[h->ndet++];
    memset(d, 0, sizeof *d);
    d->seq = h->seq++;
    return d;
}

static hunt_cin *new_cin(sp_hunt *h)
{
    if (h->ncin == h->capcin) {
        size_t nc = h->capcin ? h->capcin * 2 : 256;
        hunt_cin *n = realloc(h->cin, nc * sizeof *n);
        if (!n) { h->nomem = 1; return NULL; }
        h->cin = n;
        h->capcin = nc;
    }
    hunt_cin *c = &h->cin[h->ncin++];
    memset(c, 0, sizeof *c);
    c->seq = h->seq++;
    return c;
}

/* The rule-like description of an indicator that hit, made once per
 * indicator (in the store: the pointer stays valid): its id,
 * "IOC match: type value (what it links to)", a level from its confidence,
 * tags "ioc" plus the ATT&CK ids of its links ("attack.g0032"). */
static const sp_rule_info *ioc_rule(sp_hunt *h, const sp_ioc *ioc)
{
    for (size_t i = 0; i < h->nirules; i++)
        if (h->irules[i].ioc == ioc) return h->irules[i].info;
    if (h->nirules == h->capirules) {
        size_t nc = h->capirules ? h->capirules * 2 : 16;
        struct ioc_rule *n = realloc(h->irules, nc * sizeof *n);
        if (!n) { h->nomem = 1; return NULL; }
        h->irules = n;
        h->capirules = nc;
    }
    sp_rule_info *r = sp_arena_zalloc(&h->store, sizeof *r);
    const char **tags = sp_arena_zalloc(&h->store, (ioc->nlinks + 1) * sizeof *tags);
    if (!r || !tags) { h->nomem = 1; return NULL; }
    sp_buf t;
    sp_buf_init(&t);
    sp_buf_printf(&t, "IOC match: %s %s", sp_ioc_type_name(ioc->type), ioc->value);
    size_t nt = 0;
    tags[nt++] = "ioc";
    for (size_t i = 0; i < ioc->nlinks; i++) {
        const sp_ioc_link *l = &ioc->links[i];
        sp_buf_printf(&t, "%s%s%s%s%s", i ? ", " : " (", l->name[0] ? l->name : l->kind,
                      l->attack_id[0] ? " " : "", l->attack_id, i + 1 == ioc->nlinks ? ")" : "");
        if (l->attack_id[0]) {
            char tg[32];
            snprintf(tg, sizeof tg, "attack.%s", l->attack_id);
            for (char *q = tg; *q; q++) if (*q >= 'A' && *q <= 'Z') *q = (char)(*q + 32);
            tags[nt++] = store_str(h, tg, strlen(tg));
        }
    }
    r->kind = SP_RULE_DETECTION;
    r->file = ioc->source;
    r->id = ioc->id;
    r->name = "";
    r->title = store_str(h, t.p ? t.p : "", t.len);
    sp_buf_fini(&t);
    r->description = ioc->comment ? ioc->comment : "";
    r->level = ioc->confidence >= 70 || ioc->confidence < 0 ? "high" : ioc->confidence >= 40 ? "medium" : "low";
    r->status = "stable";
    r->author = r->date = r->modified = r->product = r->category = r->service = r->corr_type = "";
    r->tags = tags;
    r->ntags = nt;
    h->irules[h->nirules].ioc = ioc;
    h->irules[h->nirules].info = r;
    h->nirules++;
    return r;
}

input *hunt_new_input(sp_hunt *h, const char *path, const char *format)
{
    if (h->nin == h->capin) {
        size_t nc = h->capin ? h->capin * 2 : 64;
        input *ni = realloc(h->in, nc * sizeof *ni);
        if (!ni) { h->nomem = 1; return NULL; }
        h->in = ni;
        h->capin = nc;
        for (size_t k = 0; k < h->nin; k++) {     /* st points into the moved inputs */
            h->in[k].st.skip_reason = h->in[k].skip_reason;
            h->in[k].st.error = h->in[k].error;
        }
    }
    input *in = &h->in[h->nin++];
    memset(in, 0, sizeof *in);
    in->path = strdup(path);
    if (!in->path) { h->nin--; h->nomem = 1; return NULL; }
    in->st.path = in->path;
    in->st.format = format;
    in->st.skip_reason = in->skip_reason;
    in->st.error = in->error;
    return in;
}

/* Record a problem with an input: the first is kept for the summary; the
 * first MAX_REPORTS are passed to the warn callback, then one line says the
 * rest are only counted. */
#define MAX_REPORTS 10
void hunt_note(sp_hunt *h, input *in, uint64_t off, const char *msg)
{
    if (!in->error[0]) snprintf(in->error, sizeof in->error, "%s", msg);
    if (!h->o.warn) return;
    if (in->reported < MAX_REPORTS) h->o.warn(h->o.user, in->path, off, msg);
    else if (in->reported == MAX_REPORTS)
        h->o.warn(h->o.user, in->path, UINT64_MAX, "further problems in this input are counted, not shown");
    in->reported++;
}

/* ------------------------------------------------------------- life */

sp_status sp_hunt_new(const sp_ruleset *rs, const sp_hunt_opts *opts, sp_hunt **out, sp_error *err)
{
    *out = NULL;
    sp_hunt *h = calloc(1, sizeof *h);
    if (!h) goto nomem;
    h->rs = rs;
    if (opts) h->o = *opts;
    unsigned nt = h->o.threads;
    if (!nt) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        nt = n > 0 ? (unsigned)n : 1;
    }
    if (nt > SP_MAX_THREADS) nt = SP_MAX_THREADS;
    h->nthreads = nt;
    sp_arena_init(&h->store, 1 << 20);
    h->sc = calloc(nt, sizeof *h->sc);
    if (!h->sc) goto nomem;
    size_t nr = sp_ruleset_count(rs);
    h->keep = malloc(nr ? nr : 1);
    if (!h->keep) goto nomem;
    for (size_t i = 0; i < nr; i++)
        h->keep[i] = !h->o.keep_rule || h->o.keep_rule(h->o.user, sp_ruleset_rule(rs, i));
    h->ana = sp_ana_new();
    h->aw = calloc(nt, sizeof *h->aw);
    h->aw_merge = sp_ana_worker_new();
    if (!h->ana || !h->aw || !h->aw_merge) goto nomem;
    for (unsigned k = 0; k < nt; k++)
        if (!(h->aw[k] = sp_ana_worker_new())) goto nomem;
    for (unsigned k = 0; k < nt; k++) {
        if (sp_scanner_new(rs, &h->sc[k]) != SP_OK) goto nomem;
        /* correlations need the events in time order across every input:
         * they are evaluated in sp_hunt_finish from the stored hits */
        sp_scanner_set_correlation(h->sc[k], 0);
    }
    *out = h;
    return SP_OK;
nomem:
    sp_hunt_free(h);
    if (err) { memset(err, 0, sizeof *err); err->offset = UINT64_MAX; snprintf(err->msg, sizeof err->msg, "out of memory"); }
    return SP_ERR_NOMEM;
}

void sp_hunt_free(sp_hunt *h)
{
    if (!h) return;
    if (h->sc)
        for (unsigned k = 0; k < h->nthreads; k++) sp_scanner_free(h->sc[k]);
    free(h->sc);
    free(h->keep);
    free(h->irules);
    if (h->aw)
        for (unsigned k = 0; k < h->nthreads; k++) sp_ana_worker_free(h->aw[k]);
    free(h->aw);
    sp_ana_worker_free(h->aw_merge);
    sp_ana_free(h->ana);
    for (size_t i = 0; i < h->nin; i++) free(h->in[i].path);
    free(h->in);
    free(h->det);
    free(h->cin);
    sp_arena_fini(&h->store);
    free(h);
}

/* ------------------------------------------------------------- EVTX */

/* entry serialised by a worker into the chunk output */
typedef struct wire {
    uint32_t total;            /* bytes of this entry, header included */
    uint32_t kind;             /* 1 detection, 2 correlation input (payload: f\0v\0...), 3 IOC hit */
    uint32_t rule;
    int64_t time_ms;
    uint64_t record;
    uint32_t event_id;
    uint8_t has_eid, recovered;
    uint8_t same;              /* kind 1: same event as the entry before (no payload) */
    uint8_t pad;
    uint32_t chlen, hostlen, evlen;
    const sp_ioc *ioc;         /* kind 3: the indicator; payload starts with field\0observed\0 */
    uint32_t ioclen;           /* bytes of that prefix */
} wire;

typedef struct evtx_ctx {
    sp_hunt *h;
    input *in;
    uint32_t source;
    /* per worker: has the current record's JSON been rendered, and where */
    /* one per worker, each on cache lines of its own: they are written at
     * every event, and two workers' states sharing a line cost both
     * threads a cache miss per event */
    struct wstate {
        _Alignas(64) const sp_record *rec;
        sp_buf json;
        sp_buf *out;
        const uint8_t *keep;
        char ch[256], host[256];
        size_t chn, hostn;
        int sent;              /* the record's payload is in `out` already */
        int ready;             /* json (unless !copies), ch and host are the record's */
        int copies;            /* render the event's JSON for its detections */
    } *ws;
} evtx_ctx;

static void text_field(const sp_record *r, const char *name, char *buf, size_t cap, size_t *len)
{
    sp_value v;
    *len = 0;
    if (sp_record_field(r, name, strlen(name), &v, 1) && !v.is_null) {
        size_t n = v.len < cap - 1 ? v.len : cap - 1;
        memcpy(buf, v.str, n);
        *len = n;
    }
    buf[*len] = 0;
}

/* The event's own EventRecordID (what Event Viewer, Chainsaw and Hayabusa
 * show); the record header's number when the event has none.  The two differ
 * in files written by some exporters. */
static uint64_t event_record_id(const sp_record *r)
{
    sp_value v;
    if (sp_record_field(r, "EventRecordID", 13, &v, 1) && v.is_int && v.i >= 0) return (uint64_t)v.i;
    return sp_record_id(r);
}

/* the current record's JSON (when copies are kept), channel and host,
 * rendered once */
static int ensure_json(struct wstate *w)
{
    const sp_record *r = w->rec;
    if (w->ready) return 0;
    if (w->copies && sp_record_json(r, &w->json) != SP_OK) return -1;
    w->ready = 1;
    text_field(r, "Channel", w->ch, sizeof w->ch, &w->chn);
    text_field(r, "Computer", w->host, sizeof w->host, &w->hostn);
    return 0;
}

static int on_evtx_ioc(void *user, const char *field, size_t flen, const char *value, size_t vlen, const sp_ioc_hit *hit)
{
    struct wstate *w = user;
    const sp_record *r = w->rec;
    if (ensure_json(w)) return 1;
    wire e;
    memset(&e, 0, sizeof e);
    e.kind = 3;
    e.rule = UINT32_MAX;
    uint64_t ft = sp_record_filetime(r);
    e.time_ms = ft >= 116444736000000000ull ? (int64_t)((ft - 116444736000000000ull) / 10000u) : INT64_MIN;
    e.record = event_record_id(r);
    e.event_id = sp_record_event_id(r);
    e.has_eid = 1;
    e.recovered = (uint8_t)sp_record_recovered(r);
    e.ioc = hit->ioc;
    e.ioclen = (uint32_t)(flen + 1 + vlen + 1);
    e.chlen = (uint32_t)w->chn;
    e.hostlen = (uint32_t)w->hostn;
    e.evlen = (uint32_t)(e.ioclen + w->json.len);
    e.total = (uint32_t)(sizeof e + e.chlen + e.hostlen + e.evlen);
    sp_buf_put(w->out, &e, sizeof e);
    sp_buf_put(w->out, w->ch, w->chn);
    sp_buf_put(w->out, w->host, w->hostn);
    sp_buf_put(w->out, field, flen);
    sp_buf_putc(w->out, 0);
    sp_buf_put(w->out, value, vlen);
    sp_buf_putc(w->out, 0);
    sp_buf_put(w->out, w->json.p, w->json.len);
    return 0;
}

static int on_evtx_detect(void *user, const sp_detection *d)
{
    struct wstate *w = user;
    const sp_record *r = w->rec;
    if (!w->keep[d->rule_index]) return 0;
    if (ensure_json(w)) return 1;
    wire e;
    memset(&e, 0, sizeof e);
    e.kind = 1;
    e.rule = (uint32_t)d->rule_index;
    e.time_ms = d->time_ms;
    e.record = event_record_id(r);
    e.event_id = sp_record_event_id(r);
    e.has_eid = 1;
    e.recovered = (uint8_t)sp_record_recovered(r);
    if (w->sent) {   /* another rule on the same event: the payload is the previous entry's */
        e.same = 1;
        e.total = (uint32_t)sizeof e;
        sp_buf_put(w->out, &e, sizeof e);
        return 0;
    }
    e.chlen = (uint32_t)w->chn;
    e.hostlen = (uint32_t)w->hostn;
    e.evlen = (uint32_t)w->json.len;
    e.total = (uint32_t)(sizeof e + e.chlen + e.hostlen + e.evlen);
    sp_buf_put(w->out, &e, sizeof e);
    sp_buf_put(w->out, w->ch, w->chn);
    sp_buf_put(w->out, w->host, w->hostn);
    sp_buf_put(w->out, w->json.p, w->json.len);
    w->sent = 1;
    return 0;
}

static int on_evtx_corr(void *user, size_t rule, int64_t t, const char *const *f, const char *const *v, size_t n)
{
    struct wstate *w = user;
    const sp_record *r = w->rec;
    if (!w->chn && !w->hostn) {
        text_field(r, "Channel", w->ch, sizeof w->ch, &w->chn);
        text_field(r, "Computer", w->host, sizeof w->host, &w->hostn);
    }
    size_t kvlen = 0;
    for (size_t i = 0; i < n; i++) kvlen += strlen(f[i]) + strlen(v[i]) + 2;
    wire e;
    memset(&e, 0, sizeof e);
    e.kind = 2;
    e.rule = (uint32_t)rule;
    e.time_ms = t;
    e.record = event_record_id(r);
    e.event_id = (uint32_t)n;          /* number of field/value pairs */
    e.chlen = (uint32_t)w->chn;
    e.hostlen = (uint32_t)w->hostn;
    e.evlen = (uint32_t)kvlen;
    e.total = (uint32_t)(sizeof e + e.chlen + e.hostlen + e.evlen);
    sp_buf_put(w->out, &e, sizeof e);
    sp_buf_put(w->out, w->ch, w->chn);
    sp_buf_put(w->out, w->host, w->hostn);
    for (size_t i = 0; i < n; i++) {
        sp_buf_put(w->out, f[i], strlen(f[i]) + 1);
        sp_buf_put(w->out, v[i], strlen(v[i]) + 1);
    }
    return 0;
}

static int on_evtx_record(void *user, unsigned worker, const sp_record *rec, sp_buf *out)
{
    evtx_ctx *c = user;
    struct wstate *w = &c->ws[worker];
    w->rec = rec;
    w->out = out;
    w->chn = w->hostn = 0;
    w->sent = 0;
    w->ready = 0;
    sp_buf_reset(&w->json);
    sp_scanner_set_corr_sink(c->h->sc[worker], on_evtx_corr, w);
    sp_scanner_match_record(c->h->sc[worker], rec, on_evtx_detect, w);
    sp_event e;
    sp_event_from_record(&e, rec);
    if (c->h->o.intel) sp_intel_match_event(c->h->o.intel, &e, on_evtx_ioc, w);
    sp_ana_observe(c->h->aw[worker], &e, c->source, event_record_id(rec));
    return 0;
}

/* Move wire entries (detections, correlation inputs) into the hunt. */
static int merge_wire(sp_hunt *h, input *in, uint32_t source, const sp_buf *out)
{
    const char *p = sp_buf_data(out), *e = p + sp_buf_len(out);
    /* the last detection with its own payload (the array may move: copies) */
    const char *pch = NULL, *phost = NULL, *pev = NULL;
    uint32_t pevlen = 0;
    while (p + sizeof(wire) <= e) {
        wire w;
        memcpy(&w, p, sizeof w);
        if (w.total < sizeof w || p + w.total > e) break;
        const char *ch = p + sizeof w, *host = ch + w.chlen, *ev = host + w.hostlen;
        if (w.kind == 2) {
            hunt_cin *ci = new_cin(h);
            if (!ci) return 1;
            ci->t = w.time_ms;
            ci->source = source;
            ci->record = w.record;
            ci->rule = w.rule;
            ci->nkv = w.event_id;
            char *kv = sp_arena_alloc(&h->store, w.evlen + 1);
            if (!kv) { h->nomem = 1; return 1; }
            if (w.evlen) memcpy(kv, ev, w.evlen);
            kv[w.evlen] = 0;
            ci->kv = kv;
            ci->channel = store_str(h, ch, w.chlen);
            ci->host = store_str(h, host, w.hostlen);
            p += w.total;
            continue;
        }
        sp_hunt_det *d = new_det(h);
        if (!d) return 1;
        if (w.kind == 3) {
            d->ioc = w.ioc;
            d->rinfo = ioc_rule(h, w.ioc);
            d->ioc_field = store_str(h, ev, strlen(ev));
            const char *obs = ev + strlen(ev) + 1;
            d->ioc_observed = store_str(h, obs, strlen(obs));
            ev += w.ioclen;
            w.evlen -= w.ioclen;
        }
        d->time_ms = w.time_ms;
        d->source = source;
        d->record = w.record;
        d->rule = w.rule;
        d->event_id = w.event_id;
        d->has_event_id = w.has_eid;
        d->recovered = w.recovered;
        if (w.kind == 1 && w.same && pev) {   /* one stored copy per event */
            d->channel = pch;
            d->host = phost;
            d->event = pev;
            d->event_len = pevlen;
        } else {
            d->channel = store_str(h, ch, w.chlen);
            d->host = store_str(h, host, w.hostlen);
            d->event = store_str(h, ev, w.evlen);
            d->event_len = w.evlen;
            if (w.kind == 1) { pch = d->channel; phost = d->host; pev = d->event; pevlen = d->event_len; }
        }
        if (h->nomem) return 1;
        in->st.detections++;
        /* hands-on activity for the operator-hours estimate: rule hits on host
         * and web events; not IOC hits nor network-log hits (beacons run
         * around the clock) */
        if (w.kind == 1 && !(w.chlen >= 4 && !memcmp(ch, "zeek", 4)))
            sp_ana_activity(h->aw_merge, w.time_ms, source, w.record);
        p += w.total;
    }
    return 0;
}

static int on_evtx_flush(void *user, const sp_buf *out)
{
    evtx_ctx *c = user;
    return merge_wire(c->h, c->in, c->source, out);
}

static void hunt_evtx_scan(sp_hunt *h, input *in, sp_evtx *f);

static void evtx_opts(const sp_hunt *h, sp_evtx_opts *eo)
{
    memset(eo, 0, sizeof *eo);
    eo->threads = h->nthreads;
    eo->recover = h->o.recover;
    eo->diag = h->o.diag;
    eo->diag_user = h->o.user;
}

void hunt_evtx_path(sp_hunt *h, input *in, const char *path)
{
    sp_evtx_opts eo;
    evtx_opts(h, &eo);
    sp_evtx *f;
    sp_error err;
    if (sp_evtx_open(path, &eo, &f, &err) != SP_OK) {
        in->st.format = "unreadable";
        in->st.errors++;
        hunt_note(h, in, err.offset, err.msg);
        return;
    }
    hunt_evtx_scan(h, in, f);
}

void hunt_evtx_mem(sp_hunt *h, input *in, const void *data, size_t len)
{
    sp_evtx_opts eo;
    evtx_opts(h, &eo);
    sp_evtx *f;
    sp_error err;
    if (sp_evtx_open_mem(data, len, in->path, &eo, &f, &err) != SP_OK) {
        in->st.errors++;
        hunt_note(h, in, err.offset, err.msg);
        return;
    }
    hunt_evtx_scan(h, in, f);
}

static void hunt_evtx_scan(sp_hunt *h, input *in, sp_evtx *f)
{
    sp_error err;
    evtx_ctx c = {h, in, (uint32_t)(in - h->in), NULL};
    c.ws = aligned_alloc(64, h->nthreads * sizeof *c.ws);   /* sizeof is a multiple of 64 */
    if (c.ws) memset(c.ws, 0, h->nthreads * sizeof *c.ws);
    if (!c.ws) { h->nomem = 1; sp_evtx_close(f); return; }
    for (unsigned k = 0; k < h->nthreads; k++) { sp_buf_init(&c.ws[k].json); c.ws[k].keep = h->keep; c.ws[k].copies = !h->o.no_event_copies; }
    sp_status st = sp_evtx_scan(f, on_evtx_record, on_evtx_flush, &c, &err);
    if (st != SP_OK && st != SP_ERR_ABORT) hunt_note(h, in, err.offset, err.msg);
    sp_evtx_stats s;
    sp_evtx_get_stats(f, &s);
    in->st.parsed = s.records + s.records_recovered;
    in->st.recovered = s.records_recovered;
    in->st.errors += s.records_failed;
    in->st.records = s.records + s.records_failed + s.records_recovered;
    if (s.records_failed && !in->error[0])
        snprintf(in->error, sizeof in->error, "%llu records could not be decoded (see the damage reports)",
                 (unsigned long long)s.records_failed);
    for (unsigned k = 0; k < h->nthreads; k++) sp_buf_fini(&c.ws[k].json);
    free(c.ws);
    sp_evtx_close(f);
}

/* ------------------------------------------------------- JSON lines */
/*
 * JSON lines are read in batches (up to JB_LINES lines or JB_BYTES bytes).
 * Each batch is parsed and matched by one worker, with its own scanner and
 * arena, into its own sink: detections and correlation inputs in the same
 * wire form the EVTX workers use, the counts, and the problems to report.
 * Sinks are merged into the hunt strictly in batch order, so the result and
 * the messages do not depend on the thread count.
 */
#define JB_LINES 4096
#define JB_BYTES (4u << 20)

typedef struct jline { size_t at, len; uint64_t off, lineno; } jline;

typedef struct jbatch {
    char *text;                /* the lines, back to back */
    size_t tlen, tcap;
    jline *l;
    uint32_t n, cap;
    /* sink */
    sp_buf out;                /* wire entries */
    sp_buf msgs;               /* (u64 offset, msg\0)* */
    uint64_t records, parsed, skipped, errors;
    char skip_reason[160];
} jbatch;

typedef struct jworker {
    sp_hunt *h;
    sp_scanner *sc;
    sp_ana_worker *aw;
    uint32_t source;
    sp_arena a;
    jbatch *b;                 /* current batch */
    const sp_jevent *ev;       /* current event */
    uint64_t line;
} jworker;

static void jb_msg(jbatch *b, uint64_t off, const char *m)
{
    sp_buf_put(&b->msgs, &off, sizeof off);
    sp_buf_put(&b->msgs, m, strlen(m) + 1);
}

static void json_text(const sp_jevent *ev, const char *name, const char **s, size_t *n)
{
    sp_value v;
    *s = "";
    *n = 0;
    if (sp_jevent_field(ev, name, strlen(name), &v, 1) && !v.is_null) { *s = v.str; *n = v.len; }
}

/* one wire entry for the current event */
static void json_wire(jworker *w, uint32_t kind, uint32_t rule, int64_t t, const char *payload, size_t plen, uint32_t n,
                      const sp_ioc *ioc, uint32_t ioclen)
{
    const sp_jevent *ev = w->ev;
    wire e;
    memset(&e, 0, sizeof e);
    e.kind = kind;
    e.rule = rule;
    e.time_ms = t;
    e.ioc = ioc;
    e.ioclen = ioclen;
    e.record = w->line;
    sp_value v;
    if (sp_jevent_field(ev, "EventRecordID", 13, &v, 1) && v.is_int && v.i >= 0) e.record = (uint64_t)v.i;
    if (kind != 2) {
        if (sp_jevent_field(ev, "EventID", 7, &v, 1)) {
            int64_t x;
            if (v.is_int) { e.event_id = (uint32_t)v.i; e.has_eid = 1; }
            else if (sp_json_int(v.str, v.len, &x)) { e.event_id = (uint32_t)x; e.has_eid = 1; }
        }
    } else {
        e.event_id = n;
    }
    const char *ch, *host;
    size_t chn, hostn;
    json_text(ev, "Channel", &ch, &chn);
    json_text(ev, "Computer", &host, &hostn);
    if (!hostn) json_text(ev, "host.name", &host, &hostn);
    e.chlen = (uint32_t)chn;
    e.hostlen = (uint32_t)hostn;
    e.evlen = (uint32_t)plen;
    e.total = (uint32_t)(sizeof e + e.chlen + e.hostlen + e.evlen);
    sp_buf_put(&w->b->out, &e, sizeof e);
    sp_buf_put(&w->b->out, ch, chn);
    sp_buf_put(&w->b->out, host, hostn);
    sp_buf_put(&w->b->out, payload, plen);
}

static int on_json_detect(void *user, const sp_detection *dt)
{
    jworker *w = user;
    if (!w->h->keep[dt->rule_index]) return 0;
    json_wire(w, 1, (uint32_t)dt->rule_index, dt->time_ms, w->ev->line, w->ev->line_len, 0, NULL, 0);
    return 0;
}

static int on_json_corr(void *user, size_t rule, int64_t t, const char *const *f, const char *const *v, size_t n)
{
    jworker *w = user;
    sp_buf kv;
    sp_buf_init(&kv);
    for (size_t i = 0; i < n; i++) {
        sp_buf_put(&kv, f[i], strlen(f[i]) + 1);
        sp_buf_put(&kv, v[i], strlen(v[i]) + 1);
    }
    json_wire(w, 2, (uint32_t)rule, t, kv.p ? kv.p : "", kv.len, (uint32_t)n, NULL, 0);
    sp_buf_fini(&kv);
    return 0;
}

static int on_json_ioc(void *user, const char *field, size_t flen, const char *value, size_t vlen, const sp_ioc_hit *hit)
{
    jworker *w = user;
    sp_buf p;
    sp_buf_init(&p);
    sp_buf_put(&p, field, flen);
    sp_buf_putc(&p, 0);
    sp_buf_put(&p, value, vlen);
    sp_buf_putc(&p, 0);
    uint32_t pre = (uint32_t)p.len;
    sp_buf_put(&p, w->ev->line, w->ev->line_len);
    json_wire(w, 3, UINT32_MAX, w->ev->time_ms, p.p ? p.p : "", p.len, 0, hit->ioc, pre);
    sp_buf_fini(&p);
    return 0;
}

/* Parse and match one JSON event text; `what` names it in messages. */
static void json_one(jworker *w, const char *text, size_t len, uint64_t off, uint64_t lineno, const char *what)
{
    jbatch *b = w->b;
    b->records++;
    if (len > SP_MAX_LINE) {
        b->errors++;
        char m[128];
        snprintf(m, sizeof m, "%s %llu: longer than %u bytes", what, (unsigned long long)lineno, (unsigned)SP_MAX_LINE);
        jb_msg(b, off, m);
        return;
    }
    sp_arena_reset(&w->a);
    sp_jevent ev;
    char err[200];
    if (sp_jevent_parse(&ev, text, len, &w->a, err, sizeof err)) {
        b->errors++;
        char m[300];
        snprintf(m, sizeof m, "%s %llu: %s", what, (unsigned long long)lineno, err);
        jb_msg(b, off, m);
        return;
    }
    if (!ev.doc.top_is_object) {
        b->skipped++;
        if (!b->skip_reason[0])
            snprintf(b->skip_reason, sizeof b->skip_reason, "%s %llu: not a JSON object", what, (unsigned long long)lineno);
        return;
    }
    b->parsed++;
    sp_event e;
    sp_event_from_json(&e, &ev);
    w->ev = &ev;
    w->line = lineno;
    sp_scanner_set_corr_sink(w->sc, on_json_corr, w);
    sp_scanner_match_event(w->sc, &e, on_json_detect, w);
    if (w->h->o.intel) sp_intel_match_event(w->h->o.intel, &e, on_json_ioc, w);
    sp_value rv;
    uint64_t rec = lineno;
    if (sp_jevent_field(&ev, "EventRecordID", 13, &rv, 1) && rv.is_int && rv.i >= 0) rec = (uint64_t)rv.i;
    sp_ana_observe(w->aw, &e, w->source, rec);
}

static void jb_run(jworker *w, jbatch *b)
{
    w->b = b;
    for (uint32_t i = 0; i < b->n; i++) {
        const jline *l = &b->l[i];
        json_one(w, b->text + l->at, l->len, l->off, l->lineno, "line");
    }
}

static void jb_reset(jbatch *b)
{
    b->tlen = 0;
    b->n = 0;
    sp_buf_reset(&b->out);
    sp_buf_reset(&b->msgs);
    b->records = b->parsed = b->skipped = b->errors = 0;
    b->skip_reason[0] = 0;
}

static void jb_free(jbatch *b)
{
    free(b->text);
    free(b->l);
    sp_buf_fini(&b->out);
    sp_buf_fini(&b->msgs);
}

static int jb_add(jbatch *b, const char *s, size_t len, uint64_t off, uint64_t lineno)
{
    if (b->tlen + len > b->tcap) {
        size_t nc = b->tcap ? b->tcap : 65536;
        while (nc < b->tlen + len) nc *= 2;
        char *nt = realloc(b->text, nc);
        if (!nt) return -1;
        b->text = nt;
        b->tcap = nc;
    }
    if (b->n == b->cap) {
        uint32_t nc = b->cap ? b->cap * 2 : 256;
        jline *nl = realloc(b->l, nc * sizeof *nl);
        if (!nl) return -1;
        b->l = nl;
        b->cap = nc;
    }
    memcpy(b->text + b->tlen, s, len);
    b->l[b->n++] = (jline){b->tlen, len, off, lineno};
    b->tlen += len;
    return 0;
}

/* fold a finished batch into the hunt (in batch order) */
static void jb_merge(sp_hunt *h, input *in, jbatch *b)
{
    in->st.records += b->records;
    in->st.parsed += b->parsed;
    in->st.skipped += b->skipped;
    in->st.errors += b->errors;
    if (!in->skip_reason[0] && b->skip_reason[0]) snprintf(in->skip_reason, sizeof in->skip_reason, "%s", b->skip_reason);
    const char *p = b->msgs.p, *e = p ? p + b->msgs.len : NULL;
    while (p && p + 8 <= e) {
        uint64_t off;
        memcpy(&off, p, 8);
        const char *m = p + 8;
        hunt_note(h, in, off, m);
        p = m + strlen(m) + 1;
    }
    merge_wire(h, in, (uint32_t)(in - h->in), &b->out);
}

typedef struct jpool_arg { jworker *w; jbatch **bs; uint32_t nb, *next; pthread_mutex_t *mu; } jpool_arg;

static void *jpool_main(void *arg)
{
    jpool_arg *a = arg;
    for (;;) {
        pthread_mutex_lock(a->mu);
        uint32_t i = (*a->next)++;
        pthread_mutex_unlock(a->mu);
        if (i >= a->nb) break;
        jb_run(a->w, a->bs[i]);
    }
    return NULL;
}

/* A whole-file JSON document: one object, or an array of objects (each an
 * event).  Elements are found by a bracket- and string-aware scan. */
static void json_document(jworker *w, const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n')) i++;
    if (i < n && s[i] == '{') { json_one(w, s + i, n - i, i, 1, "document"); return; }
    if (i >= n || s[i] != '[') return;
    i++;
    uint64_t elem = 0;
    while (i < n) {
        while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n' || s[i] == ',')) i++;
        if (i >= n || s[i] == ']') break;
        size_t st = i;
        int depth = 0, instr = 0;
        for (; i < n; i++) {
            char c = s[i];
            if (instr) { if (c == '\\') i++; else if (c == '"') instr = 0; continue; }
            if (c == '"') instr = 1;
            else if (c == '{' || c == '[') depth++;
            else if (c == '}' || c == ']') { if (depth == 0) break; depth--; if (depth == 0) { i++; break; } }
            else if (c == ',' && depth == 0) break;
        }
        if (i == st) i++;          /* a stray '}' at the top: step over it (reported) */
        json_one(w, s + st, i - st, st, ++elem, "element");
        if (w->h->nomem) return;
    }
}

/* the rest of a stream after `head` (already read), as one document */
static void jsonl_as_document(sp_hunt *h, input *in, jworker *w, const char *head, size_t hl, FILE *fp)
{
    char *doc = NULL;
    size_t dl = 0;
    FILE *mf = open_memstream(&doc, &dl);
    int big = 0;
    if (mf) {
        fwrite(head, 1, hl, mf);
        char buf[65536];
        size_t r;
        while ((r = fread(buf, 1, sizeof buf, fp)) > 0) {
            if (dl + hl + r > SP_MAX_LINE) { big = 1; break; }
            fwrite(buf, 1, r, mf);
            fflush(mf);
        }
        fclose(mf);
    }
    in->st.format = "json";
    if (!doc) { h->nomem = 1; return; }
    if (big) {
        in->st.errors++;
        hunt_note(h, in, 0, "JSON document larger than the limit (use JSON lines)");
    } else {
        jbatch b;
        memset(&b, 0, sizeof b);
        w->b = &b;
        json_document(w, doc, dl);
        jb_merge(h, in, &b);
        jb_free(&b);
    }
    free(doc);
}

void hunt_jsonl(sp_hunt *h, input *in, FILE *fp)
{
    unsigned nw = h->nthreads;
    jworker *w = calloc(nw, sizeof *w);
    jbatch *bs = calloc(nw * 2, sizeof *bs);
    jbatch **bp = calloc(nw * 2, sizeof *bp);
    pthread_t *th = calloc(nw, sizeof *th);
    char *line = NULL;
    size_t cap = 0;
    if (!w || !bs || !bp || !th) { h->nomem = 1; goto out; }
    for (unsigned k = 0; k < nw; k++) {
        w[k].h = h;
        w[k].sc = h->sc[k];
        w[k].aw = h->aw[k];
        w[k].source = (uint32_t)(in - h->in);
        sp_arena_init(&w[k].a, 64 * 1024);
    }
    ssize_t n;
    uint64_t off = 0, lineno = 0;
    int first = 1, eof = 0;
    pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
    while (!eof && !h->nomem) {
        /* fill up to 2 batches per worker */
        uint32_t nb = 0;
        for (; nb < nw * 2 && !eof; nb++) {
            jbatch *b = &bs[nb];
            jb_reset(b);
            while (b->n < JB_LINES && b->tlen < JB_BYTES) {
                n = getline(&line, &cap, fp);
                if (n <= 0) { eof = 1; break; }
                lineno++;
                uint64_t this_off = off;
                off += (uint64_t)n;
                size_t len = (size_t)n;
                while (len && (line[len - 1] == '\n' || line[len - 1] == '\r')) len--;
                size_t k = 0;
                while (k < len && (line[k] == ' ' || line[k] == '\t')) k++;
                if (k == len) {
                    b->records++;
                    b->skipped++;
                    if (!b->skip_reason[0]) snprintf(b->skip_reason, sizeof b->skip_reason, "blank line");
                    continue;
                }
                if (first) {
                    first = 0;
                    /* not one object per line: a pretty-printed document or an array */
                    char err[64];
                    sp_jevent probe;
                    sp_arena_reset(&w[0].a);
                    if (line[k] == '[' || sp_jevent_parse(&probe, line + k, len - k, &w[0].a, err, sizeof err)) {
                        jb_merge(h, in, b);
                        jsonl_as_document(h, in, &w[0], line, (size_t)n, fp);
                        goto out;
                    }
                }
                if (jb_add(b, line + k, len - k, this_off, lineno)) { h->nomem = 1; eof = 1; break; }
            }
            if (!b->n && !b->records) break;
        }
        if (!nb) break;
        if (nw == 1 || nb == 1) {
            for (uint32_t i = 0; i < nb; i++) jb_run(&w[0], &bs[i]);
        } else {
            uint32_t next = 0;
            jpool_arg args[SP_MAX_THREADS];
            unsigned char made[SP_MAX_THREADS] = {0};
            for (uint32_t i = 0; i < nb; i++) bp[i] = &bs[i];
            for (unsigned k = 0; k < nw; k++) args[k] = (jpool_arg){&w[k], bp, nb, &next, &mu};
            for (unsigned k = 1; k < nw; k++) made[k] = !pthread_create(&th[k], NULL, jpool_main, &args[k]);
            jpool_main(&args[0]);       /* the calling thread works too; a thread not made leaves more to it */
            for (unsigned k = 1; k < nw; k++) if (made[k]) pthread_join(th[k], NULL);
        }
        for (uint32_t i = 0; i < nb; i++) jb_merge(h, in, &bs[i]);
        if (h->o.progress) h->o.progress(h->o.user, in->path, off, 0);
    }
    if (ferror(fp)) hunt_note(h, in, off, strerror(errno));
out:
    free(line);
    if (w) for (unsigned k = 0; k < nw; k++) sp_arena_fini(&w[k].a);
    if (bs) for (unsigned i = 0; i < nw * 2; i++) jb_free(&bs[i]);
    free(w);
    free(bs);
    free(bp);
    free(th);
}

/* ------------------------------------------------------- line logs */
/*
 * Web server, Zeek and Linux logs (src/logs).  A file's lines are parsed in
 * order on the calling thread (headers and the syslog year depend on earlier
 * lines) and matched with the first worker's scanner; their events carry a
 * Sigma logsource (category webserver, product zeek/linux ...).
 */
typedef struct logctx {
    sp_hunt *h;
    input *in;
    const sp_logevent *ev;
    sp_buf json;               /* the event as JSON, rendered on the first hit */
    sp_buf out;                /* wire entries of the current line */
    uint64_t line;
} logctx;

static void log_wire(logctx *c, uint32_t kind, uint32_t rule, const char *pre, size_t prelen, const sp_ioc *ioc)
{
    const sp_logevent *ev = c->ev;
    if (!c->json.len) sp_logevent_json(ev, &c->json);
    wire e;
    memset(&e, 0, sizeof e);
    e.kind = kind;
    e.rule = rule;
    e.time_ms = ev->time_ms;
    e.record = c->line;
    e.ioc = ioc;
    e.ioclen = (uint32_t)prelen;
    const char *host = "";
    size_t hostn = 0;
    sp_value v;
    const char *fmtname = sp_logfmt_name(ev->fmt);
    if (!strncmp(fmtname, "zeek", 4)) {
        /* the monitored side: the originator when it is an internal address
         * (Zeek's `host` is the HTTP Host header, attacker-controlled) */
        sp_value r;
        int o = sp_logevent_field(ev, "id.orig_h", 9, &v, 1) && !v.is_null;
        int rr = sp_logevent_field(ev, "id.resp_h", 9, &r, 1) && !r.is_null;
        if (o && (sp_ip_special(v.str, v.len) || !rr)) { host = v.str; hostn = v.len; }
        else if (rr) { host = r.str; hostn = r.len; }
    } else if (sp_logevent_field(ev, "host", 4, &v, 1) && !v.is_null) { host = v.str; hostn = v.len; }
    else if (sp_logevent_field(ev, "s-ip", 4, &v, 1) && !v.is_null) { host = v.str; hostn = v.len; }
    else if (sp_logevent_field(ev, "cs-host", 7, &v, 1) && !v.is_null) { host = v.str; hostn = v.len; }
    const char *ch = sp_logfmt_name(ev->fmt);
    e.chlen = (uint32_t)strlen(ch);
    e.hostlen = (uint32_t)hostn;
    e.evlen = (uint32_t)(prelen + c->json.len);
    e.total = (uint32_t)(sizeof e + e.chlen + e.hostlen + e.evlen);
    sp_buf_put(&c->out, &e, sizeof e);
    sp_buf_put(&c->out, ch, e.chlen);
    sp_buf_put(&c->out, host, hostn);
    sp_buf_put(&c->out, pre, prelen);
    sp_buf_put(&c->out, c->json.p, c->json.len);
}

static int on_log_detect(void *user, const sp_detection *d)
{
    logctx *c = user;
    if (!c->h->keep[d->rule_index]) return 0;
    log_wire(c, 1, (uint32_t)d->rule_index, NULL, 0, NULL);
    return 0;
}

static int on_log_ioc(void *user, const char *field, size_t flen, const char *value, size_t vlen, const sp_ioc_hit *hit)
{
    logctx *c = user;
    sp_buf p;
    sp_buf_init(&p);
    sp_buf_put(&p, field, flen);
    sp_buf_putc(&p, 0);
    sp_buf_put(&p, value, vlen);
    sp_buf_putc(&p, 0);
    log_wire(c, 3, UINT32_MAX, p.p ? p.p : "", p.len, hit->ioc);
    sp_buf_fini(&p);
    return 0;
}

void hunt_logfile(sp_hunt *h, input *in, FILE *fp, int fmt)
{
    sp_logstate *st = sp_logstate_new((sp_logfmt)fmt, in->path);
    sp_arena a;
    sp_arena_init(&a, 64 * 1024);
    logctx c;
    memset(&c, 0, sizeof c);
    c.h = h;
    c.in = in;
    sp_buf_init(&c.json);
    sp_buf_init(&c.out);
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    uint64_t off = 0;
    if (!st) { h->nomem = 1; goto out; }
    in->st.format = sp_logfmt_name((sp_logfmt)fmt);
    while ((n = getline(&line, &cap, fp)) > 0) {
        c.line++;
        uint64_t this_off = off;
        off += (uint64_t)n;
        size_t len = (size_t)n;
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r')) len--;
        in->st.records++;
        sp_arena_reset(&a);
        sp_logevent ev;
        char err[200];
        int r = sp_log_parse(st, line, len, &a, &ev, err, sizeof err);
        if (r < 0) {
            in->st.errors++;
            char m[300];
            snprintf(m, sizeof m, "line %llu: %s", (unsigned long long)c.line, err);
            hunt_note(h, in, this_off, m);
            continue;
        }
        if (r == 0) {
            in->st.skipped++;
            if (!in->skip_reason[0]) snprintf(in->skip_reason, sizeof in->skip_reason, "header, comment or blank lines");
            continue;
        }
        in->st.parsed++;
        sp_event e;
        sp_event_from_log(&e, &ev);
        c.ev = &ev;
        sp_buf_reset(&c.json);
        sp_buf_reset(&c.out);
        sp_scanner_set_corr_sink(h->sc[0], NULL, NULL);
        sp_scanner_match_event(h->sc[0], &e, on_log_detect, &c);
        if (h->o.intel) sp_intel_match_event(h->o.intel, &e, on_log_ioc, &c);
        sp_ana_observe(h->aw[0], &e, (uint32_t)(in - h->in), c.line);
        if (c.out.len && merge_wire(h, in, (uint32_t)(in - h->in), &c.out)) break;
        if (h->o.progress && !(c.line & 65535)) h->o.progress(h->o.user, in->path, off, 0);
    }
    if (ferror(fp)) hunt_note(h, in, off, strerror(errno));
out:
    free(line);
    sp_buf_fini(&c.json);
    sp_buf_fini(&c.out);
    sp_arena_fini(&a);
    sp_logstate_free(st);
}

/* ------------------------------------------------------------ inputs */

int hunt_logfmt(const unsigned char *b, size_t n)
{
    size_t i = 0;
    while (i < n && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n')) i++;
    if (i < n && b[i] == '{') return SP_LOG_ZEEK_JSON;
    return sp_log_detect((const char *)b, n);
}

const char *hunt_sniff(const unsigned char *b, size_t n)
{
    if (n >= 8 && (!memcmp(b, "ElfFile\0", 8))) return "evtx";
    if (n >= 4104 && !memcmp(b + 4096, "ElfChnk\0", 8)) return "evtx";
    if (n >= 2 && b[0] == 0x1f && b[1] == 0x8b) return "gzip";
    if (n >= 4 && b[0] == 0x28 && b[1] == 0xb5 && b[2] == 0x2f && b[3] == 0xfd) return "zstd";
    if (n >= 4 && !memcmp(b, "PK\3\4", 4)) return "zip";
    size_t i = 0;
    if (n >= 3 && b[0] == 0xef && b[1] == 0xbb && b[2] == 0xbf) i = 3;   /* UTF-8 BOM */
    while (i < n && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n')) i++;
    if (i < n && (b[i] == '{' || b[i] == '[')) {
        /* Zeek writes JSON lines too: they go to the line-log reader */
        const unsigned char *nl = memchr(b + i, '\n', n - i);
        if (sp_log_is_zeek_json((const char *)b + i, nl ? (size_t)(nl - b - i) : n - i)) return "log";
        return "jsonl";
    }
    if (sp_log_detect((const char *)b, n) != SP_LOG_NONE) return "log";
    return "unknown";
}

static void hunt_file(sp_hunt *h, const char *path)
{
    unsigned char head[4200];
    size_t got = 0;
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        input *in = hunt_new_input(h, path, "unreadable");
        if (in) { in->st.errors++; hunt_note(h, in, UINT64_MAX, strerror(errno)); }
        return;
    }
    got = fread(head, 1, sizeof head, fp);
    const char *fmt = hunt_sniff(head, got);
    if (!strcmp(fmt, "gzip") || !strcmp(fmt, "zstd") || !strcmp(fmt, "zip")) {
        fclose(fp);
        hunt_container(h, path, NULL, 0);
        if (h->o.progress) h->o.progress(h->o.user, path, 1, 1);
        return;
    }
    input *in = hunt_new_input(h, path, fmt);
    if (!in) { fclose(fp); return; }
    if (!strcmp(fmt, "evtx")) {
        fclose(fp);
        hunt_evtx_path(h, in, path);
    } else if (!strcmp(fmt, "jsonl")) {
        rewind(fp);
        hunt_jsonl(h, in, fp);
        fclose(fp);
    } else if (!strcmp(fmt, "log")) {
        int lf = hunt_logfmt(head, got);
        rewind(fp);
        hunt_logfile(h, in, fp, lf);
        fclose(fp);
    } else {
        fclose(fp);
        in->st.skipped++;
        snprintf(in->skip_reason, sizeof in->skip_reason, "%s", "not a recognised evidence format (EVTX, JSON lines, web/Zeek/Linux logs, or .gz/.zst/.zip of them)");
        if (h->o.warn) h->o.warn(h->o.user, path, UINT64_MAX, in->skip_reason);
    }
    if (h->o.progress) h->o.progress(h->o.user, path, 1, 1);
}

static void hunt_dir(sp_hunt *h, const char *path, int depth)
{
    if (depth > SP_MAX_DIR_DEPTH) {
        if (h->o.warn) h->o.warn(h->o.user, path, UINT64_MAX, "folder nested too deep: skipped");
        return;
    }
    char **names;
    size_t n;
    if (sp_dir_list(path, 0, &names, &n)) {
        if (errno == ENOMEM) { h->nomem = 1; return; }
        input *in = hunt_new_input(h, path, "unreadable");
        if (in) { in->st.errors++; hunt_note(h, in, UINT64_MAX, strerror(errno)); }
        return;
    }
    for (size_t i = 0; i < n && !h->nomem; i++) {
        struct stat sb;
        if (lstat(names[i], &sb) == 0) {
            if (S_ISDIR(sb.st_mode)) hunt_dir(h, names[i], depth + 1);
            else if (S_ISREG(sb.st_mode)) hunt_file(h, names[i]);
            /* symbolic links and special files are not followed */
        }
    }
    sp_dir_list_free(names, n);
}

sp_status sp_hunt_add_path(sp_hunt *h, const char *path, sp_error *err)
{
    struct stat sb;
    if (stat(path, &sb)) {
        input *in = hunt_new_input(h, path, "unreadable");
        if (in) { in->st.errors++; hunt_note(h, in, UINT64_MAX, strerror(errno)); }
    } else if (S_ISDIR(sb.st_mode)) {
        hunt_dir(h, path, 0);
    } else {
        hunt_file(h, path);
    }
    if (h->nomem) {
        if (err) { memset(err, 0, sizeof *err); err->offset = UINT64_MAX; snprintf(err->msg, sizeof err->msg, "out of memory"); }
        return SP_ERR_NOMEM;
    }
    return SP_OK;
}

sp_status sp_hunt_add_buffer(sp_hunt *h, const char *name, const void *data, size_t len, sp_error *err)
{
    const char *fmt = hunt_sniff(data, len);
    if (!strcmp(fmt, "gzip") || !strcmp(fmt, "zstd") || !strcmp(fmt, "zip")) {
        hunt_container(h, name, data, len);
    } else {
        input *in = hunt_new_input(h, name, fmt);
        if (in) {
            if (!strcmp(fmt, "evtx")) {
                hunt_evtx_mem(h, in, data, len);
            } else if (!strcmp(fmt, "jsonl") || !strcmp(fmt, "log")) {
                FILE *fp = len ? fmemopen((void *)data, len, "r") : NULL;
                if (fp) {
                    if (fmt[0] == 'j') hunt_jsonl(h, in, fp);
                    else hunt_logfile(h, in, fp, hunt_logfmt(data, len < 4200 ? len : 4200));
                    fclose(fp);
                }
            } else {
                in->st.skipped++;
                snprintf(in->skip_reason, sizeof in->skip_reason, "%s", "not a recognised evidence format (EVTX, JSON lines, web/Zeek/Linux logs, or .gz/.zst/.zip of them)");
                hunt_note(h, in, UINT64_MAX, in->skip_reason);
            }
        }
    }
    if (h->nomem) {
        if (err) { memset(err, 0, sizeof *err); err->offset = UINT64_MAX; snprintf(err->msg, sizeof err->msg, "out of memory"); }
        return SP_ERR_NOMEM;
    }
    return SP_OK;
}

/* ------------------------------------------------------------ results */

static int cmp_det(const void *a, const void *b)
{
    const sp_hunt_det *x = a, *y = b;
    /* unknown times last */
    if (x->time_ms != y->time_ms) return x->time_ms == INT64_MIN ? 1 : y->time_ms == INT64_MIN ? -1 : x->time_ms < y->time_ms ? -1 : 1;
    if (x->source != y->source) return x->source < y->source ? -1 : 1;
    if (x->record != y->record) return x->record < y->record ? -1 : 1;
    /* one event: Sigma rules in rule order (not in the order the matcher
     * happened to try them), then indicators, then correlations */
    int cx = x->is_corr ? 2 : x->ioc ? 1 : 0, cy = y->is_corr ? 2 : y->ioc ? 1 : 0;
    if (cx != cy) return cx < cy ? -1 : 1;
    if (!cx && x->rule != y->rule) return x->rule < y->rule ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int cmp_cin(const void *a, const void *b)
{
    const hunt_cin *x = a, *y = b;
    if (x->t != y->t) return x->t < y->t ? -1 : 1;
    if (x->source != y->source) return x->source < y->source ? -1 : 1;
    if (x->record != y->record) return x->record < y->record ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

typedef struct corr_ctx { sp_hunt *h; const hunt_cin *cur; } corr_ctx;

static int on_corr_detect(void *user, const sp_detection *d)
{
    corr_ctx *c = user;
    sp_hunt *h = c->h;
    if (!h->keep[d->rule_index]) return 0;
    sp_hunt_det *x = new_det(h);
    if (!x) return 1;
    const hunt_cin *ci = c->cur;
    x->time_ms = d->time_ms;
    x->first_ms = d->first_ms;
    x->count = d->count;
    x->value = d->value;
    x->rule = (uint32_t)d->rule_index;
    x->is_corr = d->rule && d->rule->kind == SP_RULE_CORRELATION;
    x->source = ci ? ci->source : 0;
    x->record = ci ? ci->record : 0;
    x->channel = ci && ci->channel ? ci->channel : "";
    x->host = ci && ci->host ? ci->host : "";
    sp_buf g;
    sp_buf_init(&g);
    for (size_t i = 0; i < d->ngroup; i++) {
        if (i) sp_buf_puts(&g, ", ");
        sp_buf_put(&g, d->group_fields[i], strlen(d->group_fields[i]));
        sp_buf_putc(&g, '=');
        sp_buf_put(&g, d->group_values[i], strlen(d->group_values[i]));
    }
    x->group = store_str(h, g.p ? g.p : "", g.len);
    sp_buf_fini(&g);
    if (ci && ci->source < h->nin) h->in[ci->source].st.detections++;
    return h->nomem;
}

/* Correlations over every input: the recorded matches in time order
 * through one scanner. */
static void run_correlations(sp_hunt *h)
{
    if (!h->ncin) return;
    qsort(h->cin, h->ncin, sizeof *h->cin, cmp_cin);
    sp_scanner *sc;
    if (sp_scanner_new(h->rs, &sc) != SP_OK) { h->nomem = 1; return; }
    corr_ctx c = {h, NULL};
    const char *f[32], *v[32];
    for (size_t i = 0; i < h->ncin && !h->nomem; i++) {
        const hunt_cin *ci = &h->cin[i];
        size_t n = 0;
        const char *p = ci->kv;
        for (uint32_t k = 0; k < ci->nkv && k < 32 && p; k++) {
            f[n] = p; p += strlen(p) + 1;
            v[n] = p; p += strlen(p) + 1;
            n++;
        }
        c.cur = ci;
        sp_scanner_corr_feed(sc, ci->rule, ci->t, f, v, n, on_corr_detect, &c);
    }
    c.cur = h->ncin ? &h->cin[h->ncin - 1] : NULL;
    sp_scanner_flush(sc, on_corr_detect, &c);
    sp_scanner_free(sc);
}

sp_status sp_hunt_finish(sp_hunt *h, sp_error *err)
{
    if (!h->finished) {
        run_correlations(h);
        if (h->ndet) qsort(h->det, h->ndet, sizeof *h->det, cmp_det);
        for (unsigned k = 0; k < h->nthreads; k++) sp_ana_merge(h->ana, h->aw[k]);
        sp_ana_merge(h->ana, h->aw_merge);
        const struct sp_kb *kb = h->o.kb;
        if (!kb && h->o.profiles && sp_ana_web_count(h->ana)) kb = h->o.profiles(h->o.user);
        sp_ana_finish(h->ana, h->o.geo, h->o.intel, kb);
    }
    h->finished = 1;
    if (h->nomem) {
        if (err) { memset(err, 0, sizeof *err); err->offset = UINT64_MAX; snprintf(err->msg, sizeof err->msg, "out of memory"); }
        return SP_ERR_NOMEM;
    }
    return SP_OK;
}

size_t sp_hunt_input_count(const sp_hunt *h) { return h->nin; }
const sp_input_stats *sp_hunt_input(const sp_hunt *h, size_t i)
{
    if (i >= h->nin) return NULL;
    /* the array moves as it grows: point the strings at their current home */
    input *in = (input *)&h->in[i];
    in->st.path = in->path;
    in->st.skip_reason = in->skip_reason;
    in->st.error = in->error;
    return &in->st;
}
size_t sp_hunt_hit_count(const sp_hunt *h) { return h->ndet; }

void sp_hunt_hit(const sp_hunt *h, size_t i, sp_hit *out)
{
    memset(out, 0, sizeof *out);
    if (i >= h->ndet) return;
    const sp_hunt_det *d = &h->det[i];
    out->rule = d->rinfo ? d->rinfo : sp_ruleset_rule(h->rs, d->rule);
    out->ioc = d->ioc;
    out->ioc_field = d->ioc_field ? d->ioc_field : "";
    out->ioc_observed = d->ioc_observed ? d->ioc_observed : "";
    out->time_ms = d->time_ms;
    out->source = d->source < h->nin ? h->in[d->source].path : "";
    out->record = d->record;
    out->event_id = d->event_id;
    out->has_event_id = d->has_event_id;
    out->channel = d->channel ? d->channel : "";
    out->host = d->host ? d->host : "";
    out->event = d->event ? d->event : "";
    out->event_len = d->event_len;
    out->recovered = d->recovered;
    out->is_correlation = d->is_corr;
    out->first_ms = d->first_ms;
    out->count = d->count;
    out->value = d->value;
    out->group = d->group ? d->group : "";
}

size_t sp_hunt_logon_count(const sp_hunt *h) { return sp_ana_logon_count(h->ana); }
const sp_logon_row *sp_hunt_logon(const sp_hunt *h, size_t i) { return sp_ana_logon(h->ana, i); }
size_t sp_hunt_change_count(const sp_hunt *h) { return sp_ana_change_count(h->ana); }
const sp_account_change *sp_hunt_change(const sp_hunt *h, size_t i) { return sp_ana_change(h->ana, i); }
void sp_hunt_hours(const sp_hunt *h, sp_hours *out) { sp_ana_hours(h->ana, out); }
size_t sp_hunt_ip_count(const sp_hunt *h) { return sp_ana_ip_count(h->ana); }
const sp_ip_row *sp_hunt_ip(const sp_hunt *h, size_t i) { return sp_ana_ip(h->ana, i); }
const sp_geo *hunt_geo(const sp_hunt *h) { return h->o.geo; }
size_t sp_hunt_webshell_count(const sp_hunt *h) { return sp_ana_webshell_count(h->ana); }
const sp_webshell *sp_hunt_webshell(const sp_hunt *h, size_t i) { return sp_ana_webshell(h->ana, i); }
size_t sp_hunt_c2_count(const sp_hunt *h) { return sp_ana_c2_count(h->ana); }
const sp_c2_row *sp_hunt_c2(const sp_hunt *h, size_t i) { return sp_ana_c2(h->ana, i); }
