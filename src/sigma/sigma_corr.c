/*
 * sigma_corr.c — correlation rules over sliding windows, per scanner.
 *
 * When a rule referenced by a correlation matches an event (or a
 * correlation referenced by another one fires), the event's time, its
 * group-by key and the counted value go into that correlation's group:
 *
 *   group key   the group-by fields' first values joined with 0x1f; a field
 *               may be an alias resolved per referenced rule; missing = ""
 *   window      the group's entries with time in [t - timespan, t] (sliding:
 *               entries expire one by one, no fixed buckets); kept in time
 *               order (late events are inserted in place)
 *
 *   event_count       entries in the window
 *   value_count       distinct values of `field` in the window
 *   value_sum / avg   sum / mean of `field` (numeric values only)
 *   value_percentile  share (0-100) of the window's entries whose `field`
 *                     equals the current event's: low = rare value
 *   temporal          distinct referenced rules in the window; without a
 *                     condition all of them are required
 *   temporal_ordered  the referenced rules in the listed order within
 *                     timespan (first to last event)
 *
 * Firing: value_percentile is judged on each event.  A count-like condition with a lower bound (gt/gte/eq/neq) fires
 * when it becomes true for a group (edge-triggered: again only after it was
 * false); temporal types fire and reset the group.  A condition that is only
 * an upper bound (lt/lte) is judged on closed windows: when entries expire
 * and at sp_scanner_flush.  Events must come in (roughly) time order;
 * events without a timestamp are ignored by correlations.
 *
 * Bounds: SP_SIGMA_MAX_CORR_GROUPS groups per correlation (further keys are
 * dropped), SP_SIGMA_MAX_CORR_WINDOW entries per window (oldest dropped),
 * SP_SIGMA_MAX_CORR_DEPTH chained levels, values truncated to
 * SP_SIGMA_MAX_GROUP_VALUE bytes.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sigma/sigma.h"

typedef struct cent { int64_t t; uint32_t ref; double num; int has_num; char *val; } cent;

typedef struct vslot { char *s; uint32_t cnt; } vslot;

typedef struct cgroup {
    char *key;
    char **gvals;            /* group-by values, for reporting */
    cent *q;                 /* ring buffer */
    uint32_t head, n, cap;
    double sum;
    uint32_t nnum;
    vslot *vm;               /* value -> count in window */
    uint32_t vm_cap, vm_used, vm_distinct;
    uint32_t *refcnt;        /* per reference: entries in window */
    int64_t *seq;            /* temporal_ordered: chain start reaching ref k */
    uint8_t fired;
} cgroup;

struct sg_corr_state {
    cgroup **slot;
    uint32_t cap, n;
    uint64_t dropped;
};

typedef struct csrc {
    int is_event;
    const char *const *gf, *const *gv;   /* correlation result: group fields / values */
    size_t ng;
    int64_t t;
} csrc;

static uint32_t hs(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++) { h ^= (unsigned char)*s; h *= 16777619u; }
    return h;
}

int sg_corr_init(sp_scanner *sc)
{
    sc->cs = sp_calloc_touched(sc->rs->nrules ? sc->rs->nrules : 1, sizeof *sc->cs);
    return sc->cs ? 0 : -1;
}

static void group_free(cgroup *g, uint32_t ngroup)
{
    if (!g) return;
    for (uint32_t i = 0; i < g->n; i++) free(g->q[(g->head + i) % g->cap].val);
    free(g->q);
    for (uint32_t i = 0; i < g->vm_cap; i++) free(g->vm[i].s);
    free(g->vm);
    for (uint32_t i = 0; i < ngroup; i++) free(g->gvals[i]);
    free(g->gvals);
    free(g->refcnt);
    free(g->seq);
    free(g->key);
    free(g);
}

void sg_corr_fini(sp_scanner *sc)
{
    if (!sc->cs) return;
    for (uint32_t r = 0; r < sc->rs->nrules; r++) {
        struct sg_corr_state *s = &sc->cs[r];
        uint32_t ng = sc->rs->rules[r].corr ? sc->rs->rules[r].corr->ngroup : 0;
        for (uint32_t i = 0; i < s->cap; i++) group_free(s->slot[i], ng);
        free(s->slot);
    }
    free(sc->cs);
    sc->cs = NULL;
}

/* ------------------------------------------------------------ value map */

