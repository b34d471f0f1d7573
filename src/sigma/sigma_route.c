/*
 * sigma_route.c — per-route literal prefilters.
 *
 * A *route* is what routing picks for an event: the (at most four) candidate
 * lists of its Channel bucket and EventID (sigma_index.c); events whose
 * lists are the same share it.  The rules
 * on those lists read certain fields and look for certain literals in each
 * (a value's literal is looked for in the field its item names, after the
 * routing variant's renames; keyword searches in every field).  A route
 * holds one small prefilter per such field, so an event's text is scanned
 * only where some candidate reads it, and only for that field's literals:
 * a Security logon is no longer searched for every process-creation
 * command-line fragment.  A literal found is marked in the field it was
 * found in (sp_scanner.lit_mask); a value is only ever tested in its own
 * item's field, so looking for it nowhere else loses nothing.  Fields of
 * items whose values are all non-ASCII are looked at too, literal or not:
 * a rule that needs such a value is skipped when none of them has a byte
 * >= 0x80 (sp_scanner.any_hi).
 *
 * A route is built by the first scanner whose event needs it and kept in the
 * ruleset for all its scanners (sg_route_get: built outside the table's
 * mutex; with two threads on big64.evtx, 97 routes built once instead of
 * 176 — 8 ms of CPU saved); past SP_SIGMA_MAX_ROUTES, or for events with several EventID
 * values, the ruleset's prefilter of every literal over every field read
 * by some rule is used instead (sigma_index.c, sg_scan_literals).
 */
#include <stdlib.h>
#include <string.h>

#include "sigma/sigma.h"

/* (field name hash, literal id) pairs, packed nh << 32 | lit so that one
 * integer sort groups them by field with the literals ascending */
typedef struct pairs { uint64_t *p; uint32_t n, cap; int failed; } pairs;

static void push(pairs *P, uint32_t nh, uint32_t lit)
{
    if (P->failed) return;
    if (P->n == P->cap) {
        uint32_t nc = P->cap ? P->cap * 2 : 256;
        uint64_t *np = realloc(P->p, nc * sizeof *np);
        if (!np) { P->failed = 1; return; }
        P->p = np;
        P->cap = nc;
    }
    P->p[P->n++] = (uint64_t)nh << 32 | lit;
}

static inline uint32_t pair_nh(uint64_t x) { return (uint32_t)(x >> 32); }
static inline uint32_t pair_lit(uint64_t x) { return (uint32_t)x; }

/* LSD radix sort, a byte per pass, passes where every key has the same
 * byte skipped (literal ids use two of their four bytes); qsort with a
 * comparator was half of building SigmaHQ's routes */
static int sort_keys(uint64_t *a, uint32_t n)
{
    if (n < 2) return 0;
    uint64_t *tmp = malloc(n * sizeof *tmp);
    if (!tmp) return -1;
    uint64_t *src = a, *dst = tmp;
    for (unsigned shift = 0; shift < 64; shift += 8) {
        uint32_t cnt[256] = {0};
        for (uint32_t i = 0; i < n; i++) cnt[(src[i] >> shift) & 255]++;
        if (cnt[(src[0] >> shift) & 255] == n) continue;
        uint32_t at = 0;
        for (unsigned b = 0; b < 256; b++) { uint32_t c = cnt[b]; cnt[b] = at; at += c; }
        for (uint32_t i = 0; i < n; i++) dst[cnt[(src[i] >> shift) & 255]++] = src[i];
        uint64_t *t = src; src = dst; dst = t;
    }
    if (src != a) memcpy(a, src, n * sizeof *a);
    free(tmp);
    return 0;
}

static uint32_t renamed(const sg_lsvar *var, uint32_t fid)
{
    if (var)
        for (uint32_t i = 0; i < var->nren; i++)
            if (var->ren_from[i] == fid) return var->ren_to[i];
    return fid;
}

