/*
 * sigma_index.c — candidate selection: which rules an event is evaluated
 * against at all.
 *
 * 1. Routing index.  Every routing variant of a rule (sigma_logsource.c)
 *    files the rule under (channel, event id), (channel, any id),
 *    (any channel, id) or (any, any); a rule whose detection requires
 *    certain EventIDs is filed under those.  An event looks up at most four
 *    lists by its lowercased Channel and its EventID (sg_route_lists).
 *
 * 2. Literals.  Every string value (and a regular expression, through the
 *    literal all its matches contain: sigma_relit.c) has a required
 *    lowercase literal of >= 2 bytes.  For each rule we derive up to four
 *    clauses, sets of literals one of each must occur (CNF):
 *        item      one clause, the longest literal of each value (OR over
 *                  values); an `all` item one clause per group; none for
 *                  neq, cidr, numbers, null/exists, fieldref, time parts
 *        and       its children's clauses (the best four)
 *        or / k-of one clause: the union of each child's best, if every
 *                  child has one
 *        not       none
 *    The best clause (longest shortest literal) files the rule in the
 *    list's inverted index (literal -> candidates), so an event's rules are
 *    found from the literals it contains; the other clauses are checked in
 *    the event's literal bitset before the rule is evaluated.  Rules with
 *    no clause are tried on every event of their lists; those that can only
 *    match a non-ASCII value are skipped on events without one.  Every
 *    value also keeps its own literal: a value whose literal is not in its
 *    field is rejected without a comparison.
 *
 * 3. Finding literals: sigma_prefilter.c (anchor bitmaps) over the fields a
 *    route's rules read, each for its own literals (sigma_route.c).
 *
 *    Measured on the 640 MB bench file with SigmaHQ's 3,752 rules, one
 *    thread, matching without loading rules: 2.35 s with one prefilter of
 *    every literal over every value and single-clause rules (session 2);
 *    0.78 s with routes, per-field literals, regex literals, clauses,
 *    literal bitsets and the EVTX field shortcuts (docs/performance.md).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sigma/sigma.h"

/* ------------------------------------------------------------ routing */

static uint32_t hash_s(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) { h ^= (unsigned char)s[i]; h *= 16777619u; }
    return h;
}

static int clist_add(sg_clist *l, uint32_t rule, uint32_t var)
{
    if (l->n && l->c[l->n - 1].rule == rule) return 0;   /* same rule twice in a row */
    if (l->n == l->cap) {
        uint32_t nc = l->cap ? l->cap * 2 : 8;
        sg_cand *n = realloc(l->c, nc * sizeof *n);
        if (!n) return -1;
        l->c = n;
        l->cap = nc;
    }
    l->c[l->n++] = (sg_cand){rule, var};
    return 0;
}

static int chan_add(sg_chan *ch, const sg_lsvar *v, uint32_t rule, uint32_t var)
{
    if (!v->neid) return clist_add(&ch->any_eid, rule, var);
    for (uint32_t k = 0; k < v->neid; k++) {
        sg_eidlist *e = NULL;
        for (uint32_t i = 0; i < ch->neid; i++) if (ch->by_eid[i].eid == v->eid[k]) { e = &ch->by_eid[i]; break; }
        if (!e) {
            if (ch->neid == ch->cap_eid) {
                uint32_t nc = ch->cap_eid ? ch->cap_eid * 2 : 8;
                sg_eidlist *n = realloc(ch->by_eid, nc * sizeof *n);
                if (!n) return -1;
                ch->by_eid = n;
                ch->cap_eid = nc;
            }
            e = &ch->by_eid[ch->neid++];
            memset(e, 0, sizeof *e);
            e->eid = v->eid[k];
        }
        if (clist_add(&e->l, rule, var)) return -1;
    }
    return 0;
}

static sg_chan *chan_get(sp_ruleset *rs, const char *lc)
{
    size_t n = strlen(lc);
    uint32_t h = hash_s(lc, n) & (rs->chan_cap - 1);
    while (rs->chans[h].name) {
        if (!strcmp(rs->chans[h].name, lc)) return &rs->chans[h];
        h = (h + 1) & (rs->chan_cap - 1);
    }
    rs->chans[h].name = lc;
    return &rs->chans[h];
}