static int vm_grow(cgroup *g)
{
    uint32_t nc = g->vm_cap ? g->vm_cap * 2 : 16;
    while (g->vm_distinct * 2 >= nc) nc *= 2;
    vslot *n = calloc(nc, sizeof *n);
    if (!n) return -1;
    uint32_t used = 0;
    for (uint32_t i = 0; i < g->vm_cap; i++) {
        if (!g->vm[i].s) continue;
        if (!g->vm[i].cnt) { free(g->vm[i].s); continue; }
        uint32_t h = hs(g->vm[i].s) & (nc - 1);
        while (n[h].s) h = (h + 1) & (nc - 1);
        n[h] = g->vm[i];
        used++;
    }
    free(g->vm);
    g->vm = n;
    g->vm_cap = nc;
    g->vm_used = used;
    return 0;
}

static vslot *vm_find(cgroup *g, const char *s, int create)
{
    if (create && (g->vm_used + 1) * 2 > g->vm_cap && vm_grow(g)) return NULL;
    if (!g->vm_cap) return NULL;
    uint32_t h = hs(s) & (g->vm_cap - 1);
    while (g->vm[h].s) {
        if (!strcmp(g->vm[h].s, s)) return &g->vm[h];
        h = (h + 1) & (g->vm_cap - 1);
    }
    if (!create) return NULL;
    g->vm[h].s = strdup(s);
    if (!g->vm[h].s) return NULL;
    g->vm[h].cnt = 0;
    g->vm_used++;
    return &g->vm[h];
}

/* ------------------------------------------------------------ groups */

static cgroup *group_get(struct sg_corr_state *s, const char *key, const sg_corr *k, char **gvals)
{
    if (!s->cap || (s->n + 1) * 2 > s->cap) {
        if (s->n >= SP_SIGMA_MAX_CORR_GROUPS) goto lookup_only;
        uint32_t nc = s->cap ? s->cap * 2 : 64;
        cgroup **n = calloc(nc, sizeof *n);
        if (!n) goto lookup_only;
        for (uint32_t i = 0; i < s->cap; i++) {
            if (!s->slot[i]) continue;
            uint32_t h = hs(s->slot[i]->key) & (nc - 1);
            while (n[h]) h = (h + 1) & (nc - 1);
            n[h] = s->slot[i];
        }
        free(s->slot);
        s->slot = n;
        s->cap = nc;
    }
lookup_only:
    if (!s->cap) return NULL;
    uint32_t h = hs(key) & (s->cap - 1);
    while (s->slot[h]) {
        if (!strcmp(s->slot[h]->key, key)) return s->slot[h];
        h = (h + 1) & (s->cap - 1);
    }
    if (s->n >= SP_SIGMA_MAX_CORR_GROUPS || (s->n + 1) * 2 > s->cap) { s->dropped++; return NULL; }
    cgroup *g = calloc(1, sizeof *g);
    if (!g) return NULL;
    g->key = strdup(key);
    g->gvals = calloc(k->ngroup ? k->ngroup : 1, sizeof *g->gvals);
    g->refcnt = calloc(k->nrefs, sizeof *g->refcnt);
    g->seq = malloc(k->nrefs * sizeof *g->seq);
    if (!g->key || !g->gvals || !g->refcnt || !g->seq) { group_free(g, 0); return NULL; }
    for (uint32_t i = 0; i < k->nrefs; i++) g->seq[i] = INT64_MIN;
    for (uint32_t i = 0; i < k->ngroup; i++) {
        g->gvals[i] = strdup(gvals[i]);
        if (!g->gvals[i]) { group_free(g, i); return NULL; }
    }
    s->slot[h] = g;
    s->n++;
    return g;
}

static void entry_remove_stats(cgroup *g, const cent *e)
{
    if (e->has_num) { g->sum -= e->num; g->nnum--; }
    if (e->val) {
        vslot *v = vm_find(g, e->val, 0);
        if (v && v->cnt && --v->cnt == 0) g->vm_distinct--;
    }
    if (g->refcnt[e->ref]) g->refcnt[e->ref]--;
}

static void pop_front(cgroup *g)
{
    cent *e = &g->q[g->head];
    entry_remove_stats(g, e);
    free(e->val);
    e->val = NULL;
    g->head = (g->head + 1) % g->cap;
    g->n--;
}

static void group_clear(cgroup *g, uint32_t nrefs)
{
    while (g->n) pop_front(g);
    for (uint32_t i = 0; i < nrefs; i++) g->seq[i] = INT64_MIN;
    g->fired = 0;
}