static void walk(const sp_ruleset *rs, const sg_node *x, const sg_lsvar *var, pairs *P, int depth)
{
    if (!x || depth > 4 * SP_SIGMA_MAX_COND_DEPTH + 16) return;
    if (x->op == N_ITEM) {
        const sg_item *it = x->item;
        if (!it->vlit && !it->all_hi) return;
        uint32_t nh = it->fid == SG_KEYWORD ? 0 : rs->fnh[renamed(var, it->fid)];
        /* non-ASCII values: the field is looked at (sp_scanner.any_hi) even
         * when they have no literal */
        if (it->all_hi) push(P, nh, UINT32_MAX);
        for (uint32_t i = 0; it->vlit && i < it->nv; i++)
            if (it->vlit[i] != UINT32_MAX) push(P, nh, it->vlit[i]);
        return;
    }
    for (uint32_t i = 0; i < x->n; i++) walk(rs, x->kid[i], var, P, depth + 1);
}

uint32_t sg_route_lists(const sp_ruleset *rs, const sg_chan *c, int has_eid, uint32_t eid, const sg_clist **out)
{
    const sg_chan *lists[2] = {c, &rs->anychan};
    uint32_t n = 0;
    for (int k = 0; k < 2; k++) {
        const sg_chan *C = lists[k];
        if (!C) continue;
        if (has_eid && C->neid) {
            const sg_clist *l = sg_eid_find(C, eid);
            if (l && l->n) out[n++] = l;
        }
        if (C->any_eid.n) out[n++] = &C->any_eid;
    }
    return n;
}

static void route_free(sg_route *r)
{
    if (r->in_image) { memset(r, 0, sizeof *r); return; }
    for (uint32_t i = 0; i < r->nf; i++) sg_pf_free(&r->f[i].pf);
    free(r->f);
    free(r->fidx);
    sg_pf_free(&r->any);
    memset(r, 0, sizeof *r);
}

static int route_build(const sp_ruleset *rs, sg_route *r)
{
    const sg_clist *const *lists = r->lists;
    uint32_t nl = r->nlists;
    pairs P = {NULL, 0, 0, 0};
    for (uint32_t k = 0; k < nl; k++)
        for (uint32_t i = 0; i < lists[k]->n; i++) {
            const sg_rule *R = &rs->rules[lists[k]->c[i].rule];
            const sg_lsvar *var = R->nvars ? R->vars[lists[k]->c[i].var] : NULL;
            walk(rs, R->cond, var, &P, 0);
            for (uint32_t f = 0; f < R->nfilters; f++) walk(rs, R->filters[f], var, &P, 0);
        }
    if (P.failed || sort_keys(P.p, P.n)) { free(P.p); return -1; }
    /* unique pairs, literal ids packed per field */
    uint32_t u = 0, nf = 0;
    for (uint32_t i = 0; i < P.n; i++) {
        if (u && P.p[u - 1] == P.p[i]) continue;
        if (pair_nh(P.p[i]) && (!u || pair_nh(P.p[u - 1]) != pair_nh(P.p[i]))) nf++;
        P.p[u++] = P.p[i];
    }
    uint32_t *ids = malloc((u ? u : 1) * sizeof *ids);
    r->f = sp_calloc_touched(nf ? nf : 1, sizeof *r->f);
    uint32_t cap = 16;
    while (cap < 2 * nf + 16) cap *= 2;
    r->fidx = sp_calloc_touched(cap, sizeof *r->fidx);
    int rc = -1;
    if (!ids || !r->f || !r->fidx) goto out;
    r->fidx_cap = cap;
    for (uint32_t i = 0; i < u;) {
        uint32_t j = i, m = 0;
        while (j < u && pair_nh(P.p[j]) == pair_nh(P.p[i])) {
            if (pair_lit(P.p[j]) != UINT32_MAX) ids[m++] = pair_lit(P.p[j]);   /* not the look-only marker */
            j++;
        }
        if (!pair_nh(P.p[i])) {
            if (sg_pf_build(&r->any, rs, ids, m, 0, 0)) goto out;
            r->has_any = 1;
        } else {
            sg_fpf *f = &r->f[r->nf];
            f->nh = pair_nh(P.p[i]);
            if (sg_pf_build(&f->pf, rs, ids, m, 0, 0)) goto out;
            uint32_t h = f->nh & (cap - 1);
            while (r->fidx[h]) h = (h + 1) & (cap - 1);
            r->fidx[h] = ++r->nf;
        }
        i = j;
    }
    rc = 0;
out:
    free(P.p);
    free(ids);
    if (rc) route_free(r);
    return rc;
}

