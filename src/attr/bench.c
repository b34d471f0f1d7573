/*
 * bench.c — how well the model attributes, measured on ATT&CK itself
 * (docs/attribution.md, "Benchmark").
 *
 * (a) Leave-one-campaign-out: every active campaign with an attributed-to
 *     relationship is a case.  Held out: the campaign and its relationships
 *     (it is not merged into its group; its uses and attributed-to links are
 *     not seen) — the protocol of the issue and of the published TF-IDF
 *     baseline.  Query: the campaign's techniques and software.  Truth: its
 *     groups (either counts, C0052).
 *     Strict variant, reported beside it: also every report the campaign's
 *     relationships cite — a group `uses` link citing only those reports is
 *     dropped, others lose those citations (the same for software `uses`,
 *     which feed the software expansion).  Often the campaign's report is
 *     also the source of the group's links, so this asks for attribution
 *     from what other reports say.
 * (c) Open set: every active campaign attributed to nobody, held out as in
 *     (a)'s strict variant (the campaign and every report it cites, so a
 *     group is not named merely because the campaign's own report is its
 *     source).  No group is right; what counts is how often the assessment
 *     abstains (the unknown actor first, or low confidence) rather than
 *     naming a group with moderate or high confidence.  (Some of these are
 *     surely by known groups: ATT&CK just does not say so.)
 * (b) Leave-one-report-out: every report cited by group `uses` links of
 *     exactly one active group, supporting >= min_items items (techniques
 *     and software) for it.  Held out: that report everywhere (links citing
 *     only it are dropped).  Query: the items it supports.
 *
 * Profiles are never used (they were written knowing the answers), so the
 * model is ATT&CK only.  Each case rebuilds the model with its exclusions,
 * so IDF, background and priors never see the held-out report.  The TF-IDF
 * cosine baseline is computed on the same cases with the same exclusions.
 * Ranks are pessimistic: ties with the truth count against it.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "attr/attr_int.h"
#include "attr/bench.h"
#include "base/buf.h"

typedef struct bcase {
    const char *label;          /* "C0022" or report source name */
    uint32_t truth[4];
    size_t ntruth;
    uint32_t *tech, *sw;        /* kb indexes */
    size_t ntech, nsw;
    uint32_t *rep;              /* held-out report keys */
    size_t nrep;
    uint32_t campaign;          /* held-out campaign or UINT32_MAX */
} bcase;

typedef struct bvec { uint32_t *v; size_t n, cap; } bvec;

static int bv_add(bvec *b, uint32_t x)
{
    for (size_t i = 0; i < b->n; i++) if (b->v[i] == x) return 0;
    if (b->n == b->cap) {
        size_t nc = b->cap ? b->cap * 2 : 16;
        uint32_t *q = realloc(b->v, nc * sizeof *q);
        if (!q) return -1;
        b->v = q;
        b->cap = nc;
    }
    b->v[b->n++] = x;
    return 0;
}

static int active(const sp_kb_object *o) { return o && !o->revoked && !o->deprecated; }

static void free_cases(bcase *c, size_t n)
{
    for (size_t i = 0; i < n; i++) { free(c[i].tech); free(c[i].sw); free(c[i].rep); }
    free(c);
}

static int push_case(bcase **cs, size_t *n, size_t *cap, const bcase *c)
{
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 64;
        bcase *q = realloc(*cs, nc * sizeof *q);
        if (!q) return -1;
        *cs = q;
        *cap = nc;
    }
    (*cs)[(*n)++] = *c;
    return 0;
}

static void add_reps(bvec *r, const sp_kb_link *l)
{
    for (size_t i = 0; i < l->nreports; i++) bv_add(r, l->reports[i]);
}

/* (a) leave-one-campaign-out cases; attributed 0: (c) the open set, every
 * campaign nobody is attributed */