static int cmp_eid(const void *a, const void *b)
{
    uint32_t x = ((const sg_eidlist *)a)->eid, y = ((const sg_eidlist *)b)->eid;
    return x < y ? -1 : x > y;
}

/* ------------------------------------------- event ids in the detection
 *
 * Many rules name their event ids in the detection, not the logsource
 * (`service: security` + `EventID: 4728`); routed by logsource alone they
 * would be tried on every Security event.  When the condition can only hold
 * for events whose EventID is one of a set of integers, the rule is filed
 * under those ids.  An event without an integer EventID then never tries it;
 * it could not have matched (the ids are compared as integers or as their
 * exact text, which parses to the same integer). */

#define EID_SET_MAX 64

typedef struct eidset { uint32_t v[EID_SET_MAX]; uint32_t n; int known; } eidset;

static int is_eid_field(const sp_ruleset *rs, uint32_t fid)
{
    return fid != SG_KEYWORD && fid < rs->nfields && rs->fname_len[fid] == 7 && !strncasecmp(rs->fname[fid], "EventID", 7);
}

static int eid_has(const eidset *s, uint32_t x)
{
    for (uint32_t i = 0; i < s->n; i++) if (s->v[i] == x) return 1;
    return 0;
}

static eidset eids_of(const sp_ruleset *rs, const sg_node *x, int depth)
{
    eidset r = {{0}, 0, 0};
    if (!x || depth > 4 * SP_SIGMA_MAX_COND_DEPTH) return r;
    switch (x->op) {
    case N_ITEM: {
        const sg_item *it = x->item;
        if (!is_eid_field(rs, it->fid) || it->neq || it->all || it->tpart || !it->nv) return r;
        for (uint32_t i = 0; i < it->nv; i++) {
            const sg_val *v = &it->v[i];
            if (v->kind != VK_STR || v->mode != SM_EXACT || !v->is_num || v->num < 0 || v->num > UINT32_MAX) return r;
            if (!eid_has(&r, (uint32_t)v->num)) {
                if (r.n == EID_SET_MAX) return r;
                r.v[r.n++] = (uint32_t)v->num;
            }
        }
        r.known = 1;
        return r;
    }
    case N_AND: {
        /* every child holds: the intersection of the children that name ids */
        for (uint32_t i = 0; i < x->n; i++) {
            eidset c = eids_of(rs, x->kid[i], depth + 1);
            if (!c.known) continue;
            if (!r.known) { r = c; continue; }
            eidset t = {{0}, 0, 1};
            for (uint32_t k = 0; k < r.n; k++) if (eid_has(&c, r.v[k])) t.v[t.n++] = r.v[k];
            r = t;
        }
        if (r.known && !r.n) r.known = 0;    /* contradictory: leave it to the evaluation */
        return r;
    }
    case N_OR:
    case N_ATLEAST: {
        /* one child holds (k >= 1): the union, when every child names ids */
        if (x->op == N_ATLEAST && x->k == 0) return r;
        for (uint32_t i = 0; i < x->n; i++) {
            eidset c = eids_of(rs, x->kid[i], depth + 1);
            if (!c.known) { r.known = 0; r.n = 0; return r; }
            for (uint32_t k = 0; k < c.n; k++)
                if (!eid_has(&r, c.v[k])) {
                    if (r.n == EID_SET_MAX) { r.known = 0; r.n = 0; return r; }
                    r.v[r.n++] = c.v[k];
                }
        }
        r.known = x->n > 0;
        return r;
    }
    default:
        return r;
    }
}

/* the variant narrowed to the ids the detection requires; the variant
 * itself when nothing narrows it; NULL when no id is left (never matches
 * through this variant) or on memory */
static sg_lsvar *narrow_var(sp_ruleset *rs, sg_lsvar *V, const eidset *req, int *none)
{
    *none = 0;
    if (!req->known) return V;
    for (uint32_t i = 0; i < V->nren; i++)
        if (is_eid_field(rs, V->ren_from[i]) || is_eid_field(rs, V->ren_to[i])) return V;
    uint32_t keep[EID_SET_MAX], n = 0;
    for (uint32_t i = 0; i < req->n; i++) {
        int ok = !V->neid;
        for (uint32_t k = 0; k < V->neid && !ok; k++) ok = V->eid[k] == req->v[i];
        if (ok) keep[n++] = req->v[i];
    }
    if (!n) { *none = 1; rs->eid_narrowed = 1; return NULL; }
    if (V->neid && n == V->neid) return V;
    rs->eid_narrowed = 1;
    sg_lsvar *c = sp_arena_alloc(&rs->ar, sizeof *c);
    uint32_t *e = sp_arena_alloc(&rs->ar, n * sizeof *e);
    if (!c || !e) return NULL;
    *c = *V;
    memcpy(e, keep, n * sizeof *e);
    c->eid = e;
    c->neid = n;
    return c;
}