const sg_fpf *sg_route_field(const sg_route *r, uint32_t nh)
{
    uint32_t h = nh & (r->fidx_cap - 1);
    while (r->fidx[h]) {
        const sg_fpf *f = &r->f[r->fidx[h] - 1];
        if (f->nh == nh) return f;
        h = (h + 1) & (r->fidx_cap - 1);
    }
    return NULL;
}

static uint32_t key_hash(const sg_clist *const *lists, uint32_t nl)
{
    uint64_t k = nl;
    for (uint32_t i = 0; i < nl; i++) {
        k = (k ^ (uint64_t)(uintptr_t)lists[i]) * 0x9E3779B97F4A7C15ull;
        k ^= k >> 29;
    }
    return (uint32_t)(k ^ (k >> 32));
}

/* What a ruleset's scanners fill in lazily and share, under `mu`: the
 * routes (a fixed table: entries never move, so a scanner keeps pointers to
 * them) and which regexes are JIT-compiled (sg_regex_ready). */
struct sg_routes {
    pthread_mutex_t mu;
    sg_route *r;             /* open addressing by key_hash, 2 * SP_SIGMA_MAX_ROUTES */
    uint32_t cap, n;
    uint8_t *jit;            /* [rs->nre] regex JIT-compiled (sg_regex_ready) */
};

int sg_routes_init(sp_ruleset *rs)
{
    struct sg_routes *t = calloc(1, sizeof *t);
    if (!t) return -1;
    if (pthread_mutex_init(&t->mu, NULL)) { free(t); return -1; }
    rs->rt = t;
    return 0;
}

void sg_routes_fini(sp_ruleset *rs)
{
    struct sg_routes *t = rs->rt;
    if (!t) return;
    for (uint32_t i = 0; i < t->cap; i++)
        if (t->r[i].used) route_free(&t->r[i]);
    free(t->r);
    free(t->jit);
    pthread_mutex_destroy(&t->mu);
    free(t);
    rs->rt = NULL;
}

/* the shared table's entry for the lists, claimed (*claimed = 1) when new;
 * NULL when the table is full (caller holds t->mu) */
static sg_route *shared_entry(struct sg_routes *t, const sg_clist *const *lists, uint32_t nl, uint32_t hash,
                              int *claimed)
{
    *claimed = 0;
    if (!t->cap) {
        t->r = sp_calloc_touched(2 * SP_SIGMA_MAX_ROUTES, sizeof *t->r);
        if (!t->r) return NULL;
        t->cap = 2 * SP_SIGMA_MAX_ROUTES;
    }
    uint32_t h = hash & (t->cap - 1);
    while (t->r[h].used) {
        sg_route *r = &t->r[h];
        if (r->nlists == nl && !memcmp(r->lists, lists, nl * sizeof *lists)) return r;
        h = (h + 1) & (t->cap - 1);
    }
    if (t->n >= SP_SIGMA_MAX_ROUTES) return NULL;
    sg_route *r = &t->r[h];
    r->used = 1;
    r->nlists = nl;
    memcpy(r->lists, lists, nl * sizeof *lists);
    t->n++;
    *claimed = 1;
    return r;
}

/* a route for the lists, built into *b (not the table's entry: other
 * scanners probe the table meanwhile); 1 when it failed (its events will
 * fall back) */
static int build_copy(const sp_ruleset *rs, const sg_clist *const *lists, uint32_t nl, sg_route *b)
{
    memset(b, 0, sizeof *b);
    b->nlists = nl;
    memcpy(b->lists, lists, nl * sizeof *lists);
    return route_build(rs, b) != 0;
}