static int loco_cases(const sp_kb *kb, int attributed, bcase **out, size_t *nout, size_t *n_rel)
{
    size_t cap = 0;
    *out = NULL;
    *nout = 0;
    *n_rel = 0;
    for (size_t c = 0; c < sp_kb_count(kb, SP_KB_CAMPAIGN); c++) {
        const sp_kb_object *o = sp_kb_object_at(kb, SP_KB_CAMPAIGN, c);
        if (!active(o)) continue;
        const sp_kb_link *L;
        size_t na = sp_kb_links(kb, SP_KB_CAMPAIGN, c, SP_KB_ATTRIBUTED_TO, SP_KB_GROUP, &L);
        if (!na != !attributed) continue;
        bcase k;
        memset(&k, 0, sizeof k);
        bvec t = {0}, s = {0}, r = {0};
        k.label = o->id;
        k.campaign = (uint32_t)c;
        for (size_t i = 0; i < na; i++) {
            (*n_rel)++;
            if (active(sp_kb_object_at(kb, SP_KB_GROUP, L[i].target)) && k.ntruth < 4) k.truth[k.ntruth++] = L[i].target;
            add_reps(&r, &L[i]);
        }
        size_t n = sp_kb_links(kb, SP_KB_CAMPAIGN, c, SP_KB_USES, SP_KB_TECHNIQUE, &L);
        for (size_t i = 0; i < n; i++) {
            if (active(sp_kb_object_at(kb, SP_KB_TECHNIQUE, L[i].target))) bv_add(&t, L[i].target);
            add_reps(&r, &L[i]);
        }
        n = sp_kb_links(kb, SP_KB_CAMPAIGN, c, SP_KB_USES, SP_KB_SOFTWARE, &L);
        for (size_t i = 0; i < n; i++) {
            if (active(sp_kb_object_at(kb, SP_KB_SOFTWARE, L[i].target))) bv_add(&s, L[i].target);
            add_reps(&r, &L[i]);
        }
        k.tech = t.v; k.ntech = t.n; k.sw = s.v; k.nsw = s.n; k.rep = r.v; k.nrep = r.n;
        int want = (k.ntruth || !attributed) && (k.ntech || k.nsw);
        if (!want || push_case(out, nout, &cap, &k)) {
            free(t.v); free(s.v); free(r.v);
            if (want) return -1;
        }
    }
    return 0;
}

/* (b) leave-one-report-out cases */
static int loro_cases(const sp_kb *kb, unsigned min_items, bcase **out, size_t *nout, size_t *single_group)
{
    size_t nrep = 0;
    while (sp_kb_report_at(kb, (uint32_t)nrep)) nrep++;
    uint32_t *owner = malloc((nrep ? nrep : 1) * sizeof *owner);   /* group, UINT32_MAX-1 = several */
    uint32_t *items = calloc(nrep ? nrep : 1, sizeof *items);
    if (!owner || !items) { free(owner); free(items); return -1; }
    for (size_t r = 0; r < nrep; r++) owner[r] = UINT32_MAX;
    size_t ng = sp_kb_count(kb, SP_KB_GROUP);
    for (size_t g = 0; g < ng; g++) {
        const sp_kb_object *o = sp_kb_object_at(kb, SP_KB_GROUP, g);
        if (!active(o) || !o->in_attack) continue;
        for (int kind = 0; kind < 2; kind++) {
            const sp_kb_link *L;
            size_t n = sp_kb_links(kb, SP_KB_GROUP, g, SP_KB_USES, kind ? SP_KB_SOFTWARE : SP_KB_TECHNIQUE, &L);
            for (size_t i = 0; i < n; i++) {
                if (!L[i].from_attack) continue;
                if (!active(sp_kb_object_at(kb, kind ? SP_KB_SOFTWARE : SP_KB_TECHNIQUE, L[i].target))) continue;
                for (size_t j = 0; j < L[i].nreports; j++) {
                    uint32_t r = L[i].reports[j];
                    if (owner[r] == UINT32_MAX) owner[r] = (uint32_t)g;
                    else if (owner[r] != g) owner[r] = UINT32_MAX - 1;
                    items[r]++;
                }
            }
        }
    }
    size_t cap = 0;
    *out = NULL;
    *nout = 0;
    *single_group = 0;
    for (size_t r = 0; r < nrep; r++) {
        if (owner[r] >= UINT32_MAX - 1) continue;
        (*single_group)++;
        if (items[r] < min_items) continue;
        uint32_t g = owner[r];
        bcase k;
        memset(&k, 0, sizeof k);
        bvec t = {0}, s = {0}, rv = {0};
        k.label = sp_kb_report_at(kb, (uint32_t)r)->source;
        k.truth[0] = g;
        k.ntruth = 1;
        k.campaign = UINT32_MAX;
        for (int kind = 0; kind < 2; kind++) {
            const sp_kb_link *L;
            size_t n = sp_kb_links(kb, SP_KB_GROUP, g, SP_KB_USES, kind ? SP_KB_SOFTWARE : SP_KB_TECHNIQUE, &L);
            for (size_t i = 0; i < n; i++) {
                if (!L[i].from_attack) continue;
                if (!active(sp_kb_object_at(kb, kind ? SP_KB_SOFTWARE : SP_KB_TECHNIQUE, L[i].target))) continue;
                for (size_t j = 0; j < L[i].nreports; j++)
                    if (L[i].reports[j] == r) { bv_add(kind ? &s : &t, L[i].target); break; }
            }
        }
        bv_add(&rv, (uint32_t)r);
        k.tech = t.v; k.ntech = t.n; k.sw = s.v; k.nsw = s.n; k.rep = rv.v; k.nrep = rv.n;
        if (push_case(out, nout, &cap, &k)) {
            free(t.v); free(s.v); free(rv.v);
            free(owner); free(items);
            return -1;
        }
    }
    free(owner);
    free(items);
    return 0;
}