int sg_build_index(sp_ruleset *rs)
{
    uint32_t mentions = 0;
    for (uint32_t i = 0; i < rs->nls; i++) mentions += rs->ls[i].var.nchan;
    rs->chan_cap = 16;
    while (rs->chan_cap < 2 * mentions + 16) rs->chan_cap *= 2;
    rs->chans = calloc(rs->chan_cap, sizeof *rs->chans);
    rs->unmapped = malloc((rs->nrules ? rs->nrules : 1) * sizeof *rs->unmapped);
    if (!rs->chans || !rs->unmapped) return -1;
    rs->nunmapped = 0;
    for (uint32_t r = 0; r < rs->nrules; r++) {
        sg_rule *R = &rs->rules[r];
        if (R->kind != RK_DETECTION) continue;
        if (R->unmapped) { rs->unmapped[rs->nunmapped++] = r; continue; }
        eidset req = eids_of(rs, R->cond, 0);
        for (uint32_t v = 0; v < R->nvars; v++) {
            int none;
            sg_lsvar *V = narrow_var(rs, R->vars[v], &req, &none);
            if (none) continue;
            if (!V) return -1;
            R->vars[v] = V;
            if (!V->nchan) { if (chan_add(&rs->anychan, V, r, v)) return -1; continue; }
            for (uint32_t c = 0; c < V->nchan; c++)
                if (chan_add(chan_get(rs, V->chan[c]), V, r, v)) return -1;
        }
    }
    for (uint32_t i = 0; i < rs->chan_cap; i++)
        if (rs->chans[i].neid) qsort(rs->chans[i].by_eid, rs->chans[i].neid, sizeof(sg_eidlist), cmp_eid);
    if (rs->anychan.neid) qsort(rs->anychan.by_eid, rs->anychan.neid, sizeof(sg_eidlist), cmp_eid);
    return 0;
}

const sg_chan *sg_chan_find(const sp_ruleset *rs, const char *lc, size_t n)
{
    if (!rs->chan_cap) return NULL;
    uint32_t h = hash_s(lc, n) & (rs->chan_cap - 1);
    while (rs->chans[h].name) {
        if (strlen(rs->chans[h].name) == n && !memcmp(rs->chans[h].name, lc, n)) return &rs->chans[h];
        h = (h + 1) & (rs->chan_cap - 1);
    }
    return NULL;
}

const sg_clist *sg_eid_find(const sg_chan *c, uint32_t eid)
{
    uint32_t lo = 0, hi = c->neid;
    while (lo < hi) {
        uint32_t mid = (lo + hi) / 2;
        if (c->by_eid[mid].eid < eid) lo = mid + 1;
        else hi = mid;
    }
    return lo < c->neid && c->by_eid[lo].eid == eid ? &c->by_eid[lo].l : NULL;
}

/* ------------------------------------------------------------ literal sets */

#define SET_MAX 512
#define LIT_MIN 2                       /* bytes of a usable literal (sigma_prefilter.c indexes 2, 3, 4+) */

typedef struct lit { const char *s; uint32_t n; } lit;
typedef struct lset { lit *v; uint32_t n; int none; } lset;

static lset set_none(void) { lset s = {NULL, 0, 1}; return s; }

static int set_push(lset *s, const char *p, uint32_t n)
{
    if (s->n >= SET_MAX) return -1;
    if (!(s->n & (s->n - 1)) && s->n >= 8) {     /* full at 8, 16, 32, ...: double */
        lit *nv = realloc(s->v, 2 * s->n * sizeof *nv);
        if (!nv) return -1;
        s->v = nv;
    } else if (!s->v) {
        s->v = malloc(8 * sizeof *s->v);
        if (!s->v) return -1;
    }
    s->v[s->n++] = (lit){p, n};
    return 0;
}