/* the built route into its claimed entry (caller holds the table's lock) */
static void publish(sg_route *r, const sg_route *b, int failed)
{
    r->f = b->f;
    r->nf = b->nf;
    r->fidx = b->fidx;
    r->fidx_cap = b->fidx_cap;
    r->any = b->any;
    r->has_any = b->has_any;
    r->failed = (uint8_t)failed;
    r->ready = 1;
}

/* A route is keyed by its candidate lists, not by (channel, event id):
 * every event id no rule names shares its channel's route.  The scanner
 * that first needs a route builds it outside the lock (the entry is
 * claimed first, so it is built once); a scanner whose event needs a route
 * still being built uses the all-literal prefilter for that event instead
 * of waiting.  Each scanner remembers the routes it has used, so the lock
 * is taken about once per scanner and route. */
const sg_route *sg_route_get(sp_scanner *sc, const sg_clist *const *lists, uint32_t nl)
{
    if (nl > 4 || !sc->rs->rt) return NULL;
    if (!sc->rref_cap) {
        sc->rref = sp_calloc_touched(2 * SP_SIGMA_MAX_ROUTES, sizeof *sc->rref);
        if (!sc->rref) return NULL;
        sc->rref_cap = 2 * SP_SIGMA_MAX_ROUTES;
    }
    uint32_t hash = key_hash(lists, nl), h = hash & (sc->rref_cap - 1);
    while (sc->rref[h].used) {
        struct sg_rref *e = &sc->rref[h];
        if (e->nlists == nl && !memcmp(e->lists, lists, nl * sizeof *lists)) return e->r;
        h = (h + 1) & (sc->rref_cap - 1);
    }
    struct sg_routes *t = sc->rs->rt;
    int claimed;
    pthread_mutex_lock(&t->mu);
    sg_route *r = shared_entry(t, lists, nl, hash, &claimed);
    int ready = r && r->ready;
    pthread_mutex_unlock(&t->mu);
    if (claimed) {   /* build a private copy, then publish it under the lock */
        sg_route b;
        int failed = build_copy(sc->rs, lists, nl, &b);
        pthread_mutex_lock(&t->mu);
        publish(r, &b, failed);
        pthread_mutex_unlock(&t->mu);
        ready = 1;
    }
    if (r && !ready) return NULL;            /* another scanner is building it */
    const sg_route *got = r && !r->failed ? r : NULL;
    /* at most SP_SIGMA_MAX_ROUTES keys here too (a key the full shared
     * table has no room for is remembered as "fall back") */
    if (sc->nrref >= SP_SIGMA_MAX_ROUTES) return got;
    sc->nrref++;
    struct sg_rref *e = &sc->rref[h];
    e->used = 1;
    e->nlists = nl;
    memcpy(e->lists, lists, nl * sizeof *lists);
    e->r = got;
    return got;
}

/* JIT compilation of a regex the first time it is matched.  The flag is
 * read without the lock (acquire) and set under it after compiling
 * (release): no scanner matches a code while another compiles it.
 * pcre2_jit_compile falls back to the interpreter when JIT is unavailable.
 * Lazily, because a hunt matches few of SigmaHQ's ~300 regexes (the
 * prefilter drops the rest) and compiling all of them cost 1.6 ms of
 * every start. */