/* ---------------------------------------------------------- TF-IDF cosine */

/* Binary technique + software vectors of the groups' direct uses (with the
 * same exclusions), IDF = ln(N / df), cosine against the query. */
static int tfidf_scores(const attr_model *m, const sp_kb *kb, const attr_excl *ex, const bcase *k, double *score)
{
    size_t nt = m->nt, nf = nt + m->ns;
    uint8_t *has = calloc(m->ng * nf, 1);
    uint32_t *df = calloc(nf, sizeof *df);
    if (!has || !df) { free(has); free(df); return -1; }
    for (size_t g = 0; g < m->ng; g++) {
        uint8_t *row = has + g * nf;
        for (int kind = 0; kind < 2; kind++) {
            const sp_kb_link *L;
            size_t n = sp_kb_links(kb, SP_KB_GROUP, m->gidx[g], SP_KB_USES, kind ? SP_KB_SOFTWARE : SP_KB_TECHNIQUE, &L);
            for (size_t i = 0; i < n; i++) {
                if (!active(sp_kb_object_at(kb, kind ? SP_KB_SOFTWARE : SP_KB_TECHNIQUE, L[i].target))) continue;
                if (attr_link_kept(kb, &L[i], ex) < 0) continue;
                size_t f = (kind ? nt : 0) + L[i].target;
                if (!row[f]) { row[f] = 1; df[f]++; }
            }
        }
    }
    double *idf = malloc(nf * sizeof *idf);
    if (!idf) { free(has); free(df); return -1; }
    for (size_t f = 0; f < nf; f++) idf[f] = df[f] ? log((double)m->ng / df[f]) : 0;
    double qn = 0;
    for (size_t i = 0; i < k->ntech; i++) qn += idf[k->tech[i]] * idf[k->tech[i]];
    for (size_t i = 0; i < k->nsw; i++) qn += idf[nt + k->sw[i]] * idf[nt + k->sw[i]];
    for (size_t g = 0; g < m->ng; g++) {
        const uint8_t *row = has + g * nf;
        double dot = 0, gn = 0;
        for (size_t f = 0; f < nf; f++) if (row[f]) gn += idf[f] * idf[f];
        for (size_t i = 0; i < k->ntech; i++) if (row[k->tech[i]]) dot += idf[k->tech[i]] * idf[k->tech[i]];
        for (size_t i = 0; i < k->nsw; i++) if (row[nt + k->sw[i]]) dot += idf[nt + k->sw[i]] * idf[nt + k->sw[i]];
        score[g] = gn > 0 && qn > 0 ? dot / sqrt(gn * qn) : 0;
    }
    free(has); free(df); free(idf);
    return 0;
}

/* pessimistic rank (1-based) of the best-placed truth */
static size_t rank_of(const attr_model *m, const double *score, const bcase *k)
{
    size_t best = SIZE_MAX;
    for (size_t t = 0; t < k->ntruth; t++) {
        size_t gi = SIZE_MAX;
        for (size_t g = 0; g < m->ng; g++) if (m->gidx[g] == k->truth[t]) { gi = g; break; }
        if (gi == SIZE_MAX) continue;
        size_t r = 1;
        for (size_t g = 0; g < m->ng; g++)
            if (g != gi && score[g] >= score[gi]) r++;
        if (r < best) best = r;
    }
    return best;
}