static void set_free(lset *s) { free(s->v); s->v = NULL; s->n = 0; }

static uint32_t set_score(const lset *s)
{
    if (s->none || !s->n) return 0;
    uint32_t m = UINT32_MAX;
    for (uint32_t i = 0; i < s->n; i++) if (s->v[i].n < m) m = s->v[i].n;
    return m;
}

static int val_lit(const sg_val *v, lit *out)
{
    if (v->kind == VK_RE && v->lit && v->len) { *out = (lit){v->lit, v->len}; return 0; }
    if (v->kind != VK_STR || v->is_num) return -1;
    switch (v->mode) {
    case SM_EXACT: case SM_PREFIX: case SM_SUFFIX: case SM_CONTAINS:
        if (!v->len) return -1;
        *out = (lit){v->lit, v->len};
        return 0;
    case SM_GLOB: {
        const sg_tok *best = NULL;
        for (uint32_t i = 0; i < v->ntok; i++)
            if (v->tok[i].kind == T_LIT && (!best || v->tok[i].len > best->len)) best = &v->tok[i];
        if (!best) return -1;
        *out = (lit){best->s, best->len};
        return 0;
    }
    default:
        return -1;
    }
}

/* the literals of values [from, to): one must occur for one of them to
 * match (none when a value has no literal) */
static lset values_set(const sg_item *it, uint32_t from, uint32_t to)
{
    lset s = {NULL, 0, 0};
    for (uint32_t i = from; i < to; i++) {
        lit l;
        if (val_lit(&it->v[i], &l) || set_push(&s, l.s, l.n)) { set_free(&s); return set_none(); }
    }
    return s;
}

/* A conjunction of clauses: each clause is a set of literals of which one
 * must occur for the node to hold (no clause: no requirement known).  AND
 * joins its children's clauses, an `all` item has one per group, OR and
 * k-of take one clause: the union of each child's best. */
#define CNF_MAX 4
typedef struct lcnf { lset c[CNF_MAX]; uint32_t n; } lcnf;

static void cnf_free(lcnf *f)
{
    for (uint32_t i = 0; i < f->n; i++) set_free(&f->c[i]);
    f->n = 0;
}

static int better(const lset *a, const lset *b)   /* a more selective than b */
{
    uint32_t sa = set_score(a), sb = set_score(b);
    return sa > sb || (sa == sb && sa && a->n < b->n);
}

/* add clause c (taken over) to f, keeping the CNF_MAX best */
static void cnf_add(lcnf *f, lset c)
{
    if (c.none || !c.n || set_score(&c) < LIT_MIN) { set_free(&c); return; }
    if (f->n < CNF_MAX) { f->c[f->n++] = c; return; }
    uint32_t worst = 0;
    for (uint32_t i = 1; i < f->n; i++) if (better(&f->c[worst], &f->c[i])) worst = i;
    if (better(&c, &f->c[worst])) { set_free(&f->c[worst]); f->c[worst] = c; }
    else set_free(&c);
}

static uint32_t cnf_best(const lcnf *f)
{
    uint32_t b = 0;
    for (uint32_t i = 1; i < f->n; i++) if (better(&f->c[i], &f->c[b])) b = i;
    return b;
}

static lcnf item_cnf(const sg_item *it)
{
    lcnf f = {.n = 0};
    if (it->neq || it->tpart) return f;
    if (!it->all) { cnf_add(&f, values_set(it, 0, it->nv)); return f; }
    for (uint32_t i = 0, j; i < it->nv; i = j) {   /* all: a clause per group */
        for (j = i; j < it->nv && it->v[j].group == it->v[i].group; j++) {}
        cnf_add(&f, values_set(it, i, j));
    }
    return f;
}