void sg_regex_ready(const sp_ruleset *rs, uint32_t i)
{
    struct sg_routes *t = rs->rt;
    if (!t || i >= rs->nre) return;
    uint8_t *jit = __atomic_load_n(&t->jit, __ATOMIC_ACQUIRE);
    if (jit && __atomic_load_n(&jit[i], __ATOMIC_ACQUIRE)) return;
    pthread_mutex_lock(&t->mu);
    if (!t->jit) __atomic_store_n(&t->jit, sp_calloc_touched(rs->nre, 1), __ATOMIC_RELEASE);
    if (t->jit && !t->jit[i]) {
        pcre2_jit_compile(rs->regexes[i], PCRE2_JIT_COMPLETE);
        __atomic_store_n(&t->jit[i], 1, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&t->mu);
}

/* Every route key the index can produce: per channel bucket (and for
 * channels no rule names), each event id a list is filed under, and any
 * other id.  SigmaHQ: 354 routes, ~30 ms, built only when an image is
 * written. */
void sg_routes_prebuild(const sp_ruleset *rs)
{
    struct sg_routes *t = rs->rt;
    if (!t) return;
    for (uint32_t ci = 0; ci <= rs->chan_cap; ci++) {
        const sg_chan *c = ci < rs->chan_cap ? &rs->chans[ci] : NULL;
        if (c && !c->name) continue;
        /* event ids of this channel's lists and of the any-channel lists, then "none of those" */
        uint32_t ne = (c ? c->neid : 0) + rs->anychan.neid;
        for (uint32_t k = 0; k <= ne; k++) {
            const sg_clist *lists[4];
            uint32_t nl;
            if (k < ne) {
                uint32_t eid = c && k < c->neid ? c->by_eid[k].eid : rs->anychan.by_eid[k - (c ? c->neid : 0)].eid;
                nl = sg_route_lists(rs, c, 1, eid, lists);
            } else {
                nl = sg_route_lists(rs, c, 0, 0, lists);
            }
            if (!nl) continue;
            int claimed;
            pthread_mutex_lock(&t->mu);
            sg_route *r = shared_entry(t, lists, nl, key_hash(lists, nl), &claimed);
            if (claimed) {
                sg_route b;
                int failed = build_copy(rs, lists, nl, &b);
                publish(r, &b, failed);
            }
            pthread_mutex_unlock(&t->mu);
            if (!r) return;   /* the table is full */
        }
    }
}

uint32_t sg_routes_built(const sp_ruleset *rs, const sg_route **out, uint32_t max)
{
    struct sg_routes *t = rs->rt;
    uint32_t n = 0;
    if (!t) return 0;
    pthread_mutex_lock(&t->mu);
    for (uint32_t i = 0; i < t->cap; i++) {
        const sg_route *r = &t->r[i];
        if (!r->used || !r->ready || r->failed) continue;
        if (n < max) out[n] = r;
        n++;
    }
    pthread_mutex_unlock(&t->mu);
    return n;
}

void sg_routes_adopt(sp_ruleset *rs, const sg_route *img, uint32_t n)
{
    struct sg_routes *t = rs->rt;
    if (!t) return;
    pthread_mutex_lock(&t->mu);
    for (uint32_t i = 0; i < n; i++) {
        if (img[i].failed || img[i].nlists > 4) continue;   /* not serialisable when written */
        int claimed;
        sg_route *r = shared_entry(t, img[i].lists, img[i].nlists, key_hash(img[i].lists, img[i].nlists), &claimed);
        if (!r) break;
        if (!claimed) continue;
        *r = img[i];
        r->used = r->ready = r->in_image = 1;
        r->failed = 0;
    }
    pthread_mutex_unlock(&t->mu);
}

void sg_rrefs_free(sp_scanner *sc)
{
    free(sc->rref);
    sc->rref = NULL;
    sc->rref_cap = sc->nrref = 0;
}

/* scan the event's fields the route's candidates read, each for its own
 * literals (and every field for keyword literals) */
void sg_route_scan(sp_scanner *sc, const sg_route *r)
{
    for (uint32_t i = 0; i < sc->nfv; i++) {
        sg_fval *fv = &sc->fv[i];
        const sg_fpf *f = r->nf ? sg_route_field(r, fv->nh) : NULL;
        if (!f && !r->has_any) continue;
        const char *low = sg_fv_low(sc, fv);
        if (!low) continue;
        sc->cur_fbit = i < 63 ? 1ull << i : 1ull << 63;
        if (f) sg_pf_scan(sc, &f->pf, (const unsigned char *)low, fv->v.len);
        if (r->has_any) sg_pf_scan(sc, &r->any, (const unsigned char *)low, fv->v.len);
    }
}