static int push_entry(cgroup *g, cent e)
{
    if (g->n == SP_SIGMA_MAX_CORR_WINDOW) pop_front(g);
    if (g->n == g->cap) {
        uint32_t nc = g->cap ? g->cap * 2 : 8;
        if (nc > SP_SIGMA_MAX_CORR_WINDOW) nc = SP_SIGMA_MAX_CORR_WINDOW;
        cent *n = malloc(nc * sizeof *n);
        if (!n) return -1;
        for (uint32_t i = 0; i < g->n; i++) n[i] = g->q[(g->head + i) % g->cap];
        free(g->q);
        g->q = n;
        g->cap = nc;
        g->head = 0;
    }
    /* keep time order: insert before later entries (late events) */
    uint32_t pos = g->n;
    while (pos > 0 && g->q[(g->head + pos - 1) % g->cap].t > e.t) {
        g->q[(g->head + pos) % g->cap] = g->q[(g->head + pos - 1) % g->cap];
        pos--;
    }
    g->q[(g->head + pos) % g->cap] = e;
    g->n++;
    if (e.has_num) { g->sum += e.num; g->nnum++; }
    if (e.val) {
        vslot *v = vm_find(g, e.val, 1);
        if (v && v->cnt++ == 0) g->vm_distinct++;
    }
    g->refcnt[e.ref]++;
    return 0;
}

/* ------------------------------------------------------------ conditions */

static int cond_ok(const sg_corr *k, double v)
{
    if (k->has_gt && !(v > k->gt)) return 0;
    if (k->has_gte && !(v >= k->gte)) return 0;
    if (k->has_lt && !(v < k->lt)) return 0;
    if (k->has_lte && !(v <= k->lte)) return 0;
    if (k->has_eq && !(v == k->eq)) return 0;
    if (k->has_neq && !(v != k->neq)) return 0;
    return 1;
}

static int upper_only(const sg_corr *k)
{
    if (k->type == CT_VALUE_PERCENTILE) return 0;   /* judged per event: how rare is this value */
    return (k->has_lt || k->has_lte) && !k->has_gt && !k->has_gte && !k->has_eq;
}

static double metric(const sg_corr *k, const cgroup *g, const char *cur_val)
{
    switch (k->type) {
    case CT_EVENT_COUNT: return g->n;
    case CT_VALUE_COUNT: return g->vm_distinct;
    case CT_VALUE_SUM: return g->sum;
    case CT_VALUE_AVG: return g->nnum ? g->sum / g->nnum : 0;
    case CT_VALUE_PERCENTILE: {
        if (!g->n || !cur_val) return 100;
        vslot *v = vm_find((cgroup *)g, cur_val, 0);
        return v ? 100.0 * v->cnt / g->n : 0;
    }
    case CT_TEMPORAL: {
        uint32_t c = 0;
        for (uint32_t i = 0; i < k->nrefs; i++) c += g->refcnt[i] > 0;
        return c;
    }
    default: return 0;
    }
}

/* ------------------------------------------------------------ sources */

/* the text of `field` in the source (first value), or NULL */
static const char *src_value(sp_scanner *sc, const csrc *s, const char *field, size_t *len)
{
    if (!field) return NULL;
    if (s->is_event) {
        const sg_fval **fv;
        if (!sg_lookup_name(sc, field, strlen(field), &fv)) return NULL;
        *len = fv[0]->v.len;
        return fv[0]->v.str;
    }
    for (size_t i = 0; i < s->ng; i++)
        if (!strcmp(s->gf[i], field)) { *len = strlen(s->gv[i]); return s->gv[i]; }
    return NULL;
}

static const char *group_field(const sg_corr *k, uint32_t gi, uint32_t ref)
{
    const char *g = k->group[gi];
    for (uint32_t a = 0; a < k->nalias; a++)
        if (!strcmp(k->alias[a], g)) return k->alias_field[a][ref] ? k->alias_field[a][ref] : g;
    return g;
}

static char *clip(const char *s, size_t n)
{
    if (n > SP_SIGMA_MAX_GROUP_VALUE) n = SP_SIGMA_MAX_GROUP_VALUE;
    char *o = malloc(n + 1);
    if (!o) return NULL;
    if (n) memcpy(o, s, n);
    o[n] = 0;
    return o;
}

static int feed(sp_scanner *sc, uint32_t src_rule, const csrc *src, sp_detect_fn fn, void *user, int depth);