static lcnf node_cnf(const sg_node *x, int depth)
{
    lcnf f = {.n = 0};
    if (depth > 4 * SP_SIGMA_MAX_COND_DEPTH) return f;
    switch (x->op) {
    case N_ITEM: return item_cnf(x->item);
    case N_AND:
        for (uint32_t i = 0; i < x->n; i++) {
            lcnf c = node_cnf(x->kid[i], depth + 1);
            for (uint32_t k = 0; k < c.n; k++) cnf_add(&f, c.c[k]);
        }
        return f;
    case N_OR:
    case N_ATLEAST: {
        /* (a1 and a2) or b = (a1 or b) and (a2 or b): every way of taking
         * one clause per child gives a clause, when there are at most
         * CNF_MAX ways; else one clause, the union of each child's best */
        if (!x->n) return f;
        lcnf *kc = calloc(x->n, sizeof *kc);
        if (!kc) return f;
        uint32_t ways = 1;
        for (uint32_t i = 0; i < x->n; i++) {
            kc[i] = node_cnf(x->kid[i], depth + 1);
            if (!kc[i].n) { ways = 0; break; }
            if (ways <= CNF_MAX) ways *= kc[i].n;
        }
        if (ways) {
            int all_ways = ways <= CNF_MAX;
            for (uint32_t w = 0; w < (all_ways ? ways : 1); w++) {
                lset u = {NULL, 0, 0};
                for (uint32_t i = 0, r = w; i < x->n && !u.none; i++) {
                    uint32_t ci = all_ways ? r % kc[i].n : cnf_best(&kc[i]);
                    r = all_ways ? r / kc[i].n : 0;
                    const lset *b = &kc[i].c[ci];
                    for (uint32_t k = 0; k < b->n && !u.none; k++)
                        if (set_push(&u, b->v[k].s, b->v[k].n)) { set_free(&u); u.none = 1; }
                }
                cnf_add(&f, u);     /* a clause too large to hold is left out: weaker, still true */
            }
        }
        for (uint32_t i = 0; i < x->n; i++) cnf_free(&kc[i]);
        free(kc);
        return f;
    }
    default:
        return f;
    }
}

static uint32_t lit_intern(sp_ruleset *rs, const char *s, uint32_t n)
{
    if (rs->lhash_cap == 0 || (rs->nlit + 1) * 2 > rs->lhash_cap) {
        uint32_t nc = rs->lhash_cap ? rs->lhash_cap * 2 : 1024;
        uint32_t *nh = calloc(nc, sizeof *nh);
        if (!nh) return UINT32_MAX;
        for (uint32_t i = 0; i < rs->nlit; i++) {
            uint32_t h = hash_s(rs->lit[i], rs->lit_len[i]) & (nc - 1);
            while (nh[h]) h = (h + 1) & (nc - 1);
            nh[h] = i + 1;
        }
        free(rs->lhash);
        rs->lhash = nh;
        rs->lhash_cap = nc;
    }
    char tmp[256];
    char *low = n < sizeof tmp ? tmp : malloc(n);
    if (!low) return UINT32_MAX;
    for (uint32_t i = 0; i < n; i++) low[i] = (char)sg_lc((unsigned char)s[i]);
    uint32_t h = hash_s(low, n) & (rs->lhash_cap - 1), id = UINT32_MAX;
    while (rs->lhash[h]) {
        uint32_t f = rs->lhash[h] - 1;
        if (rs->lit_len[f] == n && !memcmp(rs->lit[f], low, n)) { id = f; goto out; }
        h = (h + 1) & (rs->lhash_cap - 1);
    }
    if (rs->nlit == rs->cap_lit) {
        uint32_t nc = rs->cap_lit ? rs->cap_lit * 2 : 1024;
        char **nl = realloc(rs->lit, nc * sizeof *nl);
        if (!nl) goto out;
        rs->lit = nl;
        uint32_t *nn = realloc(rs->lit_len, nc * sizeof *nn);
        if (!nn) goto out;
        rs->lit_len = nn;
        rs->cap_lit = nc;
    }
    rs->lit[rs->nlit] = sg_strdup(&rs->ar, low, n);
    if (!rs->lit[rs->nlit]) goto out;
    rs->lit_len[rs->nlit] = n;
    rs->lhash[h] = rs->nlit + 1;
    id = rs->nlit++;
out:
    if (low != tmp) free(low);
    return id;
}

/* give every string value its own required literal: a value whose
 * literal did not occur anywhere in the event is skipped in O(1) */