static void tally(attr_metrics *mt, size_t rank)
{
    mt->n++;
    if (rank == SIZE_MAX) return;
    if (rank <= 1) mt->top1++;
    if (rank <= 3) mt->top3++;
    if (rank <= 5) mt->top5++;
    if (rank <= 10) mt->top10++;
    mt->mrr += 1.0 / (double)rank;
}

/* hold_reports 0: the cases' reports stay in (leave-one-campaign-out as the
 * issue states it: only the campaign and its relationships go) */
static int run_cases(const sp_kb *kb, const attr_params *p, const bcase *cs, size_t n, int hold_reports, attr_proto_result *res,
                     attr_calib *cal)
{
    size_t nrep = 0;
    while (sp_kb_report_at(kb, (uint32_t)nrep)) nrep++;
    uint8_t *out = calloc(nrep ? nrep : 1, 1);
    double *score = NULL, *base = NULL;
    if (!out) return -1;
    for (size_t i = 0; i < n; i++) {
        const bcase *k = &cs[i];
        size_t nheld = hold_reports ? k->nrep : 0;
        for (size_t j = 0; j < nheld; j++) out[k->rep[j]] = 1;
        attr_excl ex = {out, nrep, k->campaign, 1};
        attr_model m;
        if (attr_model_build(&m, kb, p, &ex)) goto fail;
        if (!score) {
            score = malloc((m.ng + 1) * sizeof *score);
            base = malloc((m.ng + 1) * sizeof *base);
            if (!score || !base) { attr_model_free(&m); goto fail; }
        }
        attr_query q = {0};
        int bad = 0;
        for (size_t j = 0; j < k->ntech && !bad; j++) bad = aq_technique(&q, &m, k->tech[j], 1.0);
        for (size_t j = 0; j < k->nsw && !bad; j++) bad = aq_software(&q, &m, k->sw[j], 1.0);
        if (bad) { aq_free(&q); attr_model_free(&m); goto fail; }
        double t0 = attr_now_ms();
        attr_score(&m, &q, score);
        for (size_t g = 0; g < m.ng; g++) score[g] += m.logprior[g];
        res->score_ms += attr_now_ms() - t0;
        size_t r = rank_of(&m, score, k);
        if (k->ntruth) tally(&res->model, r);
        if (cal) attr_calib_add(cal, &m, score, k->truth, k->ntruth, k->ntech, k->nsw);
        if (k->ntruth && tfidf_scores(&m, kb, &ex, k, base)) { aq_free(&q); attr_model_free(&m); goto fail; }
        if (k->ntruth) tally(&res->tfidf, rank_of(&m, base, k));
        aq_free(&q);
        attr_model_free(&m);
        for (size_t j = 0; j < nheld; j++) out[k->rep[j]] = 0;
    }
    free(out); free(score); free(base);
    return 0;
fail:
    free(out); free(score); free(base);
    return -1;
}

int attr_bench(const sp_kb *kb, const attr_params *p, const attr_bench_opts *o, attr_bench_result *r)
{
    memset(r, 0, sizeof *r);
    bcase *cs = NULL;
    size_t n = 0;
    double t0 = attr_now_ms();
    if (loco_cases(kb, 1, &cs, &n, &r->attributed_to)) return -1;
    r->loco.cases = r->loco_strict.cases = n;
    int rc = run_cases(kb, p, cs, n, 1, &r->loco_strict, NULL);
    r->loco_strict.ms = attr_now_ms() - t0;
    t0 = attr_now_ms();
    if (!rc) rc = run_cases(kb, p, cs, n, 0, &r->loco, o->calib ? &r->cal_loco : NULL);
    free_cases(cs, n);
    if (rc) return -1;
    r->loco.ms = attr_now_ms() - t0;
    t0 = attr_now_ms();
    if (loro_cases(kb, o->min_items, &cs, &n, &r->single_group_reports)) return -1;
    r->loro.cases = n;
    rc = run_cases(kb, p, cs, n, 1, &r->loro, o->calib ? &r->cal_loro : NULL);
    free_cases(cs, n);
    if (rc) return -1;
    r->loro.ms = attr_now_ms() - t0;
    t0 = attr_now_ms();
    size_t none;
    if (loco_cases(kb, 0, &cs, &n, &none)) return -1;
    r->open.cases = n;
    rc = run_cases(kb, p, cs, n, 1, &r->open, &r->cal_open);
    free_cases(cs, n);
    if (rc) return -1;
    r->open.ms = attr_now_ms() - t0;
    return 0;
}