static int fire(sp_scanner *sc, uint32_t c, cgroup *g, int64_t t, int64_t first, double m, sp_detect_fn fn,
                void *user, int depth)
{
    const sg_rule *R = &sc->rs->rules[c];
    const sg_corr *k = R->corr;
    if (!R->suppressed && fn) {
        sp_detection d;
        memset(&d, 0, sizeof d);
        d.rule = &R->info;
        d.rule_index = c;
        d.time_ms = t;
        d.first_ms = first;
        d.count = m >= 0 ? (uint64_t)llround(m) : 0;
        d.value = m;
        d.group_fields = k->group;
        d.group_values = (const char *const *)g->gvals;
        d.ngroup = k->ngroup;
        if (fn(user, &d)) return 1;
    }
    if (R->ncorr_users && depth < SP_SIGMA_MAX_CORR_DEPTH) {
        csrc s = {0, k->group, (const char *const *)g->gvals, k->ngroup, t};
        return feed(sc, c, &s, fn, user, depth + 1);
    }
    return 0;
}

static int64_t front_t(const cgroup *g) { return g->q[g->head].t; }

static int process(sp_scanner *sc, uint32_t c, uint32_t ref, const csrc *src, sp_detect_fn fn, void *user, int depth)
{
    const sg_rule *R = &sc->rs->rules[c];
    const sg_corr *k = R->corr;
    int64_t t = src->t;
    /* group key */
    char *gv[64];
    uint32_t ng = k->ngroup < 64 ? k->ngroup : 64;
    size_t klen = 1;
    for (uint32_t i = 0; i < ng; i++) {
        size_t l = 0;
        const char *v = src_value(sc, src, group_field(k, i, ref), &l);
        gv[i] = clip(v ? v : "", v ? l : 0);
        if (!gv[i]) { while (i--) free(gv[i]); return 0; }
        klen += strlen(gv[i]) + 1;
    }
    char *key = malloc(klen);
    int rc = 0;
    if (!key) goto out;
    key[0] = 0;
    for (uint32_t i = 0, p = 0; i < ng; i++) {
        size_t l = strlen(gv[i]);
        memcpy(key + p, gv[i], l);
        p += (uint32_t)l;
        key[p++] = 0x1f;
        key[p] = 0;
    }
    cgroup *g = group_get(&sc->cs[c], key, k, gv);
    if (!g) goto out;

    if (k->type == CT_TEMPORAL_ORDERED) {
        /* chain start times; later steps only extend a chain still in time */
        if (ref == 0) { if (t > g->seq[0] || g->seq[0] == INT64_MIN) g->seq[0] = t; }
        else if (g->seq[ref - 1] != INT64_MIN && g->seq[ref - 1] >= t - k->timespan_ms) {
            if (g->seq[ref] == INT64_MIN || g->seq[ref - 1] > g->seq[ref]) g->seq[ref] = g->seq[ref - 1];
        }
        uint32_t last = k->nrefs - 1;
        if (g->seq[last] != INT64_MIN && g->seq[last] >= t - k->timespan_ms) {
            int64_t first = g->seq[last];
            if (!k->has_cond || cond_ok(k, k->nrefs)) {
                rc = fire(sc, c, g, t, first, k->nrefs, fn, user, depth);
                group_clear(g, k->nrefs);
            }
        }
        goto out;
    }

    /* the counted value */
    cent e = {t, ref, 0, 0, NULL};
    if (k->field) {
        size_t l = 0;
        const char *v = src_value(sc, src, k->field, &l);
        if (!v && k->type != CT_EVENT_COUNT && k->type != CT_TEMPORAL) goto out;   /* nothing to count */
        if (v) {
            e.val = clip(v, l);
            char *end;
            double d = strtod(e.val ? e.val : "", &end);
            if (e.val && end != e.val && !*end && isfinite(d)) { e.num = d; e.has_num = 1; }
        }
        if ((k->type == CT_VALUE_SUM || k->type == CT_VALUE_AVG) && !e.has_num) { free(e.val); goto out; }
    }
    int uo = upper_only(k);
    /* expire; an upper-bound condition is judged on the window that closes */
    if (g->n && front_t(g) < t - k->timespan_ms) {
        if (uo) {
            double m = metric(k, g, NULL);
            if (cond_ok(k, m)) {
                int64_t first = front_t(g), lastt = g->q[(g->head + g->n - 1) % g->cap].t;
                if ((rc = fire(sc, c, g, lastt, first, m, fn, user, depth))) { free(e.val); goto out; }
            }
        }
        while (g->n && front_t(g) < t - k->timespan_ms) pop_front(g);
        if (k->type == CT_TEMPORAL) g->fired = 0;
    }
    char *cur = e.val ? strdup(e.val) : NULL;
    if (push_entry(g, e)) { free(e.val); free(cur); goto out; }
    if (!uo) {
        double m = metric(k, g, cur);
        int ok = k->type == CT_TEMPORAL && !k->has_cond ? m >= k->nrefs : cond_ok(k, m);
        if (ok && !g->fired) {
            int64_t first = front_t(g);
            g->fired = 1;
            rc = fire(sc, c, g, t, first, m, fn, user, depth);
            if (k->type == CT_TEMPORAL) group_clear(g, k->nrefs);
        } else if (!ok) g->fired = 0;
    }
    free(cur);
out:
    free(key);
    for (uint32_t i = 0; i < ng; i++) free(gv[i]);
    return rc;
}