static int tag_values(sp_ruleset *rs, const sg_node *x, int depth)
{
    if (depth > 4 * SP_SIGMA_MAX_COND_DEPTH) return 0;
    if (x->op == N_ITEM) {
        sg_item *it = x->item;
        for (uint32_t i = 0; i < it->nv; i++) {
            sg_val *v = &it->v[i];
            lit l;
            if (v->lit_id != UINT32_MAX || val_lit(v, &l) || l.n < LIT_MIN) continue;
            v->lit_id = lit_intern(rs, l.s, l.n);
            if (v->lit_id == UINT32_MAX) return -1;
        }
        uint32_t nl = 0;
        it->needs_field = it->nv > 0;
        for (uint32_t i = 0; i < it->nv; i++) {
            sg_val *v = &it->v[i];
            v->hi = 0;
            if (v->kind == VK_STR && v->mode == SM_GLOB) {
                for (uint32_t k = 0; k < v->ntok; k++)
                    if (v->tok[k].kind == T_LIT)
                        for (uint32_t b = 0; b < v->tok[k].len; b++) v->hi |= (unsigned char)v->tok[k].s[b] >= 0x80;
            } else if (v->kind == VK_STR && v->mode >= SM_EXACT && v->mode <= SM_CONTAINS)
                for (uint32_t b = 0; b < v->len; b++) v->hi |= (unsigned char)v->lit[b] >= 0x80;
            if (v->kind == VK_NULL || v->kind == VK_EXISTS) it->needs_field = 0;
            if (((v->kind == VK_STR && !v->is_num) || v->kind == VK_RE) && v->lit_id != UINT32_MAX) nl++;
        }
        it->all_hi = it->nv > 0 && !it->neq && !it->tpart;
        for (uint32_t i = 0; i < it->nv; i++)
            if (it->v[i].kind != VK_STR || it->v[i].is_num || !it->v[i].hi) it->all_hi = 0;
        if (!it->vlit && nl) {
            it->vlit = sp_arena_alloc(&rs->ar, it->nv * sizeof *it->vlit);
            if (!it->vlit) return -1;
            for (uint32_t i = 0; i < it->nv; i++) {
                const sg_val *v = &it->v[i];
                it->vlit[i] = (v->kind == VK_STR && !v->is_num) || v->kind == VK_RE ? v->lit_id : UINT32_MAX;
            }
        }
        return 0;
    }
    for (uint32_t i = 0; i < x->n; i++)
        if (tag_values(rs, x->kid[i], depth + 1)) return -1;
    return 0;
}

/* every way the node can hold needs a non-ASCII value (tag_values first) */
static int node_needs_hi(const sg_node *x, int depth)
{
    if (depth > 4 * SP_SIGMA_MAX_COND_DEPTH) return 0;
    switch (x->op) {
    case N_ITEM: return x->item->all_hi;
    case N_AND:
        for (uint32_t i = 0; i < x->n; i++) if (node_needs_hi(x->kid[i], depth + 1)) return 1;
        return 0;
    case N_OR:
    case N_ATLEAST:
        if (!x->n) return 0;
        for (uint32_t i = 0; i < x->n; i++) if (!node_needs_hi(x->kid[i], depth + 1)) return 0;
        return 1;
    default:
        return 0;
    }
}

static int intern_set(sp_ruleset *rs, const lset *c, uint32_t *out)
{
    for (uint32_t i = 0; i < c->n; i++) {
        out[i] = lit_intern(rs, c->v[i].s, c->v[i].n);
        if (out[i] == UINT32_MAX) return -1;
    }
    return 0;
}

int sg_build_prefilter(sp_ruleset *rs)
{
    for (uint32_t r = 0; r < rs->nrules; r++) {
        sg_rule *R = &rs->rules[r];
        R->nlits = R->nxcl = 0;
        if (R->kind != RK_DETECTION) continue;
        lcnf f = node_cnf(R->cond, 0);
        if (f.n) {
            /* the best clause finds the rule (inverted lists); the others
             * are checked before the rule is evaluated */
            uint32_t b = cnf_best(&f), nx = 0;
            for (uint32_t i = 0; i < f.n; i++) if (i != b) nx += f.c[i].n;
            R->lits = sp_arena_alloc(&rs->ar, f.c[b].n * sizeof *R->lits);
            R->xlits = nx ? sp_arena_alloc(&rs->ar, nx * sizeof *R->xlits) : NULL;
            if (!R->lits || (nx && !R->xlits) || intern_set(rs, &f.c[b], R->lits)) { cnf_free(&f); return -1; }
            R->nlits = f.c[b].n;
            uint32_t at = 0;
            for (uint32_t i = 0; i < f.n; i++) {
                if (i == b) continue;
                if (intern_set(rs, &f.c[i], R->xlits + at)) { cnf_free(&f); return -1; }
                at += f.c[i].n;
                R->xcl_end[R->nxcl++] = at;
            }
        }
        cnf_free(&f);
        if (tag_values(rs, R->cond, 0)) return -1;
        for (uint32_t f2 = 0; f2 < R->nfilters; f2++)
            if (tag_values(rs, R->filters[f2], 0)) return -1;
        R->needs_hi = (uint8_t)node_needs_hi(R->cond, 0);
    }
    return sg_prefilter_build(rs);
}

/* ------------------------------------------------ inverted candidates */

static int has_keyword(const sg_node *x, int depth)
{
    if (!x || depth > 4 * SP_SIGMA_MAX_COND_DEPTH) return 1;
    if (x->op == N_ITEM) return x->item->fid == SG_KEYWORD;
    for (uint32_t i = 0; i < x->n; i++)
        if (has_keyword(x->kid[i], depth + 1)) return 1;
    return 0;
}

static int invert_list(sp_ruleset *rs, sg_clist *l)
{
    l->cand_base = rs->ncands;
    rs->ncands += l->n;
    if (!l->n) return 0;
    uint32_t npost = 0, nlitrefs = 0;
    for (uint32_t i = 0; i < l->n; i++) {
        const sg_rule *R = &rs->rules[l->c[i].rule];
        if (!R->nlits) l->nnolit++;
        else { npost += R->nlits; nlitrefs += R->nlits; }
        if (has_keyword(R->cond, 0)) l->has_kw = 1;
        for (uint32_t f = 0; f < R->nfilters && !l->has_kw; f++) if (has_keyword(R->filters[f], 0)) l->has_kw = 1;
    }
    l->nolit = malloc((l->nnolit ? l->nnolit : 1) * sizeof *l->nolit);
    l->post = malloc((npost ? npost : 1) * sizeof *l->post);
    uint32_t cap = 16;
    while (cap < 2 * nlitrefs + 16) cap *= 2;
    l->lmap = calloc(cap, sizeof *l->lmap);
    if (!l->nolit || !l->post || !l->lmap) return -1;
    l->lmap_cap = cap;
    for (uint32_t i = 0; i < cap; i++) l->lmap[i].lit = UINT32_MAX;
    /* count per literal */
    uint32_t k = 0;
    for (uint32_t i = 0; i < l->n; i++) {
        const sg_rule *R = &rs->rules[l->c[i].rule];
        if (!R->nlits) { l->nolit[k++] = i; continue; }
        for (uint32_t j = 0; j < R->nlits; j++) {
            uint32_t lid = R->lits[j], h = (lid * 2654435761u) & (cap - 1);
            while (l->lmap[h].lit != UINT32_MAX && l->lmap[h].lit != lid) h = (h + 1) & (cap - 1);
            l->lmap[h].lit = lid;
            l->lmap[h].count++;
        }
    }
    /* starts */
    uint32_t at = 0;
    for (uint32_t h = 0; h < cap; h++)
        if (l->lmap[h].lit != UINT32_MAX) { l->lmap[h].start = at; at += l->lmap[h].count; l->lmap[h].count = 0; }
    /* fill, in list order (so candidates keep their order per literal) */
    for (uint32_t i = 0; i < l->n; i++) {
        const sg_rule *R = &rs->rules[l->c[i].rule];
        for (uint32_t j = 0; j < R->nlits; j++) {
            uint32_t lid = R->lits[j], h = (lid * 2654435761u) & (cap - 1);
            while (l->lmap[h].lit != lid) h = (h + 1) & (cap - 1);
            l->post[l->lmap[h].start + l->lmap[h].count++] = i;
        }
    }
    return 0;
}

static int invert_chan(sp_ruleset *rs, sg_chan *c)
{
    for (uint32_t e = 0; e < c->neid; e++)
        if (invert_list(rs, &c->by_eid[e].l)) return -1;
    return invert_list(rs, &c->any_eid);
}

/* Hash of a field name as Sigma compares names at their loosest: ASCII
 * case folded, spaces removed ("Source Name" = "sourcename").  Names that
 * compare equal in any of the matcher's passes hash equal, so the matcher
 * compares names only where hashes agree.  This runs for every field of
 * every event, so it hashes 8 bytes at a time and folds case by setting
 * bit 5 of every byte (that also merges a few punctuation pairs: harmless,
 * names are compared where hashes agree); only a name with a space is
 * copied first without its spaces. */