static int feed(sp_scanner *sc, uint32_t src_rule, const csrc *src, sp_detect_fn fn, void *user, int depth)
{
    const sg_rule *S = &sc->rs->rules[src_rule];
    for (uint32_t u = 0; u < S->ncorr_users; u++) {
        uint32_t c = S->corr_users[u];
        const sg_corr *k = sc->rs->rules[c].corr;
        /* several positions when a rule is listed twice; later steps first */
        for (uint32_t i = k->nrefs; i-- > 0;)
            if (k->ref_rule[i] == src_rule && process(sc, c, i, src, fn, user, depth)) return 1;
    }
    return 0;
}

int sg_corr_feed(sp_scanner *sc, uint32_t rule, sp_detect_fn fn, void *user, int depth)
{
    int64_t t = sg_event_ms(sc);
    if (t == INT64_MIN) return 0;
    csrc s = {1, NULL, NULL, 0, t};
    return feed(sc, rule, &s, fn, user, depth);
}

int sg_corr_flush(sp_scanner *sc, sp_detect_fn fn, void *user)
{
    if (!sc->cs) return 0;
    for (uint32_t c = 0; c < sc->rs->nrules; c++) {
        const sg_rule *R = &sc->rs->rules[c];
        if (R->kind != RK_CORRELATION || !upper_only(R->corr)) continue;
        struct sg_corr_state *s = &sc->cs[c];
        for (uint32_t i = 0; i < s->cap; i++) {
            cgroup *g = s->slot[i];
            if (!g || !g->n) continue;
            double m = metric(R->corr, g, NULL);
            if (cond_ok(R->corr, m)) {
                int64_t first = front_t(g), last = g->q[(g->head + g->n - 1) % g->cap].t;
                if (fire(sc, c, g, last, first, m, fn, user, 0)) return 1;
            }
            while (g->n) pop_front(g);
        }
    }
    return 0;
}

/* ------------------------------------------- two-stage correlation */

/* The event fields the correlations that use `rule` read from its events
 * (group-by fields through aliases, and the counted field); deduplicated. */
uint32_t sg_corr_fields(const sp_ruleset *rs, uint32_t rule, const char **out, uint32_t max)
{
    const sg_rule *S = &rs->rules[rule];
    uint32_t n = 0;
    for (uint32_t u = 0; u < S->ncorr_users; u++) {
        const sg_corr *k = rs->rules[S->corr_users[u]].corr;
        for (uint32_t i = 0; i < k->nrefs; i++) {
            if (k->ref_rule[i] != rule) continue;
            for (uint32_t g = 0; g <= k->ngroup; g++) {
                const char *f = g < k->ngroup ? group_field(k, g, i) : k->field;
                if (!f) continue;
                uint32_t d = 0;
                while (d < n && strcmp(out[d], f)) d++;
                if (d == n && n < max) out[n++] = f;
            }
        }
    }
    return n;
}

/* Feed a match of `rule` recorded earlier (time, the fields above with
 * their values) into the correlations, as if its event were here now. */
int sg_corr_feed_values(sp_scanner *sc, uint32_t rule, int64_t t, const char *const *f,
                        const char *const *v, size_t n, sp_detect_fn fn, void *user)
{
    if (t == INT64_MIN) return 0;
    csrc s = {0, f, v, n, t};
    return feed(sc, rule, &s, fn, user, 0);
}