static uint32_t fold_hash(const unsigned char *s, size_t n)
{
    uint64_t h = 0x9E3779B97F4A7C15ull ^ n;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        h = (h ^ (w | 0x2020202020202020ull)) * 0xFF51AFD7ED558CCDull;
        h ^= h >> 29;
    }
    if (i < n) {
        uint64_t w = 0;
        memcpy(&w, s + i, n - i);
        h = (h ^ (w | (0x2020202020202020ull >> (8 * (8 - (n - i)))))) * 0xFF51AFD7ED558CCDull;
        h ^= h >> 29;
    }
    uint32_t r = (uint32_t)(h ^ (h >> 32));
    return r ? r : 1;
}

uint32_t sg_norm_hash(const char *s, size_t n)
{
    if (n > SP_SIGMA_MAX_NAME_HASHED) n = SP_SIGMA_MAX_NAME_HASHED;
    if (!memchr(s, ' ', n)) return fold_hash((const unsigned char *)s, n);
    unsigned char b[SP_SIGMA_MAX_NAME_HASHED];
    size_t j = 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ') b[j++] = (unsigned char)s[i];
    return fold_hash(b, j);
}

int sg_scan_hash(const sp_ruleset *rs, uint32_t h)
{
    if (!rs->scan_cap) return 1;
    uint32_t i = h & (rs->scan_cap - 1);
    while (rs->scan_hash[i]) {
        if (rs->scan_hash[i] == h) return 1;   /* a hash collision only means scanning more */
        i = (i + 1) & (rs->scan_cap - 1);
    }
    return 0;
}

static int build_scan_set(sp_ruleset *rs)
{
    uint32_t cap = 64;
    while (cap < 2 * rs->nfields + 64) cap *= 2;
    rs->scan_hash = calloc(cap, sizeof *rs->scan_hash);
    if (!rs->scan_hash) return -1;
    rs->scan_cap = cap;
    rs->fnh = malloc((rs->nfields ? rs->nfields : 1) * sizeof *rs->fnh);
    if (!rs->fnh) return -1;
    for (uint32_t f = 0; f < rs->nfields; f++) {
        uint32_t h = sg_norm_hash(rs->fname[f], rs->fname_len[f]), i = h & (cap - 1);
        rs->fnh[f] = h;
        while (rs->scan_hash[i] && rs->scan_hash[i] != h) i = (i + 1) & (cap - 1);
        rs->scan_hash[i] = h;
    }
    return 0;
}

int sg_invert_lists(sp_ruleset *rs)
{
    if (build_scan_set(rs)) return -1;
    rs->ncands = 0;
    for (uint32_t i = 0; i < rs->chan_cap; i++)
        if (rs->chans[i].name && invert_chan(rs, &rs->chans[i])) return -1;
    return invert_chan(rs, &rs->anychan);
}

const uint32_t *sg_clist_lit(const sg_clist *l, uint32_t lid, uint32_t *count)
{
    if (!l->lmap_cap) { *count = 0; return NULL; }
    uint32_t h = (lid * 2654435761u) & (l->lmap_cap - 1);
    while (l->lmap[h].lit != UINT32_MAX) {
        if (l->lmap[h].lit == lid) { *count = l->lmap[h].count; return l->post + l->lmap[h].start; }
        h = (h + 1) & (l->lmap_cap - 1);
    }
    *count = 0;
    return NULL;
}

void sg_scan_literals(sp_scanner *sc)
{
    if (sc->lits_scanned) return;
    sc->lits_scanned = 1;
    if (!sc->rs->nlit) return;
    sg_build_table(sc);
    if (sc->route) { sg_route_scan(sc, sc->route); return; }
    for (uint32_t i = 0; i < sc->nfv; i++) {
        if (!sc->scan_all && !sc->fv[i].scan) continue;
        const char *low = sg_fv_low(sc, &sc->fv[i]);
        sc->cur_fbit = i < 63 ? 1ull << i : 1ull << 63;
        if (low) sg_prefilter_scan(sc, (const unsigned char *)low, sc->fv[i].v.len);
    }
}
